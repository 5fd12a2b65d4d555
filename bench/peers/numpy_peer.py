#!/usr/bin/env python3
"""NumPy peer of the FeatureSpeed benchmark: hand-written backprop and tangent pass.

    python bench/peers/numpy_peer.py --workload DIR --variant train|diag|diag-forward --threads N

Speaks the worker protocol of bench/peers/common.py. Every buffer is allocated once; products go
to NumPy's BLAS through `np.matmul(..., out=...)` on contiguous arrays or their transposes (which
NumPy hands to sgemm as transpose flags, without copies).

Passes, per layer ℓ with input h_{ℓ-1}, z_ℓ = φ(h_{ℓ-1}), y_ℓ = m·z_ℓ W_ℓᵀ, h_ℓ = y_ℓ or h_{ℓ-1} + β·y_ℓ:
  backward  g_ℓ = ∂ℒ/∂h_ℓ (= b_ℓ);  dy = s·g_ℓ with s = m·β (or m);  ∂ℒ/∂W_ℓ = dyᵀ z_ℓ;
            g_{ℓ-1} = φ'(h_{ℓ-1}) ⊙ (dy W_ℓ) [+ g_ℓ if residual]
  tangent   along δW = −η ∂ℒ/∂W:  δz = φ'(h_{ℓ-1}) ⊙ δh_{ℓ-1};  δy = m(δz W_ℓᵀ + z_ℓ δW_ℓᵀ);
            δh_ℓ = δy or δh_{ℓ-1} + β·δy  (δh_0 = 0, so the first layer has only the δW term)
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

arguments = common.parse_worker_arguments(__doc__.split("\n\n")[0])
common.limit_native_threads(arguments.threads)  # before numpy loads its BLAS

import numpy as np  # noqa: E402


def as_array(tensor: common.RawTensor) -> np.ndarray:
    dtype = {"F32": "<f4", "I64": "<i8"}[tensor.dtype]
    return np.frombuffer(tensor.data, dtype=dtype).reshape(tensor.shape).copy()


def blas_description() -> str:
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas.get('version', '')}".strip()
    except Exception:  # show_config's layout differs across NumPy versions
        return "unknown"


class NumPyModel:
    def __init__(self, workload: common.Workload, variant: str):
        self.variant = variant
        self.layers = workload.layers
        self.initial_weights = [as_array(w) for w in workload.weights]
        self.weights = [w.copy() for w in self.initial_weights]
        batch = workload.batch_size
        inputs = as_array(workload.inputs)
        targets = as_array(workload.targets)
        self.rows = np.arange(batch)
        self.targets = targets
        empty = lambda *shape: np.empty(shape, dtype=np.float32)  # noqa: E731
        # Forward: features[ℓ] = h_ℓ (features[0] = inputs); activated[ℓ] = z_ℓ, a view of
        # features[ℓ-1] when the layer's input activation is the identity.
        self.features = [inputs] + [empty(batch, layer.fan_out) for layer in self.layers]
        self.relu_outputs = [empty(batch, layer.fan_in) if layer.input_activation == "relu" else None for layer in self.layers]
        self.relu_masks = [np.empty((batch, layer.fan_in), dtype=bool) if layer.input_activation == "relu" else None for layer in self.layers]
        self.branch = [empty(batch, layer.fan_out) if layer.residual_scale is not None else None for layer in self.layers]
        # Backward: feature_gradients[ℓ] = b_ℓ = ∂ℒ/∂h_ℓ (index 0 unused); step_outputs = −η·dy.
        self.feature_gradients = [None] + [empty(batch, layer.fan_out) for layer in self.layers]
        self.step_outputs = [empty(batch, layer.fan_out) for layer in self.layers]
        self.weight_steps = [np.empty_like(w) for w in self.weights]  # δW = −η ∂ℒ/∂W
        self.diagnostics_of_last_step: dict = {}
        if variant == "diag":
            self.tangents = [empty(batch, layer.fan_out) for layer in self.layers]
            self.tangent_inputs = [empty(batch, layer.fan_in) for layer in self.layers]
            self.tangent_products = [empty(batch, layer.fan_out) for layer in self.layers]
        if variant == "diag-forward":
            self.new_features = [inputs] + [empty(batch, layer.fan_out) for layer in self.layers]
            self.feature_changes = [empty(batch, layer.fan_out) for layer in self.layers]

    def reset(self) -> None:
        for weight, initial in zip(self.weights, self.initial_weights):
            np.copyto(weight, initial)
        self.diagnostics_of_last_step = {}

    # --- passes ---------------------------------------------------------------------------

    def forward(self, features: list[np.ndarray]) -> np.ndarray:
        """Fills features[1:] from features[0]; returns the logits (= features[-1])."""
        for index, (layer, weight) in enumerate(zip(self.layers, self.weights)):
            previous, output = features[index], features[index + 1]
            activated = self.activate(index, previous)
            if layer.residual_scale is None:
                np.matmul(activated, weight.T, out=output)
                if layer.multiplier != 1.0:
                    output *= layer.multiplier
            else:
                branch = self.branch[index]
                np.matmul(activated, weight.T, out=branch)
                branch *= layer.multiplier * layer.residual_scale
                np.add(previous, branch, out=output)
        return features[-1]

    def activate(self, index: int, previous: np.ndarray) -> np.ndarray:
        if self.layers[index].input_activation == "identity":
            return previous
        np.greater(previous, 0.0, out=self.relu_masks[index])
        return np.maximum(previous, 0.0, out=self.relu_outputs[index])

    def loss_and_logit_gradient(self, logits: np.ndarray, gradient: np.ndarray | None) -> float:
        """Mean softmax cross-entropy; writes ∂ℒ/∂logits into `gradient` when given."""
        shifted = logits - logits.max(axis=1, keepdims=True)
        exponentials = np.exp(shifted)
        sums = exponentials.sum(axis=1)
        loss = float(np.mean(np.log(sums) - shifted[self.rows, self.targets], dtype=np.float64))
        if gradient is not None:
            np.divide(exponentials, sums[:, None] * logits.shape[0], out=gradient)
            gradient[self.rows, self.targets] -= 1.0 / logits.shape[0]
        return loss

    def backward(self, update_weights: bool) -> None:
        """From feature_gradients[-1] = ∂ℒ/∂logits: every b_ℓ and δW_ℓ (applied at once if asked)."""
        for index in reversed(range(len(self.layers))):
            layer, weight = self.layers[index], self.weights[index]
            gradient = self.feature_gradients[index + 1]  # b_ℓ, [batch, fan_out]
            scale = layer.multiplier * (1.0 if layer.residual_scale is None else layer.residual_scale)
            activated = self.features[index] if layer.input_activation == "identity" else self.relu_outputs[index]
            step_output = self.step_outputs[index]
            np.multiply(gradient, -layer.learning_rate * scale, out=step_output)
            np.matmul(step_output.T, activated, out=self.weight_steps[index])  # δW = −η dyᵀ z
            if index > 0:
                previous = self.feature_gradients[index]
                np.matmul(gradient, weight, out=previous)  # before W changes
                if scale != 1.0:
                    previous *= scale
                if layer.input_activation == "relu":
                    np.multiply(previous, self.relu_masks[index], out=previous)
                if layer.residual_scale is not None:
                    previous += gradient
            if update_weights:
                weight += self.weight_steps[index]

    def tangent(self) -> None:
        """δh_ℓ along the step δW into self.tangents (weights not yet updated)."""
        for index, (layer, weight) in enumerate(zip(self.layers, self.weights)):
            activated = self.features[index] if layer.input_activation == "identity" else self.relu_outputs[index]
            output = self.tangents[index]
            np.matmul(activated, self.weight_steps[index].T, out=output)  # z δWᵀ
            if index > 0:
                previous = self.tangents[index - 1]
                tangent_input = previous
                if layer.input_activation == "relu":
                    tangent_input = np.multiply(previous, self.relu_masks[index], out=self.tangent_inputs[index])
                product = self.tangent_products[index]
                np.matmul(tangent_input, weight.T, out=product)  # δz Wᵀ
                output += product
            if layer.residual_scale is None:
                if layer.multiplier != 1.0:
                    output *= layer.multiplier
            else:
                output *= layer.multiplier * layer.residual_scale
                if index > 0:
                    output += self.tangents[index - 1]

    def record_diagnostics(self, changes: list[np.ndarray]) -> None:
        """BFA cosine and RMS of the feature change δF_ℓ (or ΔF_ℓ) of every layer."""
        cosines, rms = [], []
        for index, change in enumerate(changes):
            flat_change, flat_gradient = change.reshape(-1), self.feature_gradients[index + 1].reshape(-1)
            change_norm = math.sqrt(float(np.dot(flat_change, flat_change)))
            gradient_norm = math.sqrt(float(np.dot(flat_gradient, flat_gradient)))
            alignment = float(np.dot(flat_gradient, flat_change))
            cosines.append(-alignment / (gradient_norm * change_norm) if gradient_norm * change_norm > 0 else math.nan)
            rms.append(change_norm / math.sqrt(change.size))
        self.diagnostics_of_last_step = {"bfa_cos": common.finite_or_none(cosines), "feature_update_rms": common.finite_or_none(rms)}

    # --- protocol -------------------------------------------------------------------------

    def step(self) -> float:
        logits = self.forward(self.features)
        loss = self.loss_and_logit_gradient(logits, self.feature_gradients[-1])
        if self.variant == "train":
            self.backward(update_weights=True)
        elif self.variant == "diag":
            self.backward(update_weights=False)
            self.tangent()
            self.record_diagnostics(self.tangents)
            for weight, weight_step in zip(self.weights, self.weight_steps):
                weight += weight_step
        else:  # diag-forward: ΔF_ℓ = F_ℓ(W + δW) − F_ℓ(W)
            self.backward(update_weights=True)
            self.forward(self.new_features)
            for change, new, old in zip(self.feature_changes, self.new_features[1:], self.features[1:]):
                np.subtract(new, old, out=change)
            self.record_diagnostics(self.feature_changes)
        return loss

    def loss(self) -> float:
        return self.loss_and_logit_gradient(self.forward(self.features), None)

    def diagnostics(self) -> dict:
        return self.diagnostics_of_last_step


if __name__ == "__main__":
    model = NumPyModel(common.load_workload(arguments.workload), arguments.variant)
    common.serve("numpy", np.__version__, arguments.threads, model, {"blas": blas_description()})
