#!/usr/bin/env bash
# Regenerates the quantity table of README.md from `featurespeed quantities --markdown` (a test
# checks that they agree).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product featurespeed >/dev/null
table=$(.build/debug/featurespeed quantities --markdown)
python3 - "$table" <<'PY'
import sys
table = sys.argv[1] + "\n"
text = open("README.md").read()
start = text.index("| quantity | scope | theory | meaning |")
end = text.index("\nNotes:", start)
open("README.md", "w").write(text[:start] + table + text[end:])
PY
