import Foundation
import Testing
import NumericCore
import _TestSupport

/// `featurespeed doctor`, the BLAS report of `bench gemm` and `config.json` (docs/blas.md).
@Suite struct DoctorCommandTests {
  static var isDynamicOpenBLAS: Bool {
    BLASRuntime.current.configuration?.contains("DYNAMIC_ARCH") == true && BLASRuntime.coreLevel(BLASRuntime.current.bestCore ?? "") > 1
  }

  static func json(_ result: ProcessResult) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
  }

  @Test("doctor names the library, the core and why, the vector ISA and the FMA and sgemm rates")
  func report() throws {
    let result = try FeatureSpeedBinary.run(["doctor", "--quick", "--threads", "1"])
    #expect(result.status == 0, "\(result.error)")
    for label in ["CPU", "vector ISA", "BLAS", "FMA fp32", "sgemm / FMA fp32"] {
      #expect(result.output.contains(label), "missing '\(label)' in\n\(result.output)")
    }
    let json = try Self.json(try FeatureSpeedBinary.run(["doctor", "--quick", "--threads", "1", "--json"]))
    let blas = try #require(json["blas"] as? [String: Any])
    #expect(blas["library"] as? String == BLASRuntime.current.library)
    #expect(blas["selection"] as? String == BLASRuntime.current.selection.rawValue)
    let rows = try #require(json["throughput"] as? [[String: Any]])
    #expect(rows.count == 1 && (rows[0]["fmaFloat32"] as? Double ?? 0) > 0 && (rows[0]["sgemm"] as? Double ?? 0) > 0)
  }

  @Test("From a narrower core, FeatureSpeed switches to the best one for the CPU's features")
  func switchesFromANarrowerCore() throws {
    guard Self.isDynamicOpenBLAS else { return }
    let result = try FeatureSpeedBinary.run(["doctor", "--quick", "--threads", "1", "--json", "--from-core", "Prescott"])
    #expect(result.status == 0, "\(result.error)")
    let blas = try #require(try Self.json(result)["blas"] as? [String: Any])
    #expect(blas["initialCore"] as? String == "Prescott")
    #expect(blas["selection"] as? String == "switched")
    #expect(blas["core"] as? String == BLASRuntime.current.bestCore)
  }

  @Test("A user's OPENBLAS_CORETYPE wins, and doctor --strict flags it when it is narrower than the CPU")
  func userCoreWins() throws {
    guard Self.isDynamicOpenBLAS else { return }
    let result = try FeatureSpeedBinary.run(["doctor", "--quick", "--threads", "1", "--strict"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
    #expect(result.status == 1)
    #expect(result.output.contains("core        Prescott: set by OPENBLAS_CORETYPE"), "\(result.output)")
    #expect(result.output.contains("warning: OPENBLAS_CORETYPE=Prescott") && result.output.contains("Unset OPENBLAS_CORETYPE"))
  }

  @Test("Bad doctor options are refused with the fix")
  func badOptions() throws {
    let zero = try FeatureSpeedBinary.run(["doctor", "--threads", "0"])
    #expect(zero.status != 0 && zero.error.contains("--threads expects positive integers"))
    let unknown = try FeatureSpeedBinary.run(["doctor", "--from-core", "Pentium9"])
    #expect(unknown.status != 0 && unknown.error.contains("--from-core Pentium9"))
  }

  @Test("bench gemm and config.json record the BLAS runtime")
  func recorded() throws {
    let gemm = try Self.json(try FeatureSpeedBinary.run(["bench", "gemm", "--size", "64", "--repeats", "1"]))
    let blas = try #require(gemm["blas"] as? [String: Any])
    #expect(blas["library"] as? String == BLASRuntime.current.library && blas["vectorISA"] as? String == BLASRuntime.current.vectorISA)
    let fma = try Self.json(try FeatureSpeedBinary.run(["bench", "fma", "--seconds", "0.01", "--repeats", "1"]))
    #expect((fma["gflops_float32"] as? Double ?? 0) > 0 && (fma["gflops_float64"] as? Double ?? 0) > 0)

    try withTemporaryDirectory { directory in
      let run = try FeatureSpeedBinary.run(tinyRun + ["--output", directory.appendingPathComponent("r").path])
      #expect(run.status == 0, "\(run.error)")
      let config = try readConfig(directory.appendingPathComponent("r"))
      let recorded = try #require(config["blas"] as? [String: Any])
      #expect(recorded["selection"] as? String == BLASRuntime.current.selection.rawValue)
      #expect(recorded["core"] as? String == BLASRuntime.current.core)
    }
  }
}
