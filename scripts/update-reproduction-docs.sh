#!/usr/bin/env bash
# Copies the "Measured" blocks of finished reproductions into the docs (docs/*.md), so that the
# numbers in the docs are the runs' own: for every runs/reproduce-NAME/measured.md (or under the
# directory given as $1), the CSV it was rendered from goes to docs/results/NAME.csv and the block
# replaces the one between the markers `<!-- measured NAME … -->` and `<!-- end measured NAME -->`.
# A test (ExperimentsTests, ReproductionDocsTests) renders every block again from its CSV.
#
#   featurespeed reproduce control-depth && bash scripts/update-reproduction-docs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-runs}
python3 - "$runs" <<'PY'
import os, re, shutil, sys
runs = sys.argv[1]
import glob
docs = {path: open(path, encoding="utf-8").read() for path in sorted(glob.glob("docs/*.md"))}
updated = []
os.makedirs("docs/results", exist_ok=True)
for entry in sorted(os.listdir(runs)) if os.path.isdir(runs) else []:
    if not entry.startswith("reproduce-") or entry.endswith("-quick"):
        continue
    name = entry[len("reproduce-"):]
    block_path = os.path.join(runs, entry, "measured.md")
    if not os.path.exists(block_path):
        continue
    block = open(block_path, encoding="utf-8").read()
    source = re.search(r"rendered from its `([^`]+)`", block)
    if not source:
        sys.exit(f"update-reproduction-docs: {block_path} does not name the file it was rendered from; rerun the reproduction")
    if " --quick`" in block:
        sys.exit(f"update-reproduction-docs: {block_path} comes from a --quick run; the docs hold the full runs' numbers")
    pattern = re.compile(r"<!-- measured " + re.escape(name) + r":[^>]*-->\n.*?<!-- end measured " + re.escape(name) + r" -->", re.S)
    found = False
    for path, doc in docs.items():
        for match in reversed(list(pattern.finditer(doc))):
            first_line = match.group(0).split("\n", 1)[0]
            doc = doc[:match.start()] + first_line + "\n" + block + f"<!-- end measured {name} -->" + doc[match.end():]
            found = True
        docs[path] = doc
    if not found:
        sys.exit(f"update-reproduction-docs: no docs/*.md has markers for {name}; add "
                 f"'<!-- measured {name}: … -->' and '<!-- end measured {name} -->' to its section")
    shutil.copyfile(os.path.join(runs, entry, source.group(1)), f"docs/results/{name}.csv")
    updated.append(name)
for path, doc in docs.items():
    open(path, "w", encoding="utf-8").write(doc)
print("update-reproduction-docs: updated " + (", ".join(updated) if updated else "nothing (no finished reproduction under " + runs + ")"))
PY
