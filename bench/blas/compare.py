#!/usr/bin/env python3
"""Debian's OpenBLAS against other BLAS libraries at the shapes FeatureSpeed calls.

    bench/.venv-blas/bin/python bench/blas/compare.py [--quick] [--json FILE] [--markdown FILE]
        [--rounds R] [--threads 1,2] [--libraries debian,numpy,blis]
        [--debian-lib PATH] [--numpy-lib PATH] [--blis-lib PATH]

Libraries (each loaded with ctypes, called through its CBLAS interface, row-major like FeatureSpeed):
  debian  Debian's OpenBLAS (libopenblas0-pthread, the library FeatureSpeed links), LP64 symbols
          cblas_sgemm, openblas_set_num_threads;
  numpy   the OpenBLAS bundled in NumPy's wheel (scipy-openblas), ILP64 with prefixed symbols
          scipy_cblas_sgemm64_, scipy_openblas_set_num_threads64_ (found next to numpy/);
  blis    Debian's BLIS (libblis4-pthread), LP64 cblas_sgemm, bli_thread_set_num_threads.

One invocation:
  1. starts one worker process per (library, thread count); a worker pins itself with
     os.sched_setaffinity (1 thread: CPU 0; 2 threads: CPUs 0,1) before it loads anything, so every
     thread the library creates inherits the pinning, then loads its library, sets its thread count
     and reads back the count, the version and the core (kernel family) it dispatched to;
  2. checks every (library, thread count, shape) result: sampled entries against an exactly rounded
     float64 dot product (math.fsum, no BLAS involved), relative to sum |a||b| of that entry, and the
     whole result against every other worker's (max |C1 - C2| / max |C1|); a failed check stops the
     run (exit 1) before any timing, so a wrong binding cannot produce a number;
  3. picks a repetition count per (shape, thread count) from Debian's OpenBLAS so that one
     measurement lasts about --target seconds; all libraries use the same count;
  4. times R rounds; in each round, for each thread count and shape, every library in turn (the order
     rotates by one each round: A B C, B C A, C A B, ...): one untimed warm-up call, then each of the
     repetitions timed alone (time.perf_counter_ns around the ctypes call). After a multi-threaded
     measurement it sleeps --settle seconds: OpenBLAS's idle pool threads spin for about 0.1 s after
     a call and would otherwise take a core from the next library;
  5. reports, per (library, shape, thread count), the median over rounds of the per-round median
     call time, GFLOP/s from it, the spread of the round medians, and the speed relative to Debian's
     OpenBLAS (t_debian / t_library) as the median over rounds of the same-round ratio; and, for the
     fast calls, the 10th percentile of every call over all rounds (other processes only ever slow a
     call down, so the fast calls are the nearest a shared machine comes to an idle one);
  6. writes JSON (every per-call time) and a markdown table.

Exit status: 0 ran; 1 a numerical check failed (or a worker crashed during the checks); 2 Debian's
OpenBLAS (the baseline) cannot be loaded; 3 a worker died while timing; 64 bad options. Libraries other than the baseline that cannot be loaded are reported as missing.
Needs Python 3 and NumPy (buffers, random inputs, .npy files); no BLAS call goes through NumPy.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import glob
import importlib.util
import json
import math
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

EXIT_CHECK, EXIT_BASELINE, EXIT_WORKER, EXIT_USAGE = 1, 2, 3, 64

# CBLAS enum values (identical in OpenBLAS's and BLIS's cblas.h).
ROW_MAJOR, NO_TRANS, TRANS, UPPER, LEFT = 101, 111, 112, 121, 141

LIBRARIES = ("debian", "numpy", "blis")
BASELINE = "debian"
DEFAULT_PATHS = {
    "debian": "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
    "blis": "/usr/lib/x86_64-linux-gnu/blis-pthread/libblis.so.4",
}
DEBIAN_PACKAGES = {"debian": "libopenblas0-pthread", "blis": "libblis4-pthread"}
LABELS = {"debian": "Debian OpenBLAS", "numpy": "NumPy's OpenBLAS", "blis": "Debian BLIS"}

TOLERANCE = {"float32": 1e-4, "float64": 1e-12}
SAMPLES = 64  # entries per result checked against the exact reference
GARBAGE = 1.0e3  # written into the lower triangle of the symm matrix, which must not be read
ENV_WATCH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS",
             "OMP_NUM_THREADS", "BLIS_NUM_THREADS", "BLIS_ARCH_TYPE", "OPENBLAS_VERBOSE")


# --------------------------------------------------------------------------------------------------
# Shapes


@dataclass(frozen=True)
class Shape:
    name: str
    routine: str  # sgemm, dgemm, ssyrk, ssymm
    m: int
    n: int
    k: int  # gemm: M, N, K; syrk: n = m, k; symm: m (order of S), n (columns of B), k unused
    trans_a: bool = False
    trans_b: bool = False
    role: str = ""

    @property
    def dtype(self) -> str:
        return "float64" if self.routine.startswith("d") else "float32"

    @property
    def flops(self) -> int:
        if self.routine.endswith("gemm"):
            return 2 * self.m * self.n * self.k
        if self.routine == "ssyrk":  # upper triangle with the diagonal, 2k flops per entry
            return self.m * (self.m + 1) * self.k
        if self.routine == "ssymm":  # left side: (m × m) · (m × n)
            return 2 * self.m * self.m * self.n
        raise ValueError(self.routine)

    @property
    def call(self) -> str:
        if self.routine.endswith("gemm"):
            ops = ("T" if self.trans_a else "N") + ("T" if self.trans_b else "N")
            return f"{self.routine} {ops} {self.m}×{self.n}×{self.k}"
        if self.routine == "ssyrk":
            return f"ssyrk U,N n={self.m} k={self.k}"
        return f"ssymm L,U {self.m}×{self.n}"


B, W = 256, 1024  # MLP batch and width
SHAPES = (
    Shape("square", "sgemm", 1024, 1024, 1024, role="yardstick"),
    Shape("square-f64", "dgemm", 1024, 1024, 1024, role="yardstick, double"),
    Shape("forward", "sgemm", B, W, W, trans_b=True, role="Y = G·Wᵀ"),
    Shape("input-grad", "sgemm", B, W, W, role="dG = dY·W"),
    Shape("weight-grad", "sgemm", W, W, B, trans_a=True, role="dW = dYᵀ·G"),
    Shape("output", "sgemm", B, 10, W, trans_b=True, role="output layer"),
    Shape("probe-32", "sgemm", 32, W, W, trans_b=True, role="probe rows · Wᵀ"),
    Shape("probe-64", "sgemm", 64, W, W, trans_b=True, role="probe rows · Wᵀ"),
    Shape("gram-syrk", "ssyrk", B, B, W, role="batch Gram G·Gᵀ"),
    Shape("gram-gemm", "sgemm", B, B, W, trans_b=True, role="batch Gram G·Gᵀ"),
    Shape("gram-symm", "ssymm", B, W, B, role="Gram · (256×1024)"),
    Shape("gram-symm-gemm", "sgemm", B, W, B, role="Gram · (256×1024)"),
)
SHAPE_BY_NAME = {s.name: s for s in SHAPES}


def make_inputs(shape: Shape):
    """Deterministic operands (the same in every process) as stored in memory, row-major."""
    import numpy as np

    seed = 20261207 + SHAPES.index(shape)
    rng = np.random.default_rng(seed)
    dt = np.float64 if shape.dtype == "float64" else np.float32
    normal = lambda rows, cols: rng.standard_normal((rows, cols), dtype=dt)  # noqa: E731
    if shape.routine.endswith("gemm"):
        m, n, k = shape.m, shape.n, shape.k
        if shape.name == "gram-gemm":
            a = normal(m, k)
            b = a  # G·Gᵀ: one buffer for both operands, as a Gram product has
        elif shape.name == "gram-symm-gemm":
            a = symmetric(rng, m).astype(dt)
            b = normal(k, n)
        else:
            a = normal(k, m) if shape.trans_a else normal(m, k)
            b = normal(n, k) if shape.trans_b else normal(k, n)
        c = np.zeros((m, n), dtype=dt)
        return {"a": a, "b": b, "c": c}
    if shape.routine == "ssyrk":
        a = normal(shape.m, shape.k)
        return {"a": a, "c": np.zeros((shape.m, shape.m), dtype=dt)}
    if shape.routine == "ssymm":
        s = symmetric(rng, shape.m).astype(dt)
        s[np.tril_indices(shape.m, -1)] = GARBAGE  # only the upper triangle may be read
        b = normal(shape.m, shape.n)
        return {"a": s, "b": b, "c": np.zeros((shape.m, shape.n), dtype=dt)}
    raise ValueError(shape.routine)


def symmetric(rng, m):
    x = rng.standard_normal((m, m))
    return (x + x.T) / 2


def logical_operands(shape: Shape, inputs):
    """op(A) (M×K) and op(B) (K×N) as float64 views, for the reference entries."""
    import numpy as np

    a = inputs["a"].astype(np.float64)
    if shape.routine.endswith("gemm"):
        b = inputs["b"].astype(np.float64)
        return (a.T if shape.trans_a else a), (b.T if shape.trans_b else b)
    if shape.routine == "ssyrk":
        return a, a.T
    upper = np.triu(a)
    full = upper + np.triu(a, 1).T  # the symmetric matrix the upper triangle defines
    return full, inputs["b"].astype(np.float64)


def sample_indices(shape: Shape, rows: int, cols: int):
    import numpy as np

    rng = np.random.default_rng(7 + SHAPES.index(shape))
    picks = []
    while len(picks) < SAMPLES:
        i, j = int(rng.integers(rows)), int(rng.integers(cols))
        if shape.routine == "ssyrk" and i > j:
            i, j = j, i  # syrk writes the upper triangle only
        picks.append((i, j))
    picks += [(0, 0), (rows - 1, cols - 1)]
    return picks


# --------------------------------------------------------------------------------------------------
# Worker: one library, one thread count, pinned


def pin_all_threads(cpus):
    for tid in os.listdir("/proc/self/task"):
        try:
            os.sched_setaffinity(int(tid), cpus)
        except OSError:
            pass


def thread_affinities():
    out = {}
    for tid in sorted(os.listdir("/proc/self/task"), key=int):
        try:
            out[tid] = sorted(os.sched_getaffinity(int(tid)))
        except OSError:
            pass
    return out


class Binding:
    """The CBLAS routines and thread control of one library, through ctypes."""

    def __init__(self, name: str, path: str, threads: int):
        self.name, self.path = name, path
        self.lib = ctypes.CDLL(path)
        info = {"path": path, "realpath": os.path.realpath(path)}
        if name == "numpy":
            prefix, suffix = self._scipy_naming()
            self.int = ctypes.c_int64 if suffix.endswith("64_") else ctypes.c_int
            sym = lambda base: f"{prefix}{base}{suffix}"  # noqa: E731
            self.fn = {r: getattr(self.lib, sym("cblas_" + r)) for r in ("sgemm", "dgemm", "ssyrk", "ssymm")}
            set_threads = getattr(self.lib, sym("openblas_set_num_threads"))
            get_threads = getattr(self.lib, sym("openblas_get_num_threads"))
            corename = getattr(self.lib, sym("openblas_get_corename"))
            config = getattr(self.lib, sym("openblas_get_config"))
            info["symbols"] = {"sgemm": sym("cblas_sgemm"), "set_threads": sym("openblas_set_num_threads")}
        else:
            self.int = ctypes.c_int
            self.fn = {r: getattr(self.lib, "cblas_" + r) for r in ("sgemm", "dgemm", "ssyrk", "ssymm")}
            info["symbols"] = {"sgemm": "cblas_sgemm"}
        info["blas_int_bits"] = 8 * ctypes.sizeof(self.int)
        if name in ("debian", "numpy"):
            if name == "debian":
                set_threads, get_threads = self.lib.openblas_set_num_threads, self.lib.openblas_get_num_threads
                corename, config = self.lib.openblas_get_corename, self.lib.openblas_get_config
                info["symbols"]["set_threads"] = "openblas_set_num_threads"
            set_threads.argtypes, set_threads.restype = [ctypes.c_int], None
            get_threads.argtypes, get_threads.restype = [], ctypes.c_int
            corename.restype = config.restype = ctypes.c_char_p
            set_threads(threads)
            info["threads"] = get_threads()
            info["core"] = corename().decode()
            info["config"] = config().decode().strip()
            info["version"] = info["config"].split()[1] if info["config"].startswith("OpenBLAS") else ""
            if name == "numpy" and "USE64BITINT" not in info["config"] and self.int is ctypes.c_int64:
                raise RuntimeError("64-bit symbols but the library does not say USE64BITINT")
        else:  # BLIS: dim_t is a 64-bit integer
            lib = self.lib
            lib.bli_thread_set_num_threads.argtypes, lib.bli_thread_set_num_threads.restype = [ctypes.c_int64], None
            lib.bli_thread_get_num_threads.argtypes, lib.bli_thread_get_num_threads.restype = [], ctypes.c_int64
            lib.bli_info_get_version_str.restype = ctypes.c_char_p
            lib.bli_arch_query_id.restype = ctypes.c_int
            lib.bli_arch_string.argtypes, lib.bli_arch_string.restype = [ctypes.c_int], ctypes.c_char_p
            lib.bli_thread_set_num_threads(threads)
            info["threads"] = int(lib.bli_thread_get_num_threads())
            info["core"] = lib.bli_arch_string(lib.bli_arch_query_id()).decode()
            info["version"] = lib.bli_info_get_version_str().decode()
            info["pthreads"] = bool(lib.bli_info_get_enable_pthreads())
            info["symbols"]["set_threads"] = "bli_thread_set_num_threads"
        if info["threads"] != threads:
            raise RuntimeError(f"asked for {threads} threads, the library reports {info['threads']}")
        self.info = info
        self._declare()

    def _scipy_naming(self):
        for prefix, suffix in (("scipy_", "64_"), ("", "64_"), ("scipy_", ""), ("", "")):
            if hasattr(self.lib, f"{prefix}cblas_sgemm{suffix}"):
                return prefix, suffix
        raise RuntimeError(f"no cblas_sgemm in {self.path}")

    def _declare(self):
        e, i, p, f, d = ctypes.c_int, self.int, ctypes.c_void_p, ctypes.c_float, ctypes.c_double
        self.fn["sgemm"].argtypes = [e, e, e, i, i, i, f, p, i, p, i, f, p, i]
        self.fn["dgemm"].argtypes = [e, e, e, i, i, i, d, p, i, p, i, d, p, i]
        self.fn["ssyrk"].argtypes = [e, e, e, i, i, f, p, i, f, p, i]
        self.fn["ssymm"].argtypes = [e, e, e, i, i, f, p, i, p, i, f, p, i]
        for fn in self.fn.values():
            fn.restype = None

    def bind(self, shape: Shape, x):
        """A no-argument callable doing the shape's product on the arrays in x, as FeatureSpeed calls it."""
        fn = self.fn[shape.routine]
        a, c = x["a"].ctypes.data, x["c"].ctypes.data
        if shape.routine.endswith("gemm"):
            b = x["b"].ctypes.data
            args = (ROW_MAJOR, TRANS if shape.trans_a else NO_TRANS, TRANS if shape.trans_b else NO_TRANS,
                    shape.m, shape.n, shape.k, 1.0, a, x["a"].shape[1], b, x["b"].shape[1], 0.0, c, shape.n)
        elif shape.routine == "ssyrk":
            args = (ROW_MAJOR, UPPER, NO_TRANS, shape.m, shape.k, 1.0, a, shape.k, 0.0, c, shape.m)
        else:
            b = x["b"].ctypes.data
            args = (ROW_MAJOR, LEFT, UPPER, shape.m, shape.n, 1.0, a, shape.m, b, shape.n, 0.0, c, shape.n)
        return lambda: fn(*args)


