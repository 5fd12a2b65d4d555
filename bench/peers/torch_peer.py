#!/usr/bin/env python3
"""PyTorch peer of the FeatureSpeed benchmark: autograd for the step, torch.func.jvp for δF.

    python bench/peers/torch_peer.py --workload DIR --variant train|diag|diag-forward --threads N

Speaks the worker protocol of bench/peers/common.py. Eager mode (no torch.compile: its compile
time and C++ toolchain requirement do not fit a benchmark of a hand-written library), weights as
leaf tensors, `F.linear` for the products, in-place SGD without autograd tracking.

`diag` gets b_ℓ = ∂ℒ/∂F_ℓ from the same backward pass as the weight gradients (the features are
extra `inputs` of `torch.autograd.grad`) and δF_ℓ from `torch.func.jvp` of the feature map along
δW = −η∇W; the JVP re-runs the primal forward, as any forward-mode transform does.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

arguments = common.parse_worker_arguments(__doc__.split("\n\n")[0])
common.limit_native_threads(arguments.threads)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(arguments.threads)
torch.set_num_interop_threads(1)


def as_tensor(tensor: common.RawTensor) -> torch.Tensor:
    dtype = {"F32": torch.float32, "I64": torch.int64}[tensor.dtype]
    return torch.frombuffer(bytearray(tensor.data), dtype=dtype).reshape(tensor.shape).clone()


class TorchModel:
    def __init__(self, workload: common.Workload, variant: str):
        self.variant = variant
        self.layers = workload.layers
        self.initial_weights = [as_tensor(w) for w in workload.weights]
        self.weights = [w.clone().requires_grad_(True) for w in self.initial_weights]
        self.inputs = as_tensor(workload.inputs)
        self.targets = as_tensor(workload.targets)
        self.learning_rates = [layer.learning_rate for layer in self.layers]
        self.last_diagnostics: tuple[torch.Tensor, torch.Tensor] | None = None

    def reset(self) -> None:
        with torch.no_grad():
            for weight, initial in zip(self.weights, self.initial_weights):
                weight.copy_(initial)
        self.last_diagnostics = None

    def features(self, weights) -> list[torch.Tensor]:
        """F_ℓ for every layer; the last one is the logits."""
        h, features = self.inputs, []
        for layer, weight in zip(self.layers, weights):
            z = torch.relu(h) if layer.input_activation == "relu" else h
            y = F.linear(z, weight)
            if layer.multiplier != 1.0:
                y = y * layer.multiplier
            h = y if layer.residual_scale is None else h + layer.residual_scale * y
            features.append(h)
        return features

    def step(self) -> torch.Tensor:
        features = self.features(self.weights)
        loss = F.cross_entropy(features[-1], self.targets)
        if self.variant == "train":
            gradients = torch.autograd.grad(loss, self.weights)
            with torch.no_grad():
                for weight, gradient, rate in zip(self.weights, gradients, self.learning_rates):
                    weight.add_(gradient, alpha=-rate)
            return loss.detach()

        count = len(self.weights)
        gradients = torch.autograd.grad(loss, self.weights + features)
        weight_gradients, feature_gradients = gradients[:count], gradients[count:]  # ∂ℒ/∂W, b_ℓ
        with torch.no_grad():
            steps = tuple(-rate * gradient for gradient, rate in zip(weight_gradients, self.learning_rates))
            if self.variant == "diag":
                primals = tuple(weight.detach() for weight in self.weights)
                _, changes = torch.func.jvp(self.features, (primals,), (steps,))
                for weight, step in zip(self.weights, steps):
                    weight.add_(step)
            else:  # diag-forward: ΔF_ℓ = F_ℓ(W + δW) − F_ℓ(W)
                for weight, step in zip(self.weights, steps):
                    weight.add_(step)
                new_features = self.features(self.weights)
                changes = [new - old.detach() for new, old in zip(new_features, features)]
            cosines, rms = [], []
            for change, gradient in zip(changes, feature_gradients):
                change_norm, gradient_norm = torch.linalg.vector_norm(change), torch.linalg.vector_norm(gradient)
                cosines.append(-torch.sum(change * gradient) / (change_norm * gradient_norm))
                rms.append(change_norm / change.numel() ** 0.5)
            self.last_diagnostics = (torch.stack(cosines), torch.stack(rms))
        return loss.detach()

    def loss(self) -> float:
        with torch.inference_mode():
            return F.cross_entropy(self.features(self.weights)[-1], self.targets).item()

    def diagnostics(self) -> dict:
        if self.last_diagnostics is None:
            return {}
        cosines, rms = self.last_diagnostics
        return {"bfa_cos": common.finite_or_none(cosines.tolist()), "feature_update_rms": common.finite_or_none(rms.tolist())}


if __name__ == "__main__":
    model = TorchModel(common.load_workload(arguments.workload), arguments.variant)
    blas = "mkl" if torch.backends.mkl.is_available() else "other"
    common.serve("pytorch", torch.__version__, torch.get_num_threads(), model, {"blas": blas, "interop_threads": torch.get_num_interop_threads()})
