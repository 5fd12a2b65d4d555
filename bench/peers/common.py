"""Shared plumbing of the benchmark's peer implementations (PyTorch, JAX, NumPy).

Three things live here, so that each peer file holds only its model code:

* the workload directory (`workload.json`, `weights.safetensors`, `batch.safetensors`) that
  `featurespeed bench export` writes and `make_workload.py` imitates;
* a dependency-free safetensors reader and writer (struct + json; no `safetensors` package);
* the worker protocol: one JSON command per stdin line, one JSON answer per stdout line.

Nothing here imports numpy, torch or jax, so a peer whose framework is missing fails on its
own import with a clear message instead of here. Tensors are returned as `RawTensor` (dtype,
shape, little-endian bytes); each peer turns them into its own array type.

Model semantics (identical in every implementation, FeatureSpeed included), per layer in order:
    z = relu(h) if layer.input_activation == "relu" else h
    y = layer.multiplier * z @ W.T                    # W is [fan_out, fan_in]
    h = y if layer.residual_scale is None else h + layer.residual_scale * y
The feature F_l is h after layer l; the loss is mean softmax cross-entropy of the last h;
SGD: W -= layer.learning_rate * dLoss/dW.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import struct
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

VARIANTS = ("train", "diag", "diag-forward")

# ----------------------------------------------------------------------------------------------
# Safetensors (https://github.com/huggingface/safetensors#format)
#
#   [8 bytes]  N, header length, u64 little-endian
#   [N bytes]  JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}
#              (space-padded so that the data section is 8-byte aligned)
#   [rest]     data; offsets are relative to the start of this section

# Bytes per element and the struct/numpy format character, for the dtypes the benchmark uses.
SAFETENSORS_DTYPES = {
    "F32": (4, "f"),
    "F64": (8, "d"),
    "I32": (4, "i"),
    "I64": (8, "q"),
}


class WorkloadError(Exception):
    """A workload directory or safetensors file that cannot be used; the message says how to fix it."""


@dataclass
class RawTensor:
    """One tensor as stored: dtype name ("F32", "I64"), shape, and little-endian bytes."""

    dtype: str
    shape: tuple[int, ...]
    data: bytes

    @property
    def count(self) -> int:
        return math.prod(self.shape)


def read_safetensors(path: Path) -> dict[str, RawTensor]:
    """Reads every tensor of a safetensors file (metadata is ignored)."""
    if sys.byteorder != "little":
        raise WorkloadError("safetensors data is little-endian; this reader supports little-endian hosts only")
    try:
        blob = Path(path).read_bytes()
    except OSError as error:
        raise WorkloadError(f"cannot read {path}: {error.strerror}. Re-export the workload.") from error
    if len(blob) < 8:
        raise WorkloadError(f"{path} is {len(blob)} bytes long, too short for a safetensors file")
    (header_length,) = struct.unpack_from("<Q", blob, 0)
    if 8 + header_length > len(blob):
        raise WorkloadError(f"{path}: header length {header_length} runs past the end of the file ({len(blob)} bytes)")
    try:
        header = json.loads(blob[8 : 8 + header_length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise WorkloadError(f"{path}: the header is not valid JSON ({error})") from error
    data = memoryview(blob)[8 + header_length :]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype, shape, (begin, end) = entry["dtype"], tuple(entry["shape"]), entry["data_offsets"]
        if dtype not in SAFETENSORS_DTYPES:
            raise WorkloadError(f"{path}: tensor '{name}' has dtype {dtype}; expected one of {', '.join(SAFETENSORS_DTYPES)}")
        expected = math.prod(shape) * SAFETENSORS_DTYPES[dtype][0]
        if end - begin != expected or end > len(data) or begin < 0:
            raise WorkloadError(
                f"{path}: tensor '{name}' of shape {list(shape)} and dtype {dtype} needs {expected} bytes "
                f"but data_offsets are [{begin}, {end}] in a {len(data)}-byte data section"
            )
        tensors[name] = RawTensor(dtype, shape, bytes(data[begin:end]))
    return tensors


def write_safetensors(path: Path, tensors: dict[str, RawTensor], metadata: dict[str, str] | None = None) -> None:
    """Writes `tensors` in insertion order, with the header padded to 8 bytes as FeatureSpeed does."""
    header: dict[str, Any] = {}
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    offset = 0
    for name, tensor in tensors.items():
        header[name] = {"dtype": tensor.dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(tensor.data)]}
        offset += len(tensor.data)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-(8 + len(encoded)) % 8)
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(encoded)))
        file.write(encoded)
        for tensor in tensors.values():
            file.write(tensor.data)


# ----------------------------------------------------------------------------------------------
# Workload directory


@dataclass
class Layer:
    """One weight matrix and how it enters the network (see the module docstring)."""

    name: str
    fan_in: int
    fan_out: int
    input_activation: str  # "identity" or "relu"
    multiplier: float
    learning_rate: float
    residual_scale: float | None


@dataclass
class Workload:
    """A workload directory: architecture, initial weights and the fixed batch."""

    name: str
    batch_size: int
    input_dim: int
    classes: int
    train_flops: int
    layers: list[Layer]
    weights: list[RawTensor]  # layer order, each [fan_out, fan_in] F32
    inputs: RawTensor  # [batch, input_dim] F32
    targets: RawTensor  # [batch] I64
    description: dict  # workload.json as read


def load_workload(directory: str | Path) -> Workload:
    """Reads and checks a workload directory (shapes, dtypes, layer chaining)."""
    directory = Path(directory)
    try:
        description = json.loads((directory / "workload.json").read_text())
    except OSError as error:
        raise WorkloadError(
            f"no workload.json in {directory} ({error.strerror}). Create one with "
            f"`featurespeed bench export --workload mlp-1024x8 --output {directory}` or bench/peers/make_workload.py."
        ) from error
    layers = [
        Layer(
            name=entry["name"],
            fan_in=int(entry["fan_in"]),
            fan_out=int(entry["fan_out"]),
            input_activation=entry["input_activation"],
            multiplier=float(entry["multiplier"]),
            learning_rate=float(entry["learning_rate"]),
            residual_scale=None if entry.get("residual_scale") is None else float(entry["residual_scale"]),
        )
        for entry in description["layers"]
    ]
    for layer in layers:
        if layer.input_activation not in ("identity", "relu"):
            raise WorkloadError(f"layer {layer.name}: input_activation '{layer.input_activation}'; expected 'identity' or 'relu'")
        if layer.residual_scale is not None and layer.fan_in != layer.fan_out:
            raise WorkloadError(f"layer {layer.name} is residual but maps {layer.fan_in} → {layer.fan_out}; residual layers must be square")
    weights_file = read_safetensors(directory / "weights.safetensors")
    batch_file = read_safetensors(directory / "batch.safetensors")
    weights = []
    for layer in layers:
        key = f"{layer.name}.weight"
        tensor = weights_file.get(key)
        if tensor is None:
            raise WorkloadError(f"weights.safetensors has no tensor '{key}' (it has: {', '.join(weights_file)})")
        if tensor.dtype != "F32" or tensor.shape != (layer.fan_out, layer.fan_in):
            raise WorkloadError(f"'{key}' is {tensor.dtype} {list(tensor.shape)}; expected F32 [{layer.fan_out}, {layer.fan_in}]")
        weights.append(tensor)
    batch, input_dim = int(description["batch_size"]), int(description["input_dim"])
    inputs, targets = batch_file.get("inputs"), batch_file.get("targets")
    if inputs is None or inputs.dtype != "F32" or inputs.shape != (batch, input_dim):
        raise WorkloadError(f"batch.safetensors needs 'inputs' F32 [{batch}, {input_dim}]")
    if targets is None or targets.dtype != "I64" or targets.shape != (batch,):
        raise WorkloadError(f"batch.safetensors needs 'targets' I64 [{batch}]")
    width = input_dim
    for layer in layers:
        if layer.fan_in != width:
            raise WorkloadError(f"layer {layer.name} expects {layer.fan_in} inputs but the previous layer gives {width}")
        width = layer.fan_out
    if width != int(description["classes"]):
        raise WorkloadError(f"the last layer has {width} outputs but the workload has {description['classes']} classes")
    return Workload(
        name=description["name"],
        batch_size=batch,
        input_dim=input_dim,
        classes=int(description["classes"]),
        train_flops=int(description.get("train_flops", 0)),
        layers=layers,
        weights=weights,
        inputs=inputs,
        targets=targets,
        description=description,
    )


def train_flops(batch_size: int, layers: list[Layer]) -> int:
    """FLOPs of one plain SGD step by the benchmark's convention, 6·B·Σ fanIn·fanOut."""
    return 6 * batch_size * sum(layer.fan_in * layer.fan_out for layer in layers)