def worker_main(args) -> int:
    cpus = set(range(args.threads))
    os.sched_setaffinity(0, cpus)  # before any library creates a thread: they all inherit it
    import numpy as np

    out = sys.stdout
    try:
        binding = Binding(args.worker, args.path, args.threads)
    except Exception as error:  # noqa: BLE001 - reported to the orchestrator
        print(json.dumps({"ready": False, "error": f"{type(error).__name__}: {error}"}), file=out, flush=True)
        return 0
    pin_all_threads(cpus)  # and any thread created at load, for certain
    inputs = {s.name: make_inputs(s) for s in SHAPES}
    calls = {s.name: binding.bind(s, inputs[s.name]) for s in SHAPES}
    info = dict(binding.info, pid=os.getpid(), affinity=thread_affinities(), numpy=np.__version__)
    print(json.dumps({"ready": True, "info": info}), file=out, flush=True)
    clock = time.perf_counter_ns
    for line in sys.stdin:
        request = json.loads(line)
        cmd = request.get("cmd")
        if cmd == "result":
            shape = SHAPE_BY_NAME[request["shape"]]
            inputs[shape.name]["c"][...] = 0
            calls[shape.name]()
            np.save(request["path"], inputs[shape.name]["c"])
            reply = {"ok": True}
        elif cmd == "time":
            call = calls[request["shape"]]
            for _ in range(request.get("warmup", 1)):
                call()
            times = []
            cpu0, wall0 = time.process_time_ns(), clock()
            for _ in range(request["reps"]):
                t0 = clock()
                call()
                times.append(clock() - t0)
            # CPU time of all the worker's threads per wall time: ~1 with one thread, up to 2 with two
            reply = {"times_ns": times, "cpu_per_wall": (time.process_time_ns() - cpu0) / max(clock() - wall0, 1)}
        elif cmd == "affinity":
            reply = {"affinity": thread_affinities()}
        elif cmd == "quit":
            return 0
        else:
            reply = {"error": f"unknown command {cmd!r}"}
        print(json.dumps(reply), file=out, flush=True)
    return 0


