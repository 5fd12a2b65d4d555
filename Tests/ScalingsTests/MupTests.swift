import Networks
@testable import Scalings
import Testing

/// Theory §5.1 μP table, written out per role, with the gain rule (g = gain of the input activation).
private func expectedMup(
  role: LayerRole, fanIn: Int, fanOut: Int, gain: Double, optimizer: OptimizerFamily
) -> (std: Double, multiplier: Double, rate: Double) {
  let fanIn = Double(fanIn), fanOut = Double(fanOut)
  switch (role, optimizer) {
  case (.input, .sgd): return (gain / fanIn.squareRoot(), 1, fanOut)
  case (.hidden, .sgd): return (gain / fanIn.squareRoot(), 1, 1)
  case (.output, .sgd): return (gain / fanIn, 1, 1 / fanIn)
  case (.input, .adam): return (gain / fanIn.squareRoot(), 1, 1)
  case (.hidden, .adam): return (gain / fanIn.squareRoot(), 1, 1 / fanIn)
  case (.output, .adam): return (gain / fanIn, 1, 1 / fanIn)
  case (.bias, .sgd): return (0, 1, fanOut)  // fanIn = 1 for biases
  case (.bias, .adam): return (0, 1, 1)
  // Spectral descent: √(fanOut/fanIn) in every preset (biases: fanIn = 1).
  case (.input, .spectral), (.hidden, .spectral): return (gain / fanIn.squareRoot(), 1, (fanOut / fanIn).squareRoot())
  case (.output, .spectral): return (gain / fanIn, 1, (fanOut / fanIn).squareRoot())
  case (.bias, .spectral): return (0, 1, fanOut.squareRoot())
  }
}

@Suite struct MupTests {
  @Test(arguments: [256, 1024], OptimizerFamily.allCases)
  func mlpTableMatchesSpec(width: Int, optimizer: OptimizerFamily) throws {
    let spec = try resolve(mlp(width: width, depth: 5), Presets.mup, optimizer)
    let rows = scalingTable(for: spec, baseLearningRate: 0.1)
    #expect(rows.count == 10)  // 5 weights + 5 biases
    for row in rows {
      // MLP layer 1 reads the raw input (gain 1); layers 2…L read ReLU features (gain √2).
      let gain = row.tensor == .bias || row.layerIndex == 1 ? 1 : reluGain
      let expected = expectedMup(role: row.role, fanIn: row.fanIn, fanOut: row.fanOut, gain: gain, optimizer: optimizer)
      #expect(close(row.initStandardDeviation, expected.std), "\(row)")
      #expect(row.forwardMultiplier == expected.multiplier, "\(row)")
      #expect(close(row.learningRateMultiplier, expected.rate), "\(row)")
      #expect(close(row.learningRate, 0.1 * expected.rate), "\(row)")
    }
    // Spot checks with the numbers written out.
    let w = Double(width)
    #expect(rows[0].role == .input && rows[0].fanIn == 784 && close(rows[0].initStandardDeviation, 1 / 28))
    #expect(rows[2].role == .hidden && close(rows[2].initStandardDeviation, reluGain / w.squareRoot()))
    #expect(rows[8].role == .output && close(rows[8].initStandardDeviation, reluGain / w))
    switch optimizer {
    case .sgd, .adam:
      #expect(rows[0].learningRateMultiplier == (optimizer == .sgd ? w : 1))
      #expect(close(rows[4].learningRateMultiplier, optimizer == .sgd ? 1 : 1 / w))
      #expect(close(rows[8].learningRateMultiplier, 1 / w))
      #expect(rows[9].role == .bias && rows[9].fanOut == 10 && rows[9].learningRateMultiplier == (optimizer == .sgd ? 10 : 1))
    case .spectral:
      #expect(close(rows[0].learningRateMultiplier, (w / 784).squareRoot()))
      #expect(close(rows[4].learningRateMultiplier, 1))
      #expect(close(rows[8].learningRateMultiplier, (10 / w).squareRoot()))
      #expect(rows[9].role == .bias && close(rows[9].learningRateMultiplier, 10.0.squareRoot()))
    }
  }

  @Test(arguments: [256, 1024], OptimizerFamily.allCases)
  func resnetTableMatchesSpec(width: Int, optimizer: OptimizerFamily) throws {
    let spec = try resolve(resnet(width: width, depth: 4, branchMatrices: 2), Presets.mup, optimizer)
    let rows = scalingTable(for: spec, baseLearningRate: 1)
    #expect(rows.count == 2 * (1 + 4 * 2 + 1))
    for row in rows {
      // Embedding and readout read the raw input / residual stream (gain 1); branches read φ(·).
      let isBlock = (1...4).contains(row.layerIndex)
      #expect((row.role == .hidden) == (isBlock && row.tensor == .weight))
      #expect((row.branchScale != nil) == isBlock)
      let gain = row.tensor == .weight && isBlock ? reluGain : 1
      let expected = expectedMup(role: row.role, fanIn: row.fanIn, fanOut: row.fanOut, gain: gain, optimizer: optimizer)
      #expect(close(row.initStandardDeviation, expected.std), "\(row)")
      #expect(row.forwardMultiplier == expected.multiplier, "\(row)")
      #expect(close(row.learningRateMultiplier, expected.rate), "\(row)")
    }
    let readout = try #require(rows.last(where: { $0.tensor == .weight }))
    #expect(readout.role == .output && close(readout.initStandardDeviation, 1 / Double(width)))
  }
}
