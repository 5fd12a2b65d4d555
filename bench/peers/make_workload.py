#!/usr/bin/env python3
"""Writes a benchmark workload directory with NumPy, in the format of `featurespeed bench export`.

    python bench/peers/make_workload.py --workload mlp-1024x8 --output /tmp/w [--batch-size 256] [--seed 0]

It exists to test the peers without the FeatureSpeed binary, and as executable documentation of
the format (the random draws differ from FeatureSpeed's; only the format is shared):

  workload.json       name, architecture, batch_size, input_dim (784), classes (10), learning_rate,
                      train_flops (6·B·Σ fanIn·fanOut), parameter_count, and per layer: name, fan_in,
                      fan_out, input_activation, multiplier, learning_rate, residual_scale
  weights.safetensors "{layer}.weight" F32 [fan_out, fan_in], He init N(0, gain²/fan_in) with
                      gain √2 after a ReLU and 1 on the raw input (first layer / ResNet embedding)
                      and on the ResNet readout
  batch.safetensors   inputs F32 [B, 784] ~ N(0, 1), targets I64 [B] uniform in 0..9

Workload names: `mlp-{W}x{D}` has D weight matrices 784→W→…→W→10 (layers layer1…layerD);
`resnet-{W}x{L}` has an embedding 784→W (layer0), L residual blocks W→W with β = 1/√L
(layer1…layerL) and a readout W→10 (layer{L+1}).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RawTensor, train_flops, Layer, write_safetensors  # noqa: E402

INPUT_DIM, CLASSES, LEARNING_RATE = 784, 10, 0.01


def layers_of(name: str) -> tuple[str, list[Layer], list[float]]:
    """Architecture, layers and init gains of a workload name."""
    match = re.fullmatch(r"(mlp|resnet)-(\d+)x(\d+)", name)
    if not match:
        raise SystemExit(f"error: workload '{name}' is not of the form mlp-{{W}}x{{D}} or resnet-{{W}}x{{L}} (e.g. mlp-1024x8)")
    architecture, width, count = match.group(1), int(match.group(2)), int(match.group(3))
    if width < 1 or count < (2 if architecture == "mlp" else 1):
        raise SystemExit(f"error: '{name}': an MLP needs at least 2 weight matrices and a ResNet at least 1 block")

    def layer(index, fan_in, fan_out, activation, residual_scale=None):
        return Layer(f"layer{index}", fan_in, fan_out, activation, 1.0, LEARNING_RATE, residual_scale)

    relu_gain = math.sqrt(2.0)
    if architecture == "mlp":
        widths = [INPUT_DIM] + [width] * (count - 1) + [CLASSES]
        layers = [layer(i + 1, widths[i], widths[i + 1], "identity" if i == 0 else "relu") for i in range(count)]
        gains = [1.0] + [relu_gain] * (count - 1)
    else:
        beta = 1.0 / math.sqrt(count)
        layers = [layer(0, INPUT_DIM, width, "identity")]
        layers += [layer(i, width, width, "relu", beta) for i in range(1, count + 1)]
        layers += [layer(count + 1, width, CLASSES, "relu")]
        gains = [1.0] + [relu_gain] * count + [1.0]
    return architecture, layers, gains


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", required=True, help="mlp-{W}x{D} or resnet-{W}x{L}")
    parser.add_argument("--output", required=True, type=Path, help="directory to create (may exist)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    if arguments.batch_size < 1:
        parser.error("--batch-size must be at least 1")

    architecture, layers, gains = layers_of(arguments.workload)
    generator = np.random.default_rng(arguments.seed)
    weights = {}
    for layer, gain in zip(layers, gains):
        weight = generator.standard_normal((layer.fan_out, layer.fan_in)) * (gain / math.sqrt(layer.fan_in))
        weights[f"{layer.name}.weight"] = RawTensor("F32", weight.shape, weight.astype("<f4").tobytes())
    batch = arguments.batch_size
    inputs = generator.standard_normal((batch, INPUT_DIM)).astype("<f4")
    targets = generator.integers(0, CLASSES, size=batch).astype("<i8")

    output = arguments.output
    output.mkdir(parents=True, exist_ok=True)
    metadata = {"workload": arguments.workload, "seed": str(arguments.seed), "writer": "make_workload.py"}
    write_safetensors(output / "weights.safetensors", weights, metadata)
    write_safetensors(
        output / "batch.safetensors",
        {"inputs": RawTensor("F32", inputs.shape, inputs.tobytes()), "targets": RawTensor("I64", targets.shape, targets.tobytes())},
        metadata,
    )
    description = {
        "name": arguments.workload,
        "architecture": architecture,
        "batch_size": batch,
        "input_dim": INPUT_DIM,
        "classes": CLASSES,
        "learning_rate": LEARNING_RATE,
        "train_flops": train_flops(batch, layers),
        "parameter_count": sum(layer.fan_in * layer.fan_out for layer in layers),
        "seed": arguments.seed,
        "layers": [vars(layer) for layer in layers],
    }
    (output / "workload.json").write_text(json.dumps(description, indent=2) + "\n")


if __name__ == "__main__":
    main()