# --------------------------------------------------------------------------------------------------
# Orchestrator


class Worker:
    def __init__(self, library: str, path: str, threads: int):
        self.library, self.threads = library, threads
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", library, "--path", path,
                   "--threads", str(threads)]
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.info = None
        self.error = None

    def wait_ready(self):
        line = self.proc.stdout.readline()
        if not line:
            self.error = f"worker exited with {self.proc.wait()}"
            return
        hello = json.loads(line)
        if hello.get("ready"):
            self.info = hello["info"]
        else:
            self.error = hello.get("error", "not ready")

    def ask(self, **request):
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.library}/{self.threads}: worker died ({self.proc.wait()})")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"{self.library}/{self.threads}: {reply['error']}")
        return reply

    def cpu_ticks(self) -> int:
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])  # utime + stime of all its threads
        except OSError:
            return 0

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()


def find_numpy_openblas() -> str | None:
    spec = importlib.util.find_spec("numpy")
    if spec is None or spec.origin is None:
        return None
    site = Path(spec.origin).parent.parent
    hits = sorted(glob.glob(str(site / "numpy.libs" / "libscipy_openblas*.so*")))
    return hits[0] if hits else None


def system_busy_ticks() -> int:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in fields]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values[:8]) - idle


def command_output(command) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine_info() -> dict:
    lscpu = command_output(["lscpu"])
    model = next((line.split(":", 1)[1].strip() for line in lscpu.splitlines() if line.startswith("Model name")), "")
    flags = next((line.split(":", 1)[1].split() for line in lscpu.splitlines() if line.startswith("Flags")), [])
    return {
        "cpu_model": model or platform.processor(),
        "cpus": os.cpu_count(),
        "cpu_family": next((line.split(":", 1)[1].strip() for line in lscpu.splitlines()
                            if line.startswith("CPU family")), ""),
        "isa": [f for f in ("avx", "avx2", "fma", "avx512f") if f in flags],
        "hypervisor": next((line.split(":", 1)[1].strip() for line in lscpu.splitlines()
                            if line.startswith("Hypervisor vendor")), ""),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "loadavg_start": Path("/proc/loadavg").read_text().split()[:3],
        "environment": {k: os.environ[k] for k in ENV_WATCH if k in os.environ},
    }


