import Foundation
import Testing
import _TestSupport

/// `bench/run --quick`: a correctness and format check of the benchmark (never a timing test:
/// the numbers of a quick run on small workloads mean nothing and are not asserted).
@Suite("bench/run --quick")
struct BenchmarkTests {
  @Test("runs FeatureSpeed and the peers it finds, which agree on the loss, and writes well-formed JSON and markdown")
  func quickRun() throws {
    let root = DocumentationTests.packageRoot
    try withTemporaryDirectory { tmp in
      let json = tmp.appendingPathComponent("bench.json"), markdown = tmp.appendingPathComponent("bench.md")
      var arguments = [root.appendingPathComponent("bench/run").path, "--quick", "--no-install", "--featurespeed",
                       FeatureSpeedBinary.url.path, "--json", json.path, "--markdown", markdown.path]
      if let python = ProcessInfo.processInfo.environment["FEATURESPEED_PYTHON"], !python.isEmpty {
        arguments += ["--python", python]  // its NumPy runs the NumPy peer
      } else {
        arguments += ["--implementations", "featurespeed"]
      }
      let result = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments, currentDirectory: root)
      #expect(result.status == 0, "bench/run failed: \(result.error.suffix(2000))")

      let object = try JSONSerialization.jsonObject(with: Data(contentsOf: json))
      let report = try #require(object as? [String: Any])
      #expect(report["schema"] as? Int == 1)
      #expect(report["quick"] as? Bool == true)
      #expect(report["exit_status"] as? Int == 0)
      let runs = try #require(report["runs"] as? [[String: Any]])
      let ours = runs.filter { $0["implementation"] as? String == "featurespeed" && $0["status"] as? String == "ok" }
      #expect(Set(ours.compactMap { $0["variant"] as? String }).isSuperset(of: ["train", "diag", "diag-forward", "cadence"]))
      #expect(ours.allSatisfy { ($0["median_ms"] as? Double ?? 0) > 0 })
      let correctness = try #require(report["correctness"] as? [[String: Any]])
      #expect(!correctness.isEmpty)
      for check in correctness where check["gating"] as? Bool == true {
        #expect(check["passed"] as? Bool == true, "\(check)")
      }
      if arguments.contains("--python") {
        #expect(correctness.contains { $0["implementation"] as? String == "numpy" && $0["passed"] as? Bool == true })
      }
      let targets = try #require(report["targets"] as? [[String: Any]])
      let names = Set(targets.compactMap { $0["target"] as? String })
      #expect(names.isSuperset(of: ["sgemm_peak_fraction", "fma_peak_fraction", "diag_over_train", "cadence_overhead", "memory"]))
      let peaks = try #require(report["sgemm_peak"] as? [String: Any])
      #expect(Set(peaks.keys) == ["1", "2"])
      // The physical yardstick and what ran: FMA peaks at both thread counts, the BLAS runtime.
      let fma = try #require(report["fma_peak"] as? [String: [String: Any]])
      #expect(Set(fma.keys) == ["1", "2"])
      #expect(fma.values.allSatisfy { ($0["gflops_float32"] as? Double ?? 0) > 0 && ($0["gflops_float64"] as? Double ?? 0) > 0 })
      let blas = try #require((report["machine"] as? [String: Any])?["blas"] as? [String: Any])
      #expect(blas["library"] is String && blas["vectorISA"] is String && blas["selection"] is String)
      #expect(ours.allSatisfy { ($0["fma_peak_fraction"] as? Double ?? 0) > 0 })
      // Scaling series: every point counts fewer executed FLOPs than 6·B·Σ fanIn·fanOut (the
      // first weight's input gradient is never computed), by exactly 2·B·fanIn·fanOut of it.
      let scaling = try #require(report["scaling"] as? [[String: Any]])
      #expect(Set(scaling.compactMap { $0["axis"] as? String }) == ["width", "batch", "depth"])
      for series in scaling {
        // Fitted where two points were timed (a quick run times some only at one thread count).
        #expect(series.keys.contains("executed_flop_exponent"), "\(series)")
        #expect((series["executed_flop_exponent"] as? Double == nil) == (series["time_exponent"] as? Double == nil), "\(series)")
        for point in try #require(series["points"] as? [[String: Any]]) {
          let counted = try #require(point["train_flops"] as? Int), executed = try #require(point["executed_flops"] as? Int)
          let workload = try #require((report["workloads"] as? [String: Any])?[point["workload"] as? String ?? ""] as? [String: Any])
          let first = try #require((workload["layers"] as? [[String: Any]])?.first)
          let batch = try #require(workload["batch_size"] as? Int)
          #expect(counted - executed == 2 * batch * (first["fan_in"] as? Int ?? 0) * (first["fan_out"] as? Int ?? 0), "\(point)")
        }
      }

      let text = String(decoding: try contents(of: markdown), as: UTF8.self)
      #expect(text.contains("| target") || text.contains("target |"))
      #expect(text.contains("featurespeed"))
      #expect(text.contains("FMA peak") && text.contains("BLAS used by FeatureSpeed"))
    }
  }

  @Test("the verdicts: FMA-peak target, no sgemm pass against a slow sgemm, peer ratios (bench/test_run_targets.py)")
  func verdicts() throws {
    let root = DocumentationTests.packageRoot
    let result = try runProcess(
      URL(fileURLWithPath: "/usr/bin/env"), ["python3", root.appendingPathComponent("bench/test_run_targets.py").path],
      currentDirectory: root)
    #expect(result.status == 0, "\(result.error.suffix(2000))")
    #expect(result.error.contains("OK"), "\(result.error.suffix(500))")
  }
}
