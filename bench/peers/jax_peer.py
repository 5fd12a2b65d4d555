#!/usr/bin/env python3
"""JAX peer of the FeatureSpeed benchmark: one jitted function per step, jax.jvp for δF.

    python bench/peers/jax_peer.py --workload DIR --variant train|diag|diag-forward --threads N

Speaks the worker protocol of bench/peers/common.py. The whole step (forward, backward, SGD and
the diagnostics) is one `jax.jit` with the weights donated, so a step is one dispatch and XLA
reuses the weight buffers; float32 throughout (`jax_enable_x64` stays off, so targets are int32).

`diag` gets b_ℓ = ∂ℒ/∂F_ℓ by differentiating with respect to zero "probes" added to every
feature (XLA folds the additions away) and δF_ℓ from `jax.jvp` of the feature map along
δW = −η∇W; inside one jit XLA can share the JVP's primal forward with the step's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

arguments = common.parse_worker_arguments(__doc__.split("\n\n")[0])
common.limit_native_threads(arguments.threads)  # XLA_FLAGS are read when jax initializes

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

jax.config.update("jax_enable_x64", False)


def as_array(tensor: common.RawTensor) -> np.ndarray:
    dtype = {"F32": "<f4", "I64": "<i8"}[tensor.dtype]
    return np.frombuffer(tensor.data, dtype=dtype).reshape(tensor.shape).copy()


class JAXModel:
    def __init__(self, workload: common.Workload, variant: str):
        self.variant = variant
        layers = workload.layers
        self.initial_weights = [as_array(w) for w in workload.weights]
        self.inputs = jnp.asarray(as_array(workload.inputs))
        self.targets = jnp.asarray(as_array(workload.targets).astype(np.int32))
        self.weights = self.fresh_weights()
        self.last_diagnostics = None

        def features(weights, inputs, probes=None):
            """F_ℓ for every layer (the last is the logits); `probes` are added to the features."""
            h, result = inputs, []
            for index, (layer, weight) in enumerate(zip(layers, weights)):
                z = jax.nn.relu(h) if layer.input_activation == "relu" else h
                y = z @ weight.T
                if layer.multiplier != 1.0:
                    y = y * layer.multiplier
                h = y if layer.residual_scale is None else h + layer.residual_scale * y
                if probes is not None:
                    h = h + probes[index]
                result.append(h)
            return result

        def cross_entropy(logits, targets):
            log_probabilities = jax.nn.log_softmax(logits, axis=-1)
            return -jnp.mean(jnp.take_along_axis(log_probabilities, targets[:, None], axis=1))

        def loss_of(weights, probes, inputs, targets):
            result = features(weights, inputs, probes)
            return cross_entropy(result[-1], targets), result

        def sgd_steps(gradients):
            return tuple(-layer.learning_rate * gradient for layer, gradient in zip(layers, gradients))

        def diagnostics(changes, feature_gradients):
            cosines, rms = [], []
            for change, gradient in zip(changes, feature_gradients):
                change_norm, gradient_norm = jnp.linalg.norm(change), jnp.linalg.norm(gradient)
                cosines.append(-jnp.vdot(gradient, change) / (change_norm * gradient_norm))
                rms.append(change_norm / jnp.sqrt(jnp.float32(change.size)))
            return jnp.stack(cosines), jnp.stack(rms)

        def train_step(weights, inputs, targets):
            loss, gradients = jax.value_and_grad(lambda w: loss_of(w, None, inputs, targets)[0])(weights)
            return tuple(w + s for w, s in zip(weights, sgd_steps(gradients))), loss

        def diag_step(weights, inputs, targets):
            probes = [jnp.zeros((inputs.shape[0], layer.fan_out), jnp.float32) for layer in layers]
            (loss, old_features), (weight_gradients, feature_gradients) = jax.value_and_grad(
                loss_of, argnums=(0, 1), has_aux=True
            )(weights, probes, inputs, targets)
            steps = sgd_steps(weight_gradients)
            new_weights = tuple(w + s for w, s in zip(weights, steps))
            if variant == "diag":
                _, changes = jax.jvp(lambda w: features(w, inputs), (weights,), (steps,))
            else:  # diag-forward: ΔF_ℓ = F_ℓ(W + δW) − F_ℓ(W)
                changes = [new - old for new, old in zip(features(new_weights, inputs), old_features)]
            return new_weights, loss, diagnostics(changes, feature_gradients)

        step = train_step if variant == "train" else diag_step
        self.compiled_step = jax.jit(step, donate_argnums=0)
        self.compiled_loss = jax.jit(lambda w, x, t: cross_entropy(features(w, x)[-1], t))

    def fresh_weights(self):
        return tuple(jnp.asarray(w) for w in self.initial_weights)

    def reset(self) -> None:
        self.weights = self.fresh_weights()
        jax.block_until_ready(self.weights)
        self.last_diagnostics = None

    def step(self):
        result = jax.block_until_ready(self.compiled_step(self.weights, self.inputs, self.targets))
        if self.variant == "train":
            self.weights, loss = result
        else:
            self.weights, loss, self.last_diagnostics = result
        return loss

    def loss(self) -> float:
        return float(self.compiled_loss(self.weights, self.inputs, self.targets))

    def diagnostics(self) -> dict:
        if self.last_diagnostics is None:
            return {}
        cosines, rms = self.last_diagnostics
        return {"bfa_cos": common.finite_or_none(np.asarray(cosines).tolist()), "feature_update_rms": common.finite_or_none(np.asarray(rms).tolist())}


if __name__ == "__main__":
    model = JAXModel(common.load_workload(arguments.workload), arguments.variant)
    import jaxlib

    version = f"{jax.__version__} (jaxlib {jaxlib.__version__})"
    common.serve("jax", version, arguments.threads, model, {"xla_flags": os.environ.get("XLA_FLAGS", "")})