def package_version(package: str) -> str:
    return command_output(["dpkg-query", "-W", "-f=${Version}", package])


def check_results(workers, shapes, tmp: Path, log):
    """Every worker's result: sampled entries against exact sums, and the whole against the others."""
    import numpy as np

    records, ok = [], True
    for shape in shapes:
        inputs = make_inputs(shape)
        op_a, op_b = logical_operands(shape, inputs)
        rows, cols = op_a.shape[0], op_b.shape[1]
        picks = sample_indices(shape, rows, cols)
        exact = [math.fsum(op_a[i, :] * op_b[:, j]) for i, j in picks]
        scale = [float(np.sum(np.abs(op_a[i, :] * op_b[:, j]))) for i, j in picks]
        results = {}
        for w in workers:
            path = tmp / f"{shape.name}-{w.library}-{w.threads}.npy"
            w.ask(cmd="result", shape=shape.name, path=str(path))
            c = np.load(path).astype(np.float64)
            if shape.routine == "ssyrk":
                c = np.triu(c)
            results[(w.library, w.threads)] = c
        tol = TOLERANCE[shape.dtype]
        for key, c in results.items():
            ref_err = max(abs(c[i, j] - e) / s for (i, j), e, s in zip(picks, exact, scale))
            cross = {}
            for other, d in results.items():
                if other != key:
                    cross[f"{other[0]}/{other[1]}"] = float(np.max(np.abs(c - d)) / max(np.max(np.abs(d)), 1e-300))
            passed = bool(ref_err <= tol and all(v <= tol for v in cross.values()) and np.all(np.isfinite(c)))
            ok &= passed
            records.append({"shape": shape.name, "library": key[0], "threads": key[1], "tolerance": tol,
                            "reference_error": ref_err, "max_cross_difference": max(cross.values(), default=0.0),
                            "cross": cross, "passed": passed})
            if not passed:
                log(f"CHECK FAILED {shape.name} {key[0]}/{key[1]}: reference {ref_err:.2e}, cross {cross}")
    return ok, records


