import ArgumentParser
import Foundation
import NumericCore
import Experiments

/// `featurespeed bench`: the FeatureSpeed side of `bench/run` (BENCHMARKS.md).
public struct BenchCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Benchmark building blocks used by bench/run: export a workload, measure the sgemm peak, run a worker.",
    subcommands: [Export.self, GEMM.self, FMA.self, Worker.self, Kernel.self])

  public init() {}

  /// `featurespeed bench export`: the shared initial weights and batch.
  public struct Export: ParsableCommand {
    public static let configuration = CommandConfiguration(
      abstract: "Write workload.json, weights.safetensors and batch.safetensors for a workload.")

    @Option(help: "mlp-{width}x{depth} or resnet-{width}x{blocks}, e.g. mlp-1024x8.")
    public var workload: String

    @Option(help: "Directory to write.")
    public var output: String

    @Option(parsing: .unconditional, help: "Batch size.")
    public var batchSize: Int = 256

    @Option(help: "Seed of the weights and the batch.")
    public var seed: UInt64 = 0

    public init() {}

    public func run() throws {
      let w = try BenchmarkWorkload(parsing: workload, batchSize: batchSize)
      try w.export(to: URL(fileURLWithPath: output), seed: seed)
    }
  }

  /// `featurespeed bench gemm`: the sgemm yardstick.
  public struct GEMM: ParsableCommand {
    public static let configuration = CommandConfiguration(
      commandName: "gemm", abstract: "Measure single-precision GEMM throughput (prints JSON).")

    @Option(parsing: .unconditional, help: "BLAS threads.")
    public var threads: Int = 1

    @Option(parsing: .unconditional, help: "Matrix size n of the n×n×n product.")
    public var size: Int = 1024

    @Option(parsing: .unconditional, help: "Timed repetitions.")
    public var repeats: Int = 20

    public init() {}

    public func validate() throws {
      if threads < 1 || size < 1 || repeats < 1 { throw ValidationError("--threads, --size and --repeats must be positive.") }
    }

    public func run() throws {
      BLASThreads.set(threads)
      let values = GEMMPeak.measure(size: size, repeats: repeats).sorted()
      let json: [String: Any] = [
        "threads": threads, "size": size, "gflops_median": values[values.count / 2], "gflops_max": values.last!,
        "gflops": values, "blas": try JSONSerialization.jsonObject(with: JSONEncoder().encode(BLASRuntime.current)),
      ]
      try printJSON(json)
    }
  }

  /// `featurespeed bench fma`: the physical yardstick, the machine's FMA peak.
  public struct FMA: ParsableCommand {
    public static let configuration = CommandConfiguration(
      commandName: "fma",
      abstract: "Measure the fused multiply–add peak of this machine, fp32 and fp64 (prints JSON).",
      discussion: "Independent FMA chains in the widest vector registers the CPU has, on --threads threads at once.")

    @Option(parsing: .unconditional, help: "Threads running the FMA loop at once.")
    public var threads: Int = 1

    @Option(parsing: .unconditional, help: "Seconds per repetition.")
    public var seconds: Double = 0.25

    @Option(parsing: .unconditional, help: "Repetitions (the best counts).")
    public var repeats: Int = 5

    public init() {}

    public func validate() throws {
      if threads < 1 || threads > 256 || repeats < 1 || !(seconds > 0) {
        throw ValidationError("--threads must be 1…256, --repeats positive and --seconds > 0.")
      }
    }

    public func run() throws {
      var json: [String: Any] = ["threads": threads]
      for (key, fp64) in [("float32", false), ("float64", true)] {
        guard let peak = FMAPeak.measure(doublePrecision: fp64, threads: threads, seconds: seconds, repeats: repeats) else {
          throw ValidationError("Could not start \(threads) threads for the FMA loop; try fewer with --threads.")
        }
        json["gflops_\(key)"] = peak.gflops
        json["isa"] = peak.isa
      }
      try printJSON(json)
    }
  }

  /// `featurespeed bench worker`: a long-lived process driven by JSON lines on stdin.
  public struct Worker: ParsableCommand {
    public static let configuration = CommandConfiguration(
      abstract: "Run one implementation of a workload under the bench/run line protocol.",
      discussion: """
        Reads one JSON command per line and answers with one JSON line: {"cmd":"reset"}, \
        {"cmd":"steps","count":K} → times_ms and losses, {"cmd":"loss"}, {"cmd":"diagnostics"}, \
        {"cmd":"memory"} → peak_rss_kb and expected_bytes, {"cmd":"quit"}.
        """)

    @Option(help: "Directory written by `featurespeed bench export`.")
    public var workload: String

    @Option(help: "train, diag, diag-forward or cadence.")
    public var variant: String = "train"

    @Option(parsing: .unconditional, help: "BLAS threads.")
    public var threads: Int = 1

    public init() {}

    public func run() throws {
      guard let kind = BenchmarkVariant(rawValue: variant) else { throw BenchmarkError.unknownVariant(variant) }
      BLASThreads.set(threads)
      var session = try BenchmarkSession(directory: URL(fileURLWithPath: workload), variant: kind)
      resetPeakResidentMemory()
      func reply(_ object: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        printOut(String(decoding: data, as: UTF8.self))
      }
      reply(["ready": true, "implementation": "featurespeed", "version": featureSpeedVersion, "threads": threads,
             "train_flops": session.trainFlops])
      while let line = readLine() {
        guard let data = line.data(using: .utf8),
          let command = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
          let name = command["cmd"] as? String
        else {
          reply(["error": "expected a JSON object with a \"cmd\" field, got: \(line)"])
          continue
        }
        switch name {
        case "reset":
          do {
            try session.reset()
            resetPeakResidentMemory()  // the peak then covers the steps, not the loading
            reply(["ok": true])
          } catch {
            reply(["error": "\(error)"])
          }
        case "steps":
          let count = (command["count"] as? Int) ?? 1
          let result = session.steps(max(count, 0))
          reply(["times_ms": result.timesMs, "losses": result.losses])
        case "loss":
          reply(["loss": session.loss()])
        case "diagnostics":
          if let d = session.diagnostics {
            reply(["bfa_cos": d.bfaCos, "feature_update_rms": d.featureUpdateRMS])
          } else {
            reply([:])
          }
        case "memory":
          reply(["peak_rss_kb": peakResidentKilobytes() ?? -1, "expected_bytes": session.expectedBytes])
        case "quit":
          reply(["ok": true])
          return
        default:
          reply(["error": "unknown command '\(name)'; expected reset, steps, loss, diagnostics, memory or quit"])
        }
      }
    }
  }
}
