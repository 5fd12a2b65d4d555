#!/usr/bin/env bash
# Set up, build, and run the whole test suite (Swift Testing). CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# Optional interop check of the safetensors files with Python's readers: a private virtual
# environment with numpy and safetensors. Tests that need it are skipped when it is unavailable.
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import numpy, safetensors" 2>/dev/null; then
  (python3 -m venv .venv && .venv/bin/pip install --quiet --disable-pip-version-check numpy safetensors) \
    || echo "test: no Python safetensors reader available; interop tests will be skipped" >&2
fi
if [ -x .venv/bin/python ]; then export FEATURESPEED_PYTHON="$PWD/.venv/bin/python"; fi

swift build --build-tests
swift test --skip-build "$@"