def calibrate(worker, shapes, target, min_reps, max_reps):
    reps = {}
    for shape in shapes:
        probe = worker.ask(cmd="time", shape=shape.name, reps=3, warmup=1)["times_ns"]
        per_call = statistics.median(probe) / 1e9
        reps[shape.name] = max(min_reps, min(max_reps, math.ceil(target / max(per_call, 1e-7))))
    return reps


def quantile(values, q):
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


FAST_QUANTILE = 0.1  # "fast calls": the 10th percentile of every call over all rounds


def summarize(samples, libraries, shapes, thread_counts, rounds):
    """Per (library, shape, threads): the typical call (median over rounds of the round median) with its
    spread and its same-round ratio to the baseline, and the fast calls (10th percentile of all calls)."""
    rows = []
    for threads in thread_counts:
        for shape in shapes:
            base = samples.get((BASELINE, shape.name, threads))
            for lib in libraries:
                per_round = samples.get((lib, shape.name, threads))
                if not per_round:
                    continue
                medians = [statistics.median(t) / 1e9 for t in per_round]
                median = statistics.median(medians)
                calls = [t / 1e9 for block in per_round for t in block]
                fast = quantile(calls, FAST_QUANTILE)
                row = {
                    "library": lib, "shape": shape.name, "threads": threads, "rounds": len(medians),
                    "reps": len(per_round[0]), "median_s": median, "round_medians_s": medians,
                    "min_round_s": min(medians), "max_round_s": max(medians),
                    "spread": (max(medians) - min(medians)) / median,
                    "gflops": shape.flops / median / 1e9,
                    "fast_s": fast, "fast_gflops": shape.flops / fast / 1e9, "best_s": min(calls),
                }
                if base:
                    ratios = [statistics.median(b) / statistics.median(t) for b, t in zip(base, per_round)]
                    row["speed_vs_debian"] = {"median": statistics.median(ratios), "min": min(ratios),
                                              "max": max(ratios), "per_round": ratios}
                    base_fast = quantile([t / 1e9 for block in base for t in block], FAST_QUANTILE)
                    row["fast_speed_vs_debian"] = base_fast / fast
                rows.append(row)
    return rows


