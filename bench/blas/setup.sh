#!/usr/bin/env bash
# Sets up what bench/blas/compare.py needs, and changes nothing else on the machine:
#   - bench/.venv-blas with NumPy (its wheel bundles the current OpenBLAS, scipy-openblas);
#   - Debian's BLIS runtime (libblis4-pthread);
#   - then checks that the system BLAS/LAPACK alternatives still point at OpenBLAS's pthread copies
#     (BLIS registers a lower-priority libblas.so.3 alternative), and sets them back if not.
# Needs root for apt-get and update-alternatives. Run from anywhere.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/../.venv-blas"
multiarch="$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)"
openblas_dir="/usr/lib/$multiarch/openblas-pthread"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c "import numpy" 2>/dev/null || "$venv/bin/pip" install --quiet numpy

if ! dpkg-query -W -f='${Status}' libblis4-pthread 2>/dev/null | grep -q "install ok installed"; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libblis4-pthread
fi

for name in libblas.so.3 liblapack.so.3; do
  link="$name-$multiarch"
  want="$openblas_dir/$name"
  now="$(update-alternatives --query "$link" | sed -n 's/^Value: //p')"
  if [ "$now" != "$want" ]; then
    echo "setup.sh: $link pointed at $now; setting it back to $want" >&2
    update-alternatives --set "$link" "$want"
  fi
  echo "$link -> $(update-alternatives --query "$link" | sed -n 's/^Value: //p')"
done
