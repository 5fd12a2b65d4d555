"""Unit tests of bench/run's verdicts (standard library only): the FMA-peak target, and the sgemm
target that must not pass against an sgemm far below the machine's FMA peak.

    python3 bench/test_run_targets.py
"""

import importlib.machinery
import sys
import importlib.util
import unittest
from pathlib import Path

loader = importlib.machinery.SourceFileLoader("bench_run", str(Path(__file__).resolve().parent / "run"))
spec = importlib.util.spec_from_loader("bench_run", loader)
bench = importlib.util.module_from_spec(spec)
sys.modules["bench_run"] = bench  # dataclasses look their module up there
loader.exec_module(bench)

MAIN = bench.WorkloadSpec("mlp-1024x8", "mlp-1024x8", None, "main", ("train",))
DESCRIPTION = {"batch_size": 256, "layers": [{"fan_in": 784, "fan_out": 1024}] + [{"fan_in": 1024, "fan_out": 1024}] * 6
               + [{"fan_in": 1024, "fan_out": 10}]}


def train_record(median_ms: float, threads: int = 1, implementation: str = "featurespeed") -> dict:
    flops, executed = bench.train_flops(DESCRIPTION), bench.executed_flops(DESCRIPTION)
    return {"workload": MAIN.key, "group": "train", "variant": "train", "implementation": implementation, "threads": threads,
            "status": "ok", "median_ms": median_ms, "gflops": flops / (median_ms * 1e6), "executed_gflops": executed / (median_ms * 1e6),
            "rss_over_expected": None, "times_ms": [median_ms]}


def verdicts(median_ms: float, sgemm: float, fma32: float) -> dict:
    records = [train_record(median_ms)]
    peaks, fma = {1: {"gflops_median": sgemm}}, {1: {"gflops_float32": fma32, "isa": "avx2+fma"}}
    bench.add_peak_fractions(records, peaks, fma)
    return {t["target"]: t for t in bench.targets(records, [MAIN], peaks, fma, [1])}


class Targets(unittest.TestCase):
    def test_sound_machine(self):
        # 10.5 GFLOP executed per step in 120 ms ≈ 88 GFLOP/s: 94 % of a 94 GFLOP/s sgemm, 80 % of a 110 GFLOP/s FMA peak.
        v = verdicts(120, sgemm=94, fma32=110)
        self.assertEqual(v["sgemm_peak_fraction"]["status"], "pass")
        self.assertEqual(v["fma_peak_fraction"]["status"], "pass")
        self.assertAlmostEqual(v["fma_peak_fraction"]["value"], bench.executed_flops(DESCRIPTION) / 120e6 / 110)

    def test_slow_blas_kernel_cannot_pass_the_sgemm_target(self):
        # The Xeon on OpenBLAS's SSE3 kernels: sgemm 32.6 of ≈ 175 GFLOP/s per core. The
        # step runs at the (slow) sgemm rate, so its sgemm fraction alone would pass.
        v = verdicts(330, sgemm=32.6, fma32=175)
        self.assertGreater(v["sgemm_peak_fraction"]["value"], bench.TARGET_SGEMM_FRACTION)
        self.assertEqual(v["sgemm_peak_fraction"]["status"], "fail")
        self.assertIn("yardstick itself is too slow", v["sgemm_peak_fraction"]["detail"])
        self.assertEqual(v["fma_peak_fraction"]["status"], "fail")

    def test_slow_step_fails_both(self):
        v = verdicts(400, sgemm=94, fma32=110)
        self.assertEqual(v["sgemm_peak_fraction"]["status"], "fail")
        self.assertEqual(v["fma_peak_fraction"]["status"], "fail")

    def test_rounds_are_paired_with_their_own_yardstick(self):
        # A VM whose speed halves between rounds: each round against the peaks measured right
        # after it gives the same fraction, while the run-wide best peak would halve it.
        record = train_record(120)
        record.update(train_flops=bench.train_flops(DESCRIPTION), executed_flops=bench.executed_flops(DESCRIPTION),
                      times_ms_by_round=[[120, 121, 119], [240, 242, 238]],
                      yardsticks_by_round=[{"fma": {"gflops_float32": 110}, "sgemm": {"gflops_median": 94}},
                                           {"fma": {"gflops_float32": 55}, "sgemm": {"gflops_median": 47}}])
        paired = bench.paired_fractions(record)
        self.assertEqual(paired["rounds"], 2)
        self.assertAlmostEqual(paired["fma"], bench.executed_flops(DESCRIPTION) / 120e6 / 110)
        self.assertAlmostEqual(paired["sgemm_over_fma"], 94 / 110)
        peaks, fma = {1: {"gflops_median": 94}}, {1: {"gflops_float32": 110, "isa": "avx2+fma"}}
        bench.add_peak_fractions([record], peaks, fma)
        v = {t["target"]: t for t in bench.targets([record], [MAIN], peaks, fma, [1])}
        self.assertEqual(v["fma_peak_fraction"]["status"], "pass")
        self.assertIn("paired", v["fma_peak_fraction"]["detail"])

    def test_peer_targets(self):
        sweep = bench.WorkloadSpec("mlp-256x8", "mlp-256x8", None, "sweep", ("train",))
        records = [train_record(60, 2), train_record(70, 2, "jax"), dict(train_record(10, 2), workload=sweep.key),
                   dict(train_record(9, 2, "numpy"), workload=sweep.key)]
        v = {t["target"]: t for t in bench.targets(records, [MAIN, sweep], {}, {}, [2])}
        self.assertAlmostEqual(v["train_vs_fastest_peer"]["value"], 60 / 70)
        self.assertEqual(v["train_vs_fastest_peer"]["status"], "pass")
        self.assertAlmostEqual(v["sweep_vs_fastest_peer"]["value"], 10 / 9)
        self.assertEqual(v["sweep_vs_fastest_peer"]["status"], "fail")
        self.assertIn("mlp-256x8", v["sweep_vs_fastest_peer"]["detail"])


if __name__ == "__main__":
    unittest.main()
