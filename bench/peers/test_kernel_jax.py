#!/usr/bin/env python3
"""Tests of bench/peers/kernel_jax.py against an independent NumPy float64 dense Gram.

    bench/.venv/bin/python bench/peers/test_kernel_jax.py [-v]

The reference builds every Jacobian row by hand-written backpropagation (per sample, all output
coordinates at once: D_k = ∂F_ℓ[i]/∂F_k[i] by the chain rule, then J_k rows s_k·D_k[p,:] ⊗ G_{k-1}[i]),
sums η_k J_k J_kᵀ in float64 and takes numpy.linalg.eigvalsh. Workloads are tiny and written by
make_workload.py (an MLP and a ResNet, so that residual scales and the identity first layer are
covered). kernel_jax.py runs as a subprocess, as bench/kernel runs it. Takes ~1 minute, mostly JAX
start-up and compilation.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

PEERS = Path(__file__).resolve().parent
sys.path.insert(0, str(PEERS))
import common  # noqa: E402

SCRIPT = PEERS / "kernel_jax.py"


def reference_spectrum(workload: common.Workload, position: int) -> np.ndarray:
    """All eigenvalues of K_ℓ for the feature after layer `position`, NumPy float64, by explicit backprop."""
    layers = workload.layers
    weights = [np.frombuffer(w.data, "<f4").reshape(w.shape).astype(np.float64) for w in workload.weights]
    x = np.frombuffer(workload.inputs.data, "<f4").reshape(workload.inputs.shape).astype(np.float64)
    # Forward, keeping every layer's input G_{k-1} and pre-activation h_{k-1}.
    hs, h = [], x
    for layer, weight in zip(layers[: position + 1], weights):
        hs.append(h)
        z = np.maximum(h, 0) if layer.input_activation == "relu" else h
        y = layer.multiplier * z @ weight.T
        h = y if layer.residual_scale is None else h + layer.residual_scale * y
    n, d = x.shape[0], layers[position].fan_out
    rows = []
    for i in range(n):
        blocks = []
        upstream = np.eye(d)  # ∂F_ℓ[i]/∂F_k[i], rows p
        for k in range(position, -1, -1):
            layer, weight, h_before = layers[k], weights[k], hs[k][i]
            relu = layer.input_activation == "relu"
            g = np.maximum(h_before, 0) if relu else h_before
            scale = layer.multiplier * (1.0 if layer.residual_scale is None else layer.residual_scale)
            blocks.append((k, scale * np.einsum("pr,c->prc", upstream, g).reshape(d, -1)))
            through_branch = scale * (upstream @ weight) * ((h_before > 0) if relu else 1.0)
            upstream = through_branch if layer.residual_scale is None else upstream + through_branch
        rows.append(blocks)
    gram = np.zeros((n * d, n * d))
    for k in range(position + 1):
        jacobian = np.concatenate([dict(blocks)[k] for blocks in rows], axis=0)  # [N, P_k], sample-major rows
        gram += layers[k].learning_rate * jacobian @ jacobian.T
    return np.linalg.eigvalsh(gram)


def run_script(*options: str, expect_status: int = 0) -> dict | None:
    result = subprocess.run([sys.executable, str(SCRIPT), *options], capture_output=True, text=True, timeout=600)
    if result.returncode != expect_status:
        raise AssertionError(f"kernel_jax.py {' '.join(options)} exited {result.returncode}, expected {expect_status}:\n{result.stderr[-3000:]}")
    lines = result.stdout.strip().splitlines()
    if expect_status == 2:
        return None
    if len(lines) != 1:
        raise AssertionError(f"expected exactly one stdout line, got {len(lines)}:\n{result.stdout[:2000]}")
    return json.loads(lines[0])


class KernelJAXTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.temporary = tempfile.TemporaryDirectory(prefix="kernel-jax-test-")
        root = Path(cls.temporary.name)
        cls.workloads = {}
        for name, batch in (("mlp-12x3", 3), ("resnet-8x2", 2)):
            directory = root / name
            subprocess.run([sys.executable, str(PEERS / "make_workload.py"), "--workload", name, "--batch-size", str(batch),
                            "--output", str(directory), "--seed", "3"], check=True)
            workload = common.load_workload(directory)
            count = len(workload.layers)
            cls.workloads[name] = (directory, workload, {"output": reference_spectrum(workload, count - 1),
                                                         "last-hidden": reference_spectrum(workload, count - 2)})

    @classmethod
    def tearDownClass(cls):
        cls.temporary.cleanup()

    def compare(self, answer: dict, references: dict, relative: float) -> None:
        for layer in answer["layers"]:
            expected = references[layer["layer"]]
            self.assertEqual(layer["dimension"], len(expected))
            top = expected[-1]
            self.assertLessEqual(abs(layer["lambda_max"] - top) / top, relative, layer)
            # λ_min relative to itself, floored at 1e-3·λ_max as bench/kernel judges it
            self.assertLessEqual(abs(layer["lambda_min"] - expected[0]) / max(abs(expected[0]), 1e-3 * top), relative, layer)
            self.assertLessEqual(abs(layer["m1"] - expected.mean()) / expected.mean(), relative, layer)
            self.assertLessEqual(abs(layer["m2"] - (expected**2).mean()) / (expected**2).mean(), relative, layer)

    def test_float64_both_methods_match_reference_and_finite_differences(self):
        for name, (directory, _, references) in self.workloads.items():
            for method in ("jacobian", "structured"):
                with self.subTest(workload=name, method=method):
                    answer = run_script("--workload", str(directory), "--x64", "--method", method, "--check", "--eigensolver", "lapack")
                    self.assertEqual(answer["dtype"], "float64")
                    self.compare(answer, references, 1e-10)
                    for layer in answer["layers"]:
                        self.assertTrue(layer["check"]["passed"], layer["check"])

    def test_float32_default_matches_reference(self):
        directory, _, references = self.workloads["mlp-12x3"]
        for method in ("jacobian", "structured"):
            with self.subTest(method=method):
                answer = run_script("--workload", str(directory), "--method", method, "--threads", "2")
                self.assertEqual((answer["dtype"], answer["eigensolver"], answer["threads"]), ("float32", "jnp.linalg.eigvalsh", 2))
                self.compare(answer, references, 1e-4)

    def test_json_shape_and_estimates(self):
        directory, workload, _ = self.workloads["mlp-12x3"]
        answer = run_script("--workload", str(directory), "--layers", "output,last-hidden,layer1")
        for key in ("implementation", "method", "workload", "batch_size", "threads", "dtype", "layers", "peak_rss_bytes", "jax_version"):
            self.assertIn(key, answer)
        self.assertEqual((answer["implementation"], answer["method"], answer["workload"], answer["batch_size"]),
                         ("jax-dense-gram", "jacobian-contraction", "mlp-12x3", 3))
        self.assertEqual([layer["layer"] for layer in answer["layers"]], ["output", "last-hidden", "layer1"])
        self.assertEqual([layer["position"] for layer in answer["layers"]], [2, 1, 0])
        for layer in answer["layers"]:
            for key in ("dimension", "lambda_min", "lambda_max", "seconds", "compile_seconds", "gram_bytes", "jacobian_bytes", "peak_rss_bytes"):
                self.assertIn(key, layer)
            position, N = layer["position"], layer["dimension"]
            self.assertEqual(N, 3 * workload.layers[position].fan_out)
            self.assertEqual(layer["gram_bytes"], N * N * 4)
            self.assertEqual(layer["jacobian_bytes"], N * max(l.fan_in * l.fan_out for l in workload.layers[: position + 1]) * 4)
            self.assertGreater(layer["peak_rss_bytes"], 0)
        # The process peak covers every layer's (the kernel's RSS counters are batched per CPU: allow 1 MB)
        self.assertGreaterEqual(answer["peak_rss_bytes"] + 2**20, max(layer["peak_rss_bytes"] for layer in answer["layers"]))

    def test_memory_limit_skips_without_allocating(self):
        directory, _, _ = self.workloads["mlp-12x3"]
        answer = run_script("--workload", str(directory), "--memory-limit-gb", "0.001")
        for layer in answer["layers"]:
            self.assertEqual(layer["skip_reason"], "memory")
            self.assertRegex(layer["skipped"], r"^needs \d+\.\d+ GB$")
            self.assertNotIn("lambda_min", layer)
            self.assertGreater(layer["estimated_peak_bytes"], 1e6)

    def test_deterministic(self):
        directory, _, _ = self.workloads["resnet-8x2"]
        first, second = (run_script("--workload", str(directory), "--method", "structured") for _ in range(2))
        self.assertEqual([(l["lambda_min"], l["lambda_max"]) for l in first["layers"]], [(l["lambda_min"], l["lambda_max"]) for l in second["layers"]])

    def test_unknown_layer_is_an_error(self):
        directory, _, _ = self.workloads["mlp-12x3"]
        run_script("--workload", str(directory), "--layers", "layer9", expect_status=2)


if __name__ == "__main__":
    unittest.main()
