import Foundation
import Testing
import Networks
import Scalings
@testable import Experiments

/// The memory lower bound that refuses impossible sizes before anything is allocated.
@Suite struct MemoryEstimateTests {
  static func spec(width: Int, depth: Int, bias: Bool = false) throws -> NetworkSpec {
    let architecture = try Architecture(
      kind: .mlp, inputDimension: 12, width: width, depth: depth, outputDimension: 3, activation: .relu, hasBias: bias)
    return try PresetResolution(architecture: architecture, loss: .crossEntropy, preset: try Presets.named("mup"), optimizer: .sgd).spec
  }

  @Test("Counts two parameter buffers and two batches of activations, in the run's precision")
  func counts() throws {
    for bias in [false, true] {
      let spec = try Self.spec(width: 7, depth: 3, bias: bias)
      let widths = spec.layers.flatMap(\.units).reduce(0) { $0 + $1.fanOut }
      for (dtype, bytes) in [(DType.float32, 4.0), (.float64, 8.0)] {
        let estimate = MemoryEstimate(spec: spec, dtype: dtype, batchSize: 5)
        #expect(estimate.parameterBytes == Double(spec.parameterCount) * bytes)
        #expect(estimate.activationBytes == Double(5 * widths) * bytes)
        #expect(estimate.totalBytes == 2 * estimate.parameterBytes + 2 * estimate.activationBytes)
      }
    }
  }

  @Test("Refuses exactly when the bound exceeds what is available, and sizes beyond Int do not overflow")
  func check() throws {
    let estimate = MemoryEstimate(spec: try Self.spec(width: 100, depth: 2), dtype: .float32, batchSize: 8)
    #expect(throws: Never.self) { try estimate.check(available: estimate.totalBytes) }
    #expect(throws: Never.self) { try estimate.check(available: nil) }
    #expect(throws: RunError.self) { try estimate.check(available: estimate.totalBytes - 1) }
    // 1e10 × 1e10 weights overflow Int: the estimate is a Double.
    let huge = MemoryEstimate(spec: try Self.spec(width: 10_000_000_000, depth: 3), dtype: .float64, batchSize: 1)
    #expect(huge.parameterBytes > 1e20 && huge.parameterBytes.isFinite)
    #expect(MemoryEstimate.format(bytes: 1536) == "1.5 KiB" && MemoryEstimate.format(bytes: 3 * pow(1024, 4)) == "3.0 TiB")
    #expect((MemoryEstimate.availableBytes() ?? 0) > 0)
  }
}
