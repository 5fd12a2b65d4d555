import Testing
import NumericCore
import Networks
import _TestSupport

/// Backward (VJP) and tangent (JVP) passes against central finite differences in Double
/// (theory §3.1, §3.3), for every architecture option, activation and loss, and with forward
/// feature normalization (theory §5.3) for ReLU and tanh.
@Suite struct FiniteDifferenceTests {
  static let step = 1e-5

  /// The finite-difference step: smaller with forward normalization, whose higher derivatives
  /// are larger (the central difference's O(h²) truncation error then dominates at 1e-5).
  static func step(for c: Case) -> Double { c.normalizesFeatures ? 2.5e-6 : step }
  /// Relative accuracy expected of the central difference beyond its rounding level
  /// (`CentralDifference`): every comparison below passes when its error ratio is < 1.
  static let tolerance = 1e-6

  struct Case: CustomTestStringConvertible, Sendable {
    var kind: ArchitectureKind
    var bias: Bool
    var branchMatrices: Int
    var activation: Activation
    var loss: Loss
    var normalizesFeatures = false
    var testDescription: String {
      "\(kind.rawValue) bias=\(bias) branch=\(branchMatrices) \(activation.rawValue) \(loss.rawValue)"
        + (normalizesFeatures ? " normalized" : "")
    }
  }

  static let cases: [Case] = TestNetworks.configurations.flatMap { config in
    Activation.allCases.flatMap { activation in
      Loss.allCases.map { loss in
        Case(kind: config.kind, bias: config.bias, branchMatrices: config.branchMatrices, activation: activation, loss: loss)
      }
    }
  } + TestNetworks.configurations.flatMap { config in
    [Activation.relu, .tanh].flatMap { activation in
      Loss.allCases.map { loss in
        Case(kind: config.kind, bias: config.bias, branchMatrices: config.branchMatrices, activation: activation, loss: loss,
             normalizesFeatures: true)
      }
    }
  }

  static func spec(_ c: Case) throws -> NetworkSpec {
    try TestNetworks.spec(
      kind: c.kind, activation: c.activation, bias: c.bias, loss: c.loss, branchMatrices: c.branchMatrices,
      normalizesFeatures: c.normalizesFeatures)
  }

  /// Loss and features at `parameters + t · direction`.
  static func evaluate(
    _ spec: NetworkSpec, _ parameters: NetworkParameters<Double>, _ direction: NetworkParameters<Double>,
    _ t: Double, _ ws: Workspace<Double>
  ) -> (loss: Double, features: [Matrix<Double>]) {
    var moved = parameters
    moved.add(direction, scaledBy: t)
    let network = Network(spec: spec, parameters: moved)
    var w = ws
    network.forward(&w)
    return (network.computeLoss(&w, gradient: false), w.features)
  }

  @Test("Gradients match finite differences, tensor by tensor", arguments: cases)
  func gradients(_ c: Case) throws {
    let h = Self.step(for: c)
    let spec = try Self.spec(c)
    let network = try Network<Double>(spec: spec, seed: 3)
    var ws = TestNetworks.workspace(for: spec, rows: 5, as: Double.self)
    let gradients = network.gradients(&ws)

    // One direction per tensor (checks each tensor's gradient) and two dense directions.
    var directions: [NetworkParameters<Double>] = []
    var seed: UInt64 = 100
    for l in spec.layers.indices {
      for u in spec.layers[l].units.indices {
        for isBias in [false, true] where !isBias || spec.layers[l].units[u].scaling.bias != nil {
          var d = NetworkParameters<Double>(zerosFor: spec)
          let full = TestNetworks.direction(for: spec, seed: seed, as: Double.self)
          seed += 1
          if isBias { d.layers[l][u].bias = full.layers[l][u].bias } else { d.layers[l][u].weight = full.layers[l][u].weight }
          directions.append(d)
        }
      }
    }
    directions.append(TestNetworks.direction(for: spec, seed: 1, as: Double.self))
    directions.append(TestNetworks.direction(for: spec, seed: 2, as: Double.self))

    for d in directions {
      let analytic = NetworkParameters.layerInnerProducts(gradients, d).reduce(0, +)
      let plus = Self.evaluate(spec, network.parameters, d, h, ws).loss
      let minus = Self.evaluate(spec, network.parameters, d, -h, ws).loss
      let numeric = (plus - minus) / (2 * h)
      let ratio = CentralDifference.errorRatio(
        analytic, numeric, valueScale: max(abs(plus), abs(minus)), step: h, relative: Self.tolerance)
      #expect(ratio < 1, "analytic \(analytic) vs numeric \(numeric) (loss \(plus)): error / tolerance \(ratio)")
      // The check stays sharp: a gradient 0.1 % off in this direction would fail it (the rounding
      // term dominates only for directions whose derivative is tiny against ℒ/h).
      let perturbed = CentralDifference.errorRatio(
        analytic * (1 + 1e-3), numeric, valueScale: max(abs(plus), abs(minus)), step: h, relative: Self.tolerance)
      #expect(perturbed > 1, "a 1e-3 error in ⟨∇ℒ, d⟩ = \(analytic) would pass (loss \(plus)): error / tolerance \(perturbed)")
    }
  }