def markdown_report(report) -> str:
    libs = [lib for lib in report["libraries_order"] if report["libraries"][lib].get("loaded")]
    info = report["libraries"]
    settings = report["settings"]

    def head(lib):
        i = info[lib]
        return f"{LABELS[lib]} {i['version']} ({i['cores']})"

    lines = [
        f"CPU: {report['machine']['cpu_model']} ({report['machine']['cpus']} cores, "
        f"{report['machine']['hypervisor'] or 'no'} hypervisor); {settings['rounds']} rounds, "
        f"libraries interleaved (order rotating each round), mode {report['mode']}.",
        "",
        "Each cell: median call time, GFLOP/s, and speed relative to Debian's OpenBLAS in the same round "
        "(t_debian / t_library; > 1 is faster), median over rounds [min–max].",
        "",
        "| shape | call | thr | " + " | ".join(head(lib) for lib in libs) + " |",
        "|---|---|---|" + "---|" * len(libs),
    ]
    by_key = {(r["library"], r["shape"], r["threads"]): r for r in report["results"]}
    selected = [s for s in SHAPES if s.name in settings["shapes"]]
    for threads in settings["threads"]:
        for shape in selected:
            cells = []
            for lib in libs:
                r = by_key.get((lib, shape.name, threads))
                if r is None:
                    cells.append("—")
                    continue
                t = r["median_s"] * 1e3
                cell = f"{t:.3f} ms, {r['gflops']:.1f} GF/s" if t < 1 else f"{t:.2f} ms, {r['gflops']:.1f} GF/s"
                if lib != BASELINE and "speed_vs_debian" in r:
                    s = r["speed_vs_debian"]
                    cell += f", ×{s['median']:.2f} [{s['min']:.2f}–{s['max']:.2f}]"
                cells.append(cell)
            lines.append(f"| {shape.name} | {shape.call} | {threads} | " + " | ".join(cells) + " |")
    lines += ["", f"Fast calls: the {round(100 * FAST_QUANTILE)}th percentile of every call over all rounds "
              "(the nearest these runs come to an idle machine), GFLOP/s and speed relative to Debian's OpenBLAS:",
              "", "| shape | thr | " + " | ".join(head(lib) for lib in libs) + " |", "|---|---|" + "---|" * len(libs)]
    for threads in settings["threads"]:
        for shape in selected:
            cells = []
            for lib in libs:
                r = by_key.get((lib, shape.name, threads))
                if r is None:
                    cells.append("—")
                elif lib == BASELINE or "fast_speed_vs_debian" not in r:
                    cells.append(f"{r['fast_gflops']:.1f} GF/s")
                else:
                    cells.append(f"{r['fast_gflops']:.1f} GF/s, ×{r['fast_speed_vs_debian']:.2f}")
            lines.append(f"| {shape.name} | {threads} | " + " | ".join(cells) + " |")
    lines += ["", "Spread of the round medians ((max − min) / median), over all shapes:", "",
              "| library | threads | median spread | largest spread |", "|---|---|---|---|"]
    for lib in libs:
        for threads in settings["threads"]:
            spreads = [r["spread"] for r in report["results"] if r["library"] == lib and r["threads"] == threads]
            if spreads:
                lines.append(f"| {LABELS[lib]} | {threads} | {100 * statistics.median(spreads):.1f} % | "
                             f"{100 * max(spreads):.1f} % |")
    other = report.get("other_load", {})
    if other:
        lines += ["", f"CPU used by other processes during the timed rounds: {100 * other['mean']:.0f} % of the "
                  f"2 cores on average (per round {100 * other['min']:.0f}–{100 * other['max']:.0f} %)."]
    checks = report["checks"]
    worst_ref = max(c["reference_error"] for c in checks if c["tolerance"] == TOLERANCE["float32"])
    worst_cross = max(c["max_cross_difference"] for c in checks if c["tolerance"] == TOLERANCE["float32"])
    lines += ["", f"Numerical checks: {'all passed' if report['checks_passed'] else 'FAILED'} "
              f"({len(checks)} results; float32 worst sampled error {worst_ref:.1e} of Σ|a·b|, worst "
              f"difference between libraries {worst_cross:.1e} of max|C|)."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="seconds-long smoke run (2 rounds, few repetitions)")
    parser.add_argument("--json", type=Path, help="write the full report as JSON here")
    parser.add_argument("--markdown", type=Path, help="write the markdown table here")
    parser.add_argument("--rounds", type=int, help="rounds (default 10; --quick: 2)")
    parser.add_argument("--target", type=float, help="seconds per measurement (default 0.05; --quick: 0.004)")
    parser.add_argument("--settle", type=float, help="pause after a multi-threaded measurement (default 0.15 s; "
                        "--quick: 0.02)")
    parser.add_argument("--threads", default="1,2", help="thread counts (1: CPU 0; 2: CPUs 0,1)")
    parser.add_argument("--libraries", default=",".join(LIBRARIES), help="subset of " + ",".join(LIBRARIES))
    parser.add_argument("--shapes", default=",".join(s.name for s in SHAPES), help="subset of the shape names")
    parser.add_argument("--debian-lib", default=DEFAULT_PATHS["debian"])
    parser.add_argument("--numpy-lib", help="default: libscipy_openblas*.so in numpy.libs next to numpy")
    parser.add_argument("--blis-lib", default=DEFAULT_PATHS["blis"])
    parser.add_argument("--worker", choices=LIBRARIES, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        args.threads = int(args.threads)
        return worker_main(args)

    try:
        thread_counts = [int(t) for t in args.threads.split(",")]
        libraries = [lib for lib in args.libraries.split(",") if lib]
        shape_names = [s for s in args.shapes.split(",") if s]
        if any(t < 1 or t > (os.cpu_count() or 1) for t in thread_counts) or not thread_counts:
            raise ValueError(f"thread counts must be within 1..{os.cpu_count()}")
        if any(lib not in LIBRARIES for lib in libraries) or BASELINE not in libraries:
            raise ValueError(f"libraries must be among {LIBRARIES} and include {BASELINE}")
        if any(s not in SHAPE_BY_NAME for s in shape_names) or not shape_names:
            raise ValueError(f"shapes must be among {[s.name for s in SHAPES]}")
    except ValueError as error:
        print(f"compare.py: {error}", file=sys.stderr)
        return EXIT_USAGE
    shapes = [s for s in SHAPES if s.name in shape_names]
    rounds = args.rounds or (2 if args.quick else 10)
    target = args.target if args.target is not None else (0.004 if args.quick else 0.05)
    settle = args.settle if args.settle is not None else (0.02 if args.quick else 0.15)
    min_reps, max_reps = (2, 20) if args.quick else (5, 400)
    started = time.time()

    def log(message):
        print(f"[{time.time() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    paths = {"debian": args.debian_lib, "numpy": args.numpy_lib or find_numpy_openblas(), "blis": args.blis_lib}
    report = {
        "schema": "featurespeed-blas-compare/1",
        "command_line": " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]),
        "started": datetime.datetime.now().isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "machine": machine_info(),
        "settings": {"rounds": rounds, "target_s": target, "settle_s": settle, "threads": thread_counts,
                     "shapes": shape_names, "min_reps": min_reps, "max_reps": max_reps,
                     "affinity": {str(t): list(range(t)) for t in thread_counts},
                     "order": "per round, per thread count, per shape: every library, order rotated by one each round"},
        "shapes": [{"name": s.name, "routine": s.routine, "call": s.call, "m": s.m, "n": s.n, "k": s.k,
                    "trans_a": s.trans_a, "trans_b": s.trans_b, "dtype": s.dtype, "flops": s.flops, "role": s.role}
                   for s in shapes],
        "libraries_order": libraries,
        "libraries": {},
    }
    for name, value in report["machine"]["environment"].items():
        log(f"note: {name}={value} is set and applies to the libraries as it would to FeatureSpeed")

    workers = {}
    for lib in libraries:
        for threads in thread_counts:
            if paths[lib] is None or not os.path.exists(paths[lib]):
                continue
            workers[(lib, threads)] = Worker(lib, paths[lib], threads)
    for w in workers.values():
        w.wait_ready()
    for lib in libraries:
        mine = [w for (name, _), w in workers.items() if name == lib]
        entry = {"label": LABELS[lib], "path": paths[lib], "loaded": bool(mine) and all(w.info for w in mine)}
        if lib in DEBIAN_PACKAGES:
            entry["package"] = DEBIAN_PACKAGES[lib]
            entry["package_version"] = package_version(DEBIAN_PACKAGES[lib])
        if entry["loaded"]:
            first = mine[0].info
            for key in ("realpath", "version", "config", "symbols", "blas_int_bits", "pthreads"):
                if key in first:
                    entry[key] = first[key]
            entry["workers"] = {str(w.threads): w.info for w in mine}
            entry["cores"] = ", ".join(sorted({w.info["core"] for w in mine}))
            if lib == "numpy":
                entry["numpy"] = first["numpy"]
            log(f"{lib}: {entry.get('version')} core {entry['cores']}, threads "
                f"{[w.info['threads'] for w in mine]}, {entry['realpath']}")
        else:
            entry["error"] = "; ".join(filter(None, [w.error for w in mine])) or f"not found: {paths[lib]}"
            log(f"{lib}: missing ({entry['error']})")
            for key in [k for k in workers if k[0] == lib]:
                workers.pop(key).close()
        report["libraries"][lib] = entry
    if not report["libraries"][BASELINE]["loaded"]:
        log("Debian's OpenBLAS (the baseline) cannot be loaded")
        for w in workers.values():
            w.close()
        return EXIT_BASELINE
    libraries = [lib for lib in libraries if report["libraries"][lib]["loaded"]]

    exit_status = 0
    try:
        with tempfile.TemporaryDirectory(prefix="blas-compare-") as tmp:
            log(f"checking {len(shapes)} shapes × {len(workers)} workers")
            try:
                ok, report["checks"] = check_results(list(workers.values()), shapes, Path(tmp), log)
            except RuntimeError as error:  # a worker crashing on a call is a wrong binding too
                log(f"CHECK FAILED: {error}")
                ok, report["checks"] = False, [{"error": str(error), "passed": False}]
        report["checks_passed"] = ok
        if not ok:
            exit_status = EXIT_CHECK
        else:
            reps = {}
            for threads in thread_counts:
                for name, count in calibrate(workers[(BASELINE, threads)], shapes, target, min_reps, max_reps).items():
                    reps[(name, threads)] = count
            report["settings"]["reps"] = {f"{n}/{t}": c for (n, t), c in reps.items()}
            samples, cpu_use = {}, {}
            other_load = []
            ticks_per_s = os.sysconf("SC_CLK_TCK")
            for r in range(rounds):
                order = libraries[r % len(libraries):] + libraries[:r % len(libraries)]
                busy0, mine0, wall0 = system_busy_ticks(), sum(w.cpu_ticks() for w in workers.values()), time.time()
                for threads in thread_counts:
                    for shape in shapes:
                        for lib in order:
                            reply = workers[(lib, threads)].ask(cmd="time", shape=shape.name,
                                                                reps=reps[(shape.name, threads)], warmup=1)
                            samples.setdefault((lib, shape.name, threads), []).append(reply["times_ns"])
                            cpu_use.setdefault((lib, shape.name, threads), []).append(reply["cpu_per_wall"])
                            if threads > 1:
                                time.sleep(settle)
                wall = time.time() - wall0
                others = (system_busy_ticks() - busy0 - (sum(w.cpu_ticks() for w in workers.values()) - mine0))
                other_load.append(max(0.0, others / ticks_per_s / wall / (os.cpu_count() or 1)))
                log(f"round {r + 1}/{rounds}: {wall:.1f} s, order {' '.join(order)}, "
                    f"other processes {100 * other_load[-1]:.0f} % CPU")
            report["other_load"] = {"per_round": other_load, "mean": statistics.mean(other_load),
                                    "min": min(other_load), "max": max(other_load)}
            report["results"] = summarize(samples, libraries, shapes, thread_counts, rounds)
            for row in report["results"]:
                row["cpu_per_wall"] = statistics.median(cpu_use[(row["library"], row["shape"], row["threads"])])
            report["samples_ns"] = {f"{lib}/{shape}/{t}": v for (lib, shape, t), v in samples.items()}
            report["affinity_after"] = {f"{w.library}/{w.threads}": w.ask(cmd="affinity")["affinity"]
                                        for w in workers.values()}
    except RuntimeError as error:  # a worker died while timing
        log(f"FAILED: {error}")
        report["error"] = str(error)
        exit_status = EXIT_WORKER
    finally:
        for w in workers.values():
            w.close()
    report["machine"]["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    report["duration_s"] = round(time.time() - started, 1)
    report["exit_status"] = exit_status
    text = markdown_report(report) if exit_status == 0 else (
        "numerical check failed; no timings\n" if exit_status == EXIT_CHECK else f"failed: {report.get('error')}\n")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text)
    print(text, end="")
    log(f"done in {report['duration_s']} s")
    return exit_status


if __name__ == "__main__":
    sys.exit(main())
