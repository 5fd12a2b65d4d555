#!/usr/bin/env bash
# Set up, build (release), and run the main job: a small ReLU MLP under μP on Fashion-MNIST with
# per-layer measurements every 20 steps. Takes about a minute on 2 cores after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product featurespeed
.build/release/featurespeed train \
  --data fashion-mnist --arch mlp --width 256 --depth 4 --preset mup --learning-rate 0.05 \
  --batch-size 128 --steps 600 --measure-every 50 --evaluate-every 200 --save-tensors \
  --output runs/demo --overwrite "$@"
