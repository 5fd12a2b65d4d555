#!/usr/bin/env python3
"""Dense-Gram spectrum of the backward-to-feature kernel (theory §4) in JAX: the baseline of bench/kernel.

    python bench/peers/kernel_jax.py --workload DIR [--layers output,last-hidden] [--threads N] [--x64]
                                     [--method jacobian|structured] [--eigensolver jax|lapack]
                                     [--memory-limit-gb 16] [--check]

For each requested feature F_ℓ (pre-activation / residual stream after layer ℓ, in the semantics of
bench/peers/common.py) it materializes the N×N matrix (N = n·d_ℓ, rows ordered sample-major like
F_ℓ.reshape(-1))

    K_ℓ = Σ_{k≤ℓ} η_k J_k J_kᵀ,   J_k = ∂F_ℓ/∂W_k ∈ R^{N×P_k},   η_k = the layer's learning_rate,

and takes all its eigenvalues. Two ways to build it, both dense:

  jacobian    (default) the Jacobian contraction of the JAX NTK cookbook, one weight at a time:
              J_k = vmap over samples of jacrev (per-sample reverse mode, d_ℓ cotangents each),
              reshaped to N×P_k, then K += η_k J_k J_kᵀ (one N×P_k by P_k×N matmul). Holds one J_k
              at a time: memory N·max_k P_k + O(N²), time O(N²·Σ_k P_k).
  structured  the exact per-layer factorization J_k J_kᵀ[(i,p),(j,q)] = s_k² ⟨G_i, G_j⟩ · (D_i D_jᵀ)[p,q]
              with G = the layer's input (n×d_{k-1}), s_k = multiplier·residual_scale and
              D_i = ∂F_ℓ[i]/∂F_k[i] the per-sample layer-to-layer Jacobian (d_ℓ×d_k, by vmap∘jacrev).
              Memory N·max_k d_k + O(N²), time O(N²·Σ_k d_k).

Eigenvalues: `jnp.linalg.eigvalsh` (default; on CPU it is LAPACK syevd *with* eigenvectors, since JAX
has no values-only path) or `--eigensolver lapack`: scipy.linalg.eigh(eigvals_only=True, driver="evd"),
the same LAPACK without eigenvectors, about twice as fast and 3N² bytes lighter.

Prints one JSON object on stdout (see bench/README.md, "Kernel spectra"). A layer whose estimated
memory exceeds --memory-limit-gb is reported as {"skipped": "needs X GB", ...} and not attempted.
Timings: "seconds" is the execution of the compiled programs (Gram + eigenvalues); the tracing and
XLA compilation, done ahead of time per program, is "compile_seconds". `--check` compares each Gram
with a NumPy float64 reference built from central finite differences (exact up to rounding for ReLU
and identity networks, which are affine in each weight entry between activation-pattern changes);
tiny workloads only. Exit status: 0 done, 1 check failed, 2 cannot run (bad workload or layer).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

METHODS = {"jacobian": "jacobian-contraction", "structured": "structured"}
EIGENSOLVERS = ("jax", "lapack")
RUNTIME_BYTES = 400 * 2**20  # JAX/XLA runtime, NumPy, the loaded workload: measured ~0.3–0.4 GB at tiny sizes
MARGIN = 1.05  # XLA temporaries not modelled: mlp-1024x8 batch 256 output peaked 1.2 % above the unmargined sum
CHECK_MAX_ELEMENTS = 2 * 10**8  # --check refuses layers whose finite-difference Jacobian would exceed this (N·P)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--workload", required=True, help="workload directory (featurespeed bench export)")
    parser.add_argument("--layers", default="output,last-hidden",
                        help="comma-separated features: output (last layer), last-hidden (the one before), or layer names from workload.json")
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads (XLA, BLAS); the caller may also pin the process")
    parser.add_argument("--x64", action="store_true", help="float64 throughout (default float32, the workload's dtype)")
    parser.add_argument("--method", choices=tuple(METHODS), default="jacobian", help="how the Gram is built (default jacobian)")
    parser.add_argument("--eigensolver", choices=EIGENSOLVERS, default="jax", help="jax: jnp.linalg.eigvalsh (default); lapack: values-only syevd")
    parser.add_argument("--memory-limit-gb", type=float, default=16.0, help="skip a layer whose estimated peak exceeds this (GB = 1e9 bytes)")
    parser.add_argument("--max-tflop", type=float, help="also skip a layer whose estimated work exceeds this many TFLOP (default: no limit)")
    parser.add_argument("--estimate-only", action="store_true", help="report the memory and FLOP estimates of each layer, compute nothing")
    parser.add_argument("--check", action="store_true", help="compare every Gram with a NumPy float64 finite-difference reference (tiny sizes)")
    arguments = parser.parse_args()
    if arguments.threads < 1:
        parser.error("--threads must be at least 1")
    if arguments.memory_limit_gb <= 0:
        parser.error("--memory-limit-gb must be positive")
    if arguments.max_tflop is not None and arguments.max_tflop <= 0:
        parser.error("--max-tflop must be positive")
    return arguments


arguments = parse_arguments()
common.limit_native_threads(arguments.threads)  # before jax/numpy initialize their thread pools

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

jax.config.update("jax_enable_x64", arguments.x64)
DTYPE = np.float64 if arguments.x64 else np.float32


# ----------------------------------------------------------------------------------------------
# Workload: which features, and the forward map in the semantics of common.py


def feature_positions(workload: common.Workload, labels: list[str]) -> list[tuple[str, int]]:
    """(label, 0-based layer position) of each requested feature."""
    count = len(workload.layers)
    names = {layer.name: index for index, layer in enumerate(workload.layers)}
    positions = []
    for label in labels:
        if label == "output":
            positions.append((label, count - 1))
        elif label == "last-hidden":
            if count < 2:
                raise common.WorkloadError(f"{workload.name} has a single layer, so no last-hidden feature")
            positions.append((label, count - 2))
        elif label in names:
            positions.append((label, names[label]))
        else:
            raise common.WorkloadError(f"unknown layer '{label}'; expected output, last-hidden or one of {', '.join(names)}")
    return positions


def forward(layers, weights, h, start: int, stop: int):
    """h after layers start..stop (inclusive, 0-based) given h before layer `start`; works on one sample
    (shape [d]) or a batch ([n, d])."""
    for index in range(start, stop + 1):
        layer, weight = layers[index], weights[index]
        z = jax.nn.relu(h) if layer.input_activation == "relu" else h
        y = z @ weight.T
        if layer.multiplier != 1.0:
            y = y * layer.multiplier
        h = y if layer.residual_scale is None else h + layer.residual_scale * y
    return h


def layer_input(layers, weights, inputs, k: int):
    """G_{k-1}: what multiplies W_kᵀ in layer k, for the batch ([n, fan_in])."""
    h = forward(layers, weights, inputs, 0, k - 1) if k > 0 else inputs
    return jax.nn.relu(h) if layers[k].input_activation == "relu" else h


def weight_scale(layer: common.Layer) -> float:
    """s_k with ∂F_k/∂W_k = s_k · (e_r ⊗ G_{k-1}): the multiplier times the residual branch scale."""
    return layer.multiplier * (1.0 if layer.residual_scale is None else layer.residual_scale)


# ----------------------------------------------------------------------------------------------
# Memory and work estimates (checked against the measured peak RSS in bench/README.md)


def estimate(workload: common.Workload, position: int, method: str, eigensolver: str, itemsize: int) -> dict:
    """Bytes and FLOPs of one layer's dense Gram before anything is allocated.

    Gram phase, per weight k (one at a time): the Jacobian tensor, the accumulator and the new
    N×N term (jacobian: also the per-sample cotangents; structured: the Kronecker-expanded product),
    plus 5 % for XLA's temporaries. Eigen phase: jnp.linalg.eigvalsh is
    syevd with eigenvectors: the symmetrized copy, the eigenvector output and the 2N² workspace next
    to the Gram (5 N²); the values-only LAPACK path holds the Gram and one host copy (2 N²).
    """
    layers = workload.layers
    n = workload.batch_size
    d = layers[position].fan_out
    N = n * d
    gram = N * N * itemsize
    sizes = [layers[k].fan_in * layers[k].fan_out for k in range(position + 1)]
    if method == "jacobian":
        per_weight = [N * p * itemsize for p in sizes]
        cotangents = 4 * N * max(layers[k].fan_out for k in range(position + 1)) * itemsize  # the vmapped backward's per-sample cotangents
        gram_phase = max(per_weight) + 2 * gram + cotangents
        flops = sum(2 * N * N * p for p in sizes)
    else:
        per_weight = [N * layers[k].fan_out * itemsize if k < position else 0 for k in range(position + 1)]
        gram_phase = max(per_weight) + 3 * gram
        flops = sum(2 * N * N * layers[k].fan_out for k in range(position))
    eigen_phase = (5 if eigensolver == "jax" else 2) * gram
    flops += (9 if eigensolver == "jax" else 4) * N**3 // 3  # syevd: tridiagonal reduction (4/3 N³) [+ back-transformation]
    weights_bytes = 3 * sum(layer.fan_in * layer.fan_out for layer in layers) * itemsize  # file bytes, host array, device array
    return {
        "dimension": N,
        "gram_bytes": gram,
        "jacobian_bytes": max(per_weight),
        "jacobian_bytes_all_weights": sum(per_weight),
        "estimated_peak_bytes": RUNTIME_BYTES + weights_bytes + int(MARGIN * max(gram_phase, eigen_phase)),
        "estimated_gflop": flops / 1e9,
    }


# ----------------------------------------------------------------------------------------------
# The dense Gram, one jitted program per weight


def gram_programs(workload, weights, inputs, position: int, method: str):
    """One compiled `accumulate(gram, weights, inputs) -> gram + η_k J_k J_kᵀ` per k ≤ position, and the compile time."""
    layers = workload.layers
    n, d = workload.batch_size, layers[position].fan_out
    N = n * d

    def jacobian_term(k):
        def term(weights, inputs):
            def feature_of_weight(weight_k, x):  # F_ℓ of one sample as a function of W_k
                replaced = list(weights)
                replaced[k] = weight_k
                return forward(layers, replaced, x, 0, position)

            jacobian = jax.vmap(jax.jacrev(feature_of_weight), in_axes=(None, 0))(weights[k], inputs)  # [n, d_ℓ, fan_out, fan_in]
            jacobian = jacobian.reshape(N, -1)
            return jacobian @ jacobian.T
        return term

    def structured_term(k):
        scale = weight_scale(layers[k]) ** 2

        def term(weights, inputs):
            g = layer_input(layers, weights, inputs, k)  # [n, fan_in]
            sample_gram = scale * (g @ g.T)  # [n, n]
            if k == position:  # D = identity: (G Gᵀ) ⊗ I_d
                product = jnp.broadcast_to(jnp.eye(d, dtype=g.dtype)[None, :, None, :], (n, d, n, d))
            else:
                h_k = forward(layers, weights, inputs, 0, k)  # [n, d_k]
                to_feature = jax.vmap(jax.jacrev(lambda h: forward(layers, weights, h, k + 1, position)))(h_k)  # [n, d_ℓ, d_k]
                flat = to_feature.reshape(N, -1)
                product = (flat @ flat.T).reshape(n, d, n, d)
            return (product * sample_gram[:, None, :, None]).reshape(N, N)
        return term

    make = jacobian_term if method == "jacobian" else structured_term
    programs, compile_seconds = [], 0.0
    gram_shape = jax.ShapeDtypeStruct((N, N), DTYPE)
    for k in range(position + 1):
        rate = layers[k].learning_rate
        term = make(k)

        def accumulate(gram, weights, inputs, term=term, rate=rate):
            return gram + rate * term(weights, inputs)

        started = time.perf_counter()
        programs.append(jax.jit(accumulate, donate_argnums=0).lower(gram_shape, weights, inputs).compile())
        compile_seconds += time.perf_counter() - started
    return programs, compile_seconds


def eigenvalues(gram, eigensolver: str):
    """All eigenvalues, ascending, as a float64 NumPy array; returns (values, seconds, compile seconds). Consumes `gram`."""
    if eigensolver == "jax":
        started = time.perf_counter()
        program = jax.jit(jnp.linalg.eigvalsh).lower(jax.ShapeDtypeStruct(gram.shape, gram.dtype)).compile()
        compile_seconds = time.perf_counter() - started
        started = time.perf_counter()
        values = np.asarray(program(gram).block_until_ready(), dtype=np.float64)
        return values, time.perf_counter() - started, compile_seconds
    import scipy.linalg

    started = time.perf_counter()
    host = np.array(gram)  # writable copy; the Gram is symmetric, so its transpose is the Fortran-ordered same matrix
    gram.delete()
    values = scipy.linalg.eigh(host.T, eigvals_only=True, driver="evd", overwrite_a=True, check_finite=False)
    return np.asarray(values, dtype=np.float64), time.perf_counter() - started, 0.0


# ----------------------------------------------------------------------------------------------
# Reference for --check: NumPy float64, central differences, independent of JAX


def reference_gram(workload, weights64, inputs64, position: int) -> np.ndarray:
    """Σ_k η_k J_k J_kᵀ with every column of J_k a central difference of F_ℓ in one weight entry.

    ReLU and identity networks are affine in each single weight entry as long as no pre-activation
    changes sign, so with a step of 1e-6 the differences are exact up to rounding (~1e-10 relative).
    Columns are batched: perturbing W_k[r, c] moves only column r of F_k, by ±h·s_k·G_{k-1}[:, c].
    """
    layers = workload.layers
    n = workload.batch_size

    def numpy_forward(h, start, stop):
        for index in range(start, stop + 1):
            layer = layers[index]
            z = np.maximum(h, 0) if layer.input_activation == "relu" else h
            y = layer.multiplier * (z @ weights64[index].T)
            h = y if layer.residual_scale is None else h + layer.residual_scale * y
        return h

    step = 1e-6
    N = n * layers[position].fan_out
    gram = np.zeros((N, N))
    for k in range(position + 1):
        h_before = numpy_forward(inputs64, 0, k - 1) if k > 0 else inputs64
        g = np.maximum(h_before, 0) if layers[k].input_activation == "relu" else h_before  # [n, fan_in]
        f_k = numpy_forward(h_before, k, k)  # [n, fan_out]
        fan_out, fan_in = layers[k].fan_out, layers[k].fan_in
        columns = np.empty((N, fan_out * fan_in))
        chunk = max(1, 2**22 // (n * fan_out))
        entries = np.arange(fan_out * fan_in)
        for begin in range(0, len(entries), chunk):
            rows, cols = np.divmod(entries[begin:begin + chunk], fan_in)  # entry e = (r, c) of W_k, row-major
            shift = np.zeros((len(rows), n, fan_out))
            shift[np.arange(len(rows)), :, rows] = step * weight_scale(layers[k]) * g[:, cols].T
            plus = numpy_forward(f_k[None] + shift, k + 1, position)
            minus = numpy_forward(f_k[None] - shift, k + 1, position)
            columns[:, begin:begin + len(rows)] = ((plus - minus) / (2 * step)).reshape(len(rows), N).T
        gram += layers[k].learning_rate * (columns @ columns.T)
    return gram


# ----------------------------------------------------------------------------------------------


def as_array(tensor: common.RawTensor) -> np.ndarray:
    return np.frombuffer(tensor.data, dtype={"F32": "<f4", "F64": "<f8"}[tensor.dtype]).reshape(tensor.shape)


def measure_layer(workload, label: str, position: int, weights, inputs, check: bool) -> dict:
    itemsize = np.dtype(DTYPE).itemsize
    layers = workload.layers
    facts = estimate(workload, position, arguments.method, arguments.eigensolver, itemsize)
    record = {"layer": label, "layer_name": layers[position].name, "position": position, **facts}
    limit = arguments.memory_limit_gb * 1e9
    if facts["estimated_peak_bytes"] > limit:
        needed = facts["estimated_peak_bytes"] / 1e9
        record["skipped"] = f"needs {needed:.1f} GB" if needed >= 1 else f"needs {needed:.2f} GB"
        record["skip_reason"] = "memory"
        record["memory_limit_bytes"] = int(limit)
        return record
    if arguments.max_tflop is not None and facts["estimated_gflop"] > arguments.max_tflop * 1e3:
        record["skipped"] = f"needs {facts['estimated_gflop'] / 1e3:.3g} TFLOP (limit {arguments.max_tflop:g})"
        record["skip_reason"] = "work"
        return record
    if arguments.estimate_only:
        record["skipped"] = "--estimate-only"
        record["skip_reason"] = "estimate-only"
        return record
    gc.collect()
    remember_process_peak()
    common.reset_peak_rss()  # VmHWM restarts here, so the layer's peak is its own (and getrusage forgets the past: see process_peak_bytes)
    N = facts["dimension"]
    programs, compile_seconds = gram_programs(workload, weights, inputs, position, arguments.method)
    started = time.perf_counter()
    gram = jnp.zeros((N, N), DTYPE)
    for program in programs:
        gram = program(gram, weights, inputs)
    gram.block_until_ready()
    gram_seconds = time.perf_counter() - started
    if check:
        record["check"] = check_gram(workload, position, np.asarray(gram))
    values, eigen_seconds, eigen_compile_seconds = eigenvalues(gram, arguments.eigensolver)
    del gram
    compile_seconds += eigen_compile_seconds
    peak_kb = common.peak_rss_kb()
    record.update(
        lambda_min=float(values[0]),
        lambda_max=float(values[-1]),
        m1=float(np.mean(values)),  # tr(K)/N
        m2=float(np.mean(values**2)),  # tr(K²)/N
        seconds=gram_seconds + eigen_seconds,
        gram_seconds=gram_seconds,
        eigen_seconds=eigen_seconds,
        compile_seconds=compile_seconds,
        seconds_with_compile=gram_seconds + eigen_seconds + compile_seconds,
        peak_rss_bytes=peak_kb * 1024 if peak_kb else None,  # VmHWM since this layer started (restarted via clear_refs)
    )
    if record.get("check", {}).get("passed") is not None:
        reference = record["check"].pop("eigenvalues")
        record["check"]["lambda_min_reference"], record["check"]["lambda_max_reference"] = float(reference[0]), float(reference[-1])
        scale = max(abs(reference[-1]), 1e-300)
        record["check"]["eigenvalue_error_over_lambda_max"] = float(max(abs(values[0] - reference[0]), abs(values[-1] - reference[-1])) / scale)
    return record


PROCESS_PEAK_KB = [0]


def remember_process_peak() -> None:
    """Keeps the high-water mark before `common.reset_peak_rss` restarts it."""
    PROCESS_PEAK_KB[0] = max(PROCESS_PEAK_KB[0], common.peak_rss_kb() or 0)


def process_peak_bytes() -> int:
    """Peak RSS of the whole run. Linux's getrusage(RUSAGE_SELF).ru_maxrss reads the same high-water mark
    that clear_refs restarts, so it alone would miss a peak reached before the last restart."""
    remember_process_peak()
    return max(PROCESS_PEAK_KB[0], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024  # both KiB on Linux


def check_gram(workload, position: int, gram: np.ndarray) -> dict:
    N, P = gram.shape[0], sum(layer.fan_in * layer.fan_out for layer in workload.layers[: position + 1])
    if N * P > CHECK_MAX_ELEMENTS:
        return {"passed": None, "note": f"not checked: the reference Jacobian would have N·P = {N * P} > {CHECK_MAX_ELEMENTS} entries"}
    weights64 = [as_array(w).astype(np.float64) for w in workload.weights]
    reference = reference_gram(workload, weights64, as_array(workload.inputs).astype(np.float64), position)
    scale = np.max(np.abs(reference))
    error = float(np.max(np.abs(gram.astype(np.float64) - reference)) / scale)
    tolerance = 1e-9 if arguments.x64 else 1e-5
    return {"reference": "numpy float64 central differences", "max_abs_error_over_max_abs": error, "tolerance": tolerance,
            "passed": error <= tolerance, "eigenvalues": np.linalg.eigvalsh(reference)}


def main() -> int:
    # stdout carries exactly one JSON object: send everything else (XLA, warnings) to stderr.
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    started = time.perf_counter()
    try:
        workload = common.load_workload(arguments.workload)
        positions = feature_positions(workload, [label.strip() for label in arguments.layers.split(",") if label.strip()])
    except (common.WorkloadError, KeyError, ValueError) as error:
        print(f"kernel_jax.py: error: {error}", file=sys.stderr)
        return 2
    if not positions:
        print("kernel_jax.py: error: --layers names no layer", file=sys.stderr)
        return 2
    weights = tuple(jnp.asarray(as_array(w).astype(DTYPE)) for w in workload.weights)
    inputs = jnp.asarray(as_array(workload.inputs).astype(DTYPE))
    results = []
    for label, position in positions:
        results.append(measure_layer(workload, label, position, weights, inputs, arguments.check))
        print(f"kernel_jax.py: {label}: {json.dumps(results[-1])}", file=sys.stderr, flush=True)
    import jaxlib

    report = {
        "implementation": "jax-dense-gram",
        "method": METHODS[arguments.method],
        "eigensolver": "jnp.linalg.eigvalsh" if arguments.eigensolver == "jax" else "scipy.linalg.eigh(eigvals_only=True, driver=evd)",
        "workload": workload.name,
        "batch_size": workload.batch_size,
        "threads": arguments.threads,
        "dtype": "float64" if arguments.x64 else "float32",
        "memory_limit_bytes": int(arguments.memory_limit_gb * 1e9),
        "layers": results,
        "peak_rss_bytes": process_peak_bytes(),
        "total_seconds": time.perf_counter() - started,
        "jax_version": jax.__version__,
        "jaxlib_version": jaxlib.__version__,
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
    }
    out.write(json.dumps(report, allow_nan=False) + "\n")
    out.flush()
    checks = [r["check"]["passed"] for r in results if "check" in r]
    return 1 if any(passed is False for passed in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