# ----------------------------------------------------------------------------------------------
# Worker protocol


class Model(Protocol):
    """What a peer implements; `serve` turns it into a protocol worker."""

    def reset(self) -> None:
        """Initial weights back; forget the last step's diagnostics."""

    def step(self) -> Any:
        """One complete step of the chosen variant, finished when it returns (JAX: block_until_ready).

        Returns the batch loss *before* the update, as anything `float()` accepts; it is
        converted after the timer stops so that the conversion is not timed.
        """

    def loss(self) -> float:
        """Batch loss at the current weights, no update."""

    def diagnostics(self) -> dict:
        """`{"bfa_cos": [...], "feature_update_rms": [...]}` of the last step; `{}` for `train`."""


def parse_worker_arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--workload", required=True, help="workload directory (featurespeed bench export)")
    parser.add_argument("--variant", required=True, choices=VARIANTS)
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads (the orchestrator also pins the process)")
    arguments = parser.parse_args()
    if arguments.threads < 1:
        parser.error("--threads must be at least 1")
    return arguments


def limit_native_threads(threads: int) -> None:
    """Sets the thread-count variables that BLAS/OpenMP libraries read at load time.

    Must run before numpy/torch/jax are imported; values the orchestrator already set win.
    """
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, str(threads))
    if threads == 1:
        os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
    os.environ.setdefault("JAX_PLATFORMS", "cpu")


