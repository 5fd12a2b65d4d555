import Networks
import NumericCore
@testable import Scalings
import Testing

/// Non-square shapes in both directions, and a square one.
private let shapes = [(fanIn: 64, fanOut: 256), (fanIn: 256, fanOut: 64), (fanIn: 100, fanOut: 100)]

/// The rate multiplier of a one-global-rate preset (`sp`, `ntk`): 1 for SGD and Adam, the
/// spectral-descent law √(fanOut/fanIn) for spectral descent.
private func globalRate(_ optimizer: OptimizerFamily, _ shape: (fanIn: Int, fanOut: Int)) -> Double {
  optimizer == .spectral ? (Double(shape.fanOut) / Double(shape.fanIn)).squareRoot() : 1
}

@Suite struct PresetValueTests {
  @Test(arguments: OptimizerFamily.allCases)
  func standardParametrization(optimizer: OptimizerFamily) {
    for shape in shapes {
      for role in [LayerRole.input, .hidden, .output] {
        let s = Presets.standard.unitScaling(
          for: unit(role: role, fanIn: shape.fanIn, fanOut: shape.fanOut), optimizer: optimizer)
        #expect(close(s.weight.initStandardDeviation, reluGain / Double(shape.fanIn).squareRoot()))
        #expect(s.weight.forwardMultiplier == 1)
        #expect(close(s.weight.learningRateMultiplier, globalRate(optimizer, shape)))
        #expect(s.bias == LayerScaling(
          initStandardDeviation: 0, forwardMultiplier: 1, learningRateMultiplier: globalRate(optimizer, (1, shape.fanOut))))
      }
    }
  }

  @Test(arguments: OptimizerFamily.allCases)
  func ntkParametrization(optimizer: OptimizerFamily) {
    for shape in shapes {
      for activation in [Activation.identity, .relu, .tanh] {
        let s = Presets.ntk.unitScaling(
          for: unit(role: .hidden, fanIn: shape.fanIn, fanOut: shape.fanOut, activation: activation),
          optimizer: optimizer)
        #expect(s.weight.initStandardDeviation == 1)
        #expect(close(s.weight.forwardMultiplier, activation.gain / Double(shape.fanIn).squareRoot()))
        #expect(close(s.weight.learningRateMultiplier, globalRate(optimizer, shape)))
        #expect(s.bias == LayerScaling(
          initStandardDeviation: 0, forwardMultiplier: 1, learningRateMultiplier: globalRate(optimizer, (1, shape.fanOut))))
      }
    }
  }

  @Test(arguments: [Presets.spectral, Presets.spectralExact])
  func spectralParametrization(preset: Preset) throws {
    let kind: InitializationKind = preset.name == "spectral" ? .gaussian : .semiOrthogonal
    for shape in shapes {
      let fanIn = Double(shape.fanIn), fanOut = Double(shape.fanOut)
      for role in [LayerRole.input, .hidden, .output] {
        let layout = unit(role: role, fanIn: shape.fanIn, fanOut: shape.fanOut)
        let sgd = preset.unitScaling(for: layout, optimizer: .sgd)
        let adam = preset.unitScaling(for: layout, optimizer: .adam)
        // σ = (g/√fanIn)·min(1, √(fanOut/fanIn)) = g·√(fanOut/fanIn)/√max(fanIn, fanOut): the rms
        // of a semi-orthogonal matrix of spectral norm g·√(fanOut/fanIn).
        let sigma = reluGain * (fanOut / fanIn).squareRoot() / max(fanIn, fanOut).squareRoot()
        #expect(close(sgd.weight.initStandardDeviation, sigma))
        #expect(sgd.weight.initialization == kind)
        #expect(sgd.weight.forwardMultiplier == 1)
        #expect(close(sgd.weight.learningRateMultiplier, fanOut / fanIn))
        #expect(close(adam.weight.learningRateMultiplier, 1 / fanIn))
        // Biases are weights with fanIn = 1: σ = min(1, √fanOut) = 1, SGD rate fanOut, Adam 1.
        let bias = try #require(sgd.bias)
        #expect(bias.initStandardDeviation == 1 && bias.initialization == kind)
        #expect(bias.forwardMultiplier == 1 && bias.learningRateMultiplier == fanOut)
        #expect(adam.bias?.learningRateMultiplier == 1)
      }
    }
  }

  @Test func spectralExplicitNumbers() {
    // 64 → 256: σ = √2/8; 256 → 64: σ = √2/16 · 1/2.
    let wide = Presets.spectral.unitScaling(for: unit(role: .hidden, fanIn: 64, fanOut: 256), optimizer: .sgd)
    let narrow = Presets.spectral.unitScaling(for: unit(role: .hidden, fanIn: 256, fanOut: 64), optimizer: .sgd)
    #expect(close(wide.weight.initStandardDeviation, reluGain / 8))
    #expect(close(narrow.weight.initStandardDeviation, reluGain / 32))
    #expect(wide.weight.learningRateMultiplier == 4 && narrow.weight.learningRateMultiplier == 0.25)
  }

  @Test func gainFollowsTheInputActivation() {
    for activation in Activation.allCases {
      let s = Presets.mup.unitScaling(for: unit(role: .hidden, fanIn: 400, fanOut: 400, activation: activation), optimizer: .sgd)
      #expect(close(s.weight.initStandardDeviation, activation.gain / 20))
    }
  }

  @Test func initScaleMultipliesEveryStandardDeviation() throws {
    for preset in Presets.all {
      let arch = preset.architectures.contains(.mlp) ? try mlp(width: 32, depth: 3) : try resnet(width: 32, depth: 3)
      let base = try scalingTable(for: resolve(arch, preset), baseLearningRate: 1)
      let scaled = try scalingTable(for: resolve(arch, preset, initScale: 0.5), baseLearningRate: 1)
      for (a, b) in zip(base, scaled) {
        #expect(close(b.initStandardDeviation, 0.5 * a.initStandardDeviation))
        #expect(a.forwardMultiplier == b.forwardMultiplier && a.learningRateMultiplier == b.learningRateMultiplier)
      }
    }
    #expect(throws: PresetError.invalidInitScale(0)) { try resolve(mlp(width: 8, depth: 2), Presets.mup, initScale: 0) }
  }

  @Test func unitsWithoutBiasHaveNoBiasScaling() {
    let s = Presets.spectral.unitScaling(for: unit(role: .hidden, fanIn: 8, fanOut: 8, bias: false), optimizer: .sgd)
    #expect(s.bias == nil)
  }
}
