#!/usr/bin/env bash
# Set up, build (release), and run the main job: a small ReLU MLP under μP on Fashion-MNIST with
# per-layer measurements every 100 steps. The run itself takes a few seconds on 2 cores; the
# first release build about a minute. Extra arguments are passed to `featurespeed train`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product featurespeed
.build/release/featurespeed train \
  --data fashion-mnist --arch mlp --width 256 --depth 4 --preset mup --learning-rate 0.02 \
  --batch-size 128 --steps 1000 --measure-every 100 --evaluate-every 250 --save-tensors \
  --output runs/demo --overwrite "$@"