def peak_rss_kb() -> int | None:
    """VmHWM of this process (Linux); None where /proc is unavailable."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_rss() -> None:
    """Restarts VmHWM at the current RSS (Linux ≥ 4.0), so that the peak covers the steps after a
    `reset`, not the loading; FeatureSpeed's worker does the same."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


def finite_or_none(values) -> list:
    """JSON has no NaN/Infinity; a diagnostic that is not finite is sent as null."""
    return [float(v) if math.isfinite(float(v)) else None for v in values]


def serve(implementation: str, version: str, threads: int, model: Model, extra: dict | None = None) -> None:
    """Runs the worker protocol on stdin/stdout until `quit` or end of input.

    stdout is reserved for protocol lines: file descriptor 1 is redirected to stderr so that
    anything a library prints (warnings, C-level logging) cannot corrupt the stream.
    """
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def reply(message: dict) -> None:
        protocol.write(json.dumps(message, allow_nan=False) + "\n")
        protocol.flush()

    reply({"ready": True, "implementation": implementation, "version": version, "threads": threads, **(extra or {})})
    handlers: dict[str, Callable[[dict], dict]] = {
        "reset": lambda command: reset(model),
        "steps": lambda command: run_steps(model, command),
        "loss": lambda command: {"loss": float(model.loss())},
        "diagnostics": lambda command: model.diagnostics(),
        "memory": lambda command: {"peak_rss_kb": peak_rss_kb()},
    }
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            command = json.loads(line)
        except json.JSONDecodeError:
            reply({"error": f"not a JSON command: {line[:200]!r}"})
            continue
        name = command.get("cmd") if isinstance(command, dict) else None
        if name == "quit":
            protocol.close()
            return
        handler = handlers.get(name)
        if handler is None:
            reply({"error": f"unknown command {name!r}; expected one of: {', '.join([*handlers, 'quit'])}"})
            continue
        try:
            reply(handler(command))
        except Exception as error:  # the orchestrator reports it; the worker stays alive
            reply({"error": f"{type(error).__name__}: {error}"})


def reset(model: Model) -> dict:
    model.reset()
    gc.collect()
    reset_peak_rss()
    return {"ok": True}


def run_steps(model: Model, command: dict) -> dict:
    count = command.get("count")
    if not isinstance(count, int) or count < 0:
        raise ValueError(f"'steps' needs a non-negative integer 'count', got {count!r}")
    times_ms, losses = [], []
    # As timeit does: no garbage-collector pauses inside timed steps.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(count):
            start = time.perf_counter()
            loss = model.step()
            elapsed = time.perf_counter() - start
            times_ms.append(elapsed * 1e3)
            losses.append(float(loss))
    finally:
        if gc_was_enabled:
            gc.enable()
    return {"times_ms": times_ms, "losses": finite_or_none(losses)}