  @Test("Tangent pass matches finite differences of every feature", arguments: cases)
  func tangents(_ c: Case) throws {
    let h = Self.step(for: c)
    let spec = try Self.spec(c)
    let network = try Network<Double>(spec: spec, seed: 4)
    var ws = TestNetworks.workspace(for: spec, rows: 5, as: Double.self)
    network.forward(&ws)
    for seed in [UInt64(11), 12] {
      let d = TestNetworks.direction(for: spec, seed: seed, as: Double.self)
      network.tangent(d, &ws)
      let plus = Self.evaluate(spec, network.parameters, d, h, ws).features
      let minus = Self.evaluate(spec, network.parameters, d, -h, ws).features
      for l in spec.layers.indices {
        var numeric = plus[l]
        numeric.add(minus[l], scaledBy: -1)
        numeric.scale(by: 1 / (2 * h))
        let ratio = CentralDifference.errorRatio(
          ws.featureTangents[l].doubles, numeric.doubles, valueScale: max(plus[l].norm, minus[l].norm), step: h,
          relative: Self.tolerance)
        #expect(ratio < 1, "layer position \(l): error / tolerance \(ratio)")
      }
    }
  }

  @Test("Backward signals b_ℓ match finite differences through the tangent of layer ℓ", arguments: cases)
  func backwardSignals(_ c: Case) throws {
    let h = Self.step(for: c)
    // For a direction V supported on layers ≤ ℓ, the loss depends on V only through F_ℓ, so
    // d/dt ℒ(θ + tV) = ⟨b_ℓ, δF_ℓ(V)⟩: this checks every b_ℓ against finite differences.
    let spec = try Self.spec(c)
    let network = try Network<Double>(spec: spec, seed: 5)
    var ws = TestNetworks.workspace(for: spec, rows: 5, as: Double.self)
    _ = network.gradients(&ws)  // fills the backward signals
    for l in spec.layers.indices {
      let d = TestNetworks.direction(for: spec, seed: 40 + UInt64(l), layers: Set(0...l), as: Double.self)
      network.tangent(d, &ws)
      let analytic = Matrix.dot(ws.backward[l], ws.featureTangents[l])
      let plus = Self.evaluate(spec, network.parameters, d, h, ws).loss
      let minus = Self.evaluate(spec, network.parameters, d, -h, ws).loss
      let numeric = (plus - minus) / (2 * h)
      let ratio = CentralDifference.errorRatio(
        analytic, numeric, valueScale: max(abs(plus), abs(minus)), step: h, relative: Self.tolerance)
      #expect(ratio < 1, "layer position \(l): \(analytic) vs \(numeric): error / tolerance \(ratio)")
    }
  }

  @Test("Every gradient entry of a tiny network matches finite differences")
  func entrywise() throws {
    for kind in [ArchitectureKind.mlp, .resnet] {
      let spec = try TestNetworks.spec(
        kind: kind, inputDimension: 3, width: 4, depth: 2, outputDimension: 2, activation: .tanh, bias: true,
        loss: .crossEntropy, branchMatrices: 2)
      let network = try Network<Double>(spec: spec, seed: 9)
      var ws = TestNetworks.workspace(for: spec, rows: 3, as: Double.self)
      let gradients = network.gradients(&ws)
      var analytic: [Double] = []
      var numeric: [Double] = []
      var lossScale = 0.0
      for l in spec.layers.indices {
        for u in spec.layers[l].units.indices {
          for isBias in [false, true] {
            guard let tensor = isBias ? gradients.layers[l][u].bias : gradients.layers[l][u].weight else { continue }
            for i in 0..<tensor.count {
              var d = NetworkParameters<Double>(zerosFor: spec)
              if isBias {
                d.layers[l][u].bias![i / tensor.columns, i % tensor.columns] = 1
              } else {
                d.layers[l][u].weight[i / tensor.columns, i % tensor.columns] = 1
              }
              let plus = Self.evaluate(spec, network.parameters, d, Self.step, ws).loss
              let minus = Self.evaluate(spec, network.parameters, d, -Self.step, ws).loss
              analytic.append(tensor.storage[i])
              numeric.append((plus - minus) / (2 * Self.step))
              lossScale = max(lossScale, abs(plus), abs(minus))
            }
          }
        }
      }
      // Every entry's rounding error adds up in the norm: √(entries) times the scalar level.
      let ratio = CentralDifference.errorRatio(
        analytic, numeric, valueScale: lossScale * Double(analytic.count).squareRoot(), step: Self.step,
        relative: Self.tolerance)
      #expect(ratio < 1, "error / tolerance \(ratio)")
    }
  }
}
