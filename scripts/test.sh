#!/usr/bin/env bash
# Set up, build, and run the whole test suite (Swift Testing). CI runs exactly this (.ci/run).
# Then the numerical suites (NumericCore, Networks, Measurements, Scalings, Training) run again
# under every other OpenBLAS core this CPU can execute (`featurespeed doctor --list-cores`; with
# OPENBLAS_CORETYPE set, only the ones no wider than it): their tolerances must not depend on one
# kernel's summation order. FEATURESPEED_TEST_CORES=A,B chooses the cores (empty: none).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# Optional interop check of the safetensors files with Python's readers: a private virtual
# environment with numpy and safetensors. Tests that need it are skipped when it is unavailable.
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import numpy, safetensors" 2>/dev/null; then
  (python3 -m venv .venv && .venv/bin/pip install --quiet --disable-pip-version-check numpy safetensors) \
    || echo "test: no Python safetensors reader available; interop tests will be skipped" >&2
fi
# MNIST-1D's Python package (to check our generator against its samples) and TensorBoard (whose
# event loader reads our event files); the tests that need them are skipped without them.
for package in mnist1d tensorboard; do
  if [ -x .venv/bin/python ] && ! .venv/bin/python -c "import $package" 2>/dev/null; then
    .venv/bin/pip install --quiet --disable-pip-version-check "$package" \
      || echo "test: the $package package is not installable; the tests that need it will be skipped" >&2
  fi
done
if [ -x .venv/bin/python ]; then export FEATURESPEED_PYTHON="$PWD/.venv/bin/python"; fi

swift build --build-tests
swift test --skip-build "$@"

# Arguments for one suite mean a targeted run: no core sweep.
if [ $# -gt 0 ]; then exit 0; fi
binary="$(swift build --show-bin-path)/featurespeed"
runnable=$("$binary" doctor --list-cores)
if [ -n "${FEATURESPEED_TEST_CORES+set}" ]; then
  cores=$(tr ',' ' ' <<<"$FEATURESPEED_TEST_CORES")
  active=""
elif [ -n "${OPENBLAS_CORETYPE:-}" ]; then
  # A core set by hand (some machines need it): the cores listed after it, none wider.
  active=$OPENBLAS_CORETYPE
  cores=$(awk -v core="$active" 'found { print } tolower($0) == tolower(core) { found = 1 }' <<<"$runnable")
else
  active=$("$binary" doctor --json --quick --threads 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["blas"].get("core",""))')
  cores=$runnable
fi
for core in $cores; do
  [ "$(tr '[:upper:]' '[:lower:]' <<<"$core")" = "$(tr '[:upper:]' '[:lower:]' <<<"$active")" ] && continue
  echo "test: numerical suites under OPENBLAS_CORETYPE=$core (the full suite ran under ${active:-the default core})" >&2
  OPENBLAS_CORETYPE=$core swift test --skip-build \
    --filter 'NumericCoreTests|NetworksTests|MeasurementsTests|ScalingsTests|TrainingTests'
done
