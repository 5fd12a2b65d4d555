#!/usr/bin/env bash
# Installs what FeatureSpeed needs on a fresh Debian (or Ubuntu) machine that has the Swift
# toolchain: OpenBLAS + LAPACKE (BLAS/LAPACK), zlib (gzip'd IDX files) and Debian's
# Fashion-MNIST package (the demo's data). Installs only what is missing; safe to rerun.
set -euo pipefail

packages=(libopenblas-dev liblapacke-dev zlib1g-dev dataset-fashion-mnist)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: the Swift toolchain is not on PATH. Install Swift 6 (https://www.swift.org/install/linux/) and rerun." >&2
  exit 1
fi
