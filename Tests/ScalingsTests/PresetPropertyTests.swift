import Networks
import NumericCore
@testable import Scalings
import Testing

@Suite struct PresetPropertyTests {
  /// Every preset, architecture it allows, optimizer and size on a grid gives finite positive
  /// init stds (biases may start at 0), forward multipliers and learning rates.
  @Test(arguments: Presets.all)
  func everyEntryIsFiniteAndPositive(preset: Preset) throws {
    for kind in preset.architectures {
      for width in [1, 7, 128, 4096] {
        for depth in [2, 5, 64] {
          for optimizer in OptimizerFamily.allCases {
            for activation in [Activation.relu, .tanh] {
              let arch = try Architecture(
                kind: kind, inputDimension: 3, width: width, depth: depth, outputDimension: 2,
                activation: activation, hasBias: true, branchMatrices: depth == 5 ? 2 : 1)
              let resolution = try PresetResolution(
                architecture: arch, loss: .crossEntropy, preset: preset, optimizer: optimizer)
              let rows = resolution.table(baseLearningRate: 0.1)
              #expect(rows.count == 2 * resolution.spec.layers.reduce(0) { $0 + $1.units.count })
              for row in rows {
                let context = "\(preset.name) \(kind) w=\(width) L=\(depth) \(optimizer) \(row)"
                if row.tensor == .bias && !preset.name.hasPrefix("spectral") {
                  #expect(row.initStandardDeviation == 0, "\(context)")
                } else {
                  #expect(row.initStandardDeviation.isFinite && row.initStandardDeviation > 0, "\(context)")
                }
                #expect(row.forwardMultiplier.isFinite && row.forwardMultiplier > 0, "\(context)")
                #expect(row.learningRateMultiplier.isFinite && row.learningRateMultiplier > 0, "\(context)")
                #expect(row.learningRate.isFinite && row.learningRate > 0, "\(context)")
              }
              if kind == .resnet {
                let beta = resolution.spec.architecture.branchScale
                #expect(beta.isFinite && beta > 0 && beta <= 1)
              }
            }
          }
        }
      }
    }
  }
}
