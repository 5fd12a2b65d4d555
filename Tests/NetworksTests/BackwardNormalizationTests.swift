import Testing
import NumericCore
import Networks
import _TestSupport

/// Backward normalization (theory §5.3 item 2): the rescaled signals hit `√N‖b̂‖ = target`, and
/// the rescaled gradients and steps are exactly plain GD with rates `η_k · P_k`.
@Suite struct BackwardNormalizationTests {
  typealias Configuration = (kind: ArchitectureKind, bias: Bool, branchMatrices: Int)

  static func spec(_ c: Configuration, normalizesFeatures: Bool = false) throws -> NetworkSpec {
    try TestNetworks.spec(
      kind: c.kind, inputDimension: 5, width: 7, depth: 3, activation: .tanh, bias: c.bias,
      loss: .crossEntropy, branchMatrices: c.branchMatrices, normalizesFeatures: normalizesFeatures)
  }

  /// `max_ij |a_ij − b_ij| / max_ij |b_ij|`: element-wise agreement relative to the tensor's scale.
  static func entrywiseError<T: BLASScalar>(_ a: Matrix<T>, _ b: Matrix<T>) -> Double {
    let scale = b.doubles.map(abs).max() ?? 0
    return zip(a.doubles, b.doubles).map { abs($0 - $1) }.max().map { $0 / max(scale, 1e-300) } ?? 0
  }

  @Test("P_ℓ = Π_{j≥ℓ} s_j, and the equivalent rates are η_k P_k; invalid targets are typed errors")
  func helpers() throws {
    #expect(BackwardNormalization.cumulativeFactors([2, 3, 5]) == [30, 15, 5])
    let spec = try Self.spec((.resnet, true, 2))
    let rates = LearningRates(spec: spec, baseLearningRate: 0.1)
    let factors = [2.0, 1, 0.5, 4, 3]
    let scaled = BackwardNormalization.equivalentLearningRates(rates, factors: factors)
    let cumulative = BackwardNormalization.cumulativeFactors(factors)
    for l in rates.units.indices {
      for u in rates.units[l].indices {
        #expect(scaled.units[l][u].weight == rates.units[l][u].weight * cumulative[l])
        #expect(scaled.units[l][u].bias == rates.units[l][u].bias.map { $0 * cumulative[l] })
      }
    }
    #expect(throws: BackwardNormalizationError.invalidTarget(0)) { try BackwardNormalization(target: 0) }
    #expect(throws: BackwardNormalizationError.invalidTarget(.infinity)) { try BackwardNormalization(target: .infinity) }
    #expect(BackwardNormalizationError.invalidTarget(-1).description.contains("positive"))
  }

  @Test("Normalized signals have √N‖b̂‖ = target and equal P_ℓ b_ℓ; gradients are P_k ∇_k to 1e-12",
        arguments: TestNetworks.configurations.flatMap { c in [false, true].map { (c, $0) } })
  func gradientsAreRescaled(_ c: Configuration, _ normalizesFeatures: Bool) throws {
    let spec = try Self.spec(c, normalizesFeatures: normalizesFeatures)
    let network = try Network<Double>(spec: spec, seed: 11)
    var ws = TestNetworks.workspace(for: spec, rows: 6, as: Double.self)
    let plain = network.gradients(&ws)
    let plainSignals = ws.backward
    for (target, positions) in [(1.0, nil), (0.3, Set([0, 2])), (2.5, Set([spec.layers.count - 1]))] as [(Double, Set<Int>?)] {
      let normalization = try BackwardNormalization(target: target, positions: positions)
      var normalized = NetworkParameters<Double>(zerosFor: spec)
      network.forward(&ws)
      network.computeLoss(&ws)
      let factors = network.backward(&ws, gradients: &normalized, normalization: normalization)
      #expect(factors.count == spec.layers.count)
      let cumulative = BackwardNormalization.cumulativeFactors(factors)
      for l in spec.layers.indices {
        let b = ws.backward[l]
        if normalization.normalizes(position: l) {
          #expect(relativeError((Double(b.count) * b.squaredNorm).squareRoot(), target) < 1e-13, "\(c) position \(l)")
        } else {
          #expect(factors[l] == 1)
        }
        var expectedSignal = plainSignals[l]
        expectedSignal.scale(by: cumulative[l])
        #expect(Self.entrywiseError(b, expectedSignal) < 1e-12, "\(c) position \(l) signal")
        for u in spec.layers[l].units.indices {
          var expected = plain.layers[l][u].weight
          expected.scale(by: cumulative[l])
          let error = Self.entrywiseError(normalized.layers[l][u].weight, expected)
          #expect(error < 1e-12, "\(c) position \(l) unit \(u): \(error)")
          if var expectedBias = plain.layers[l][u].bias {
            expectedBias.scale(by: cumulative[l])
            #expect(Self.entrywiseError(normalized.layers[l][u].bias!, expectedBias) < 1e-12)
          }
        }
      }
    }
  }

  @Test("Backward normalization equals GD with the correspondingly rescaled learning rates (fused SGD)",
        arguments: TestNetworks.configurations)
  func equalsRescaledGradientDescent(_ c: Configuration) throws {
    let spec = try Self.spec(c)
    let rates = LearningRates(spec: spec, baseLearningRate: 0.05)
    var normalizedNetwork = try Network<Double>(spec: spec, seed: 12)
    var plainNetwork = normalizedNetwork
    var ws = TestNetworks.workspace(for: spec, rows: 6, as: Double.self)
    for step in 0..<3 {
      normalizedNetwork.forward(&ws)
      normalizedNetwork.computeLoss(&ws)
      let factors = normalizedNetwork.backwardApplyingSGD(
        &ws, learningRates: rates, normalization: try BackwardNormalization(target: 1))
      #expect(factors.allSatisfy { $0 != 1 })
      plainNetwork.forward(&ws)
      plainNetwork.computeLoss(&ws)
      plainNetwork.backwardApplyingSGD(
        &ws, learningRates: BackwardNormalization.equivalentLearningRates(rates, factors: factors))
      for l in spec.layers.indices {
        for u in spec.layers[l].units.indices {
          let error = Self.entrywiseError(normalizedNetwork.parameters.layers[l][u].weight, plainNetwork.parameters.layers[l][u].weight)
          #expect(error < 1e-12, "\(c) step \(step) position \(l) unit \(u): \(error)")
          if let bias = normalizedNetwork.parameters.layers[l][u].bias {
            #expect(Self.entrywiseError(bias, plainNetwork.parameters.layers[l][u].bias!) < 1e-12)
          }
        }
      }
    }
  }

  @Test("A zero backward signal keeps the factor 1")
  func zeroSignal() throws {
    let spec = try TestNetworks.spec(kind: .mlp, depth: 3)
    let network = try Network<Double>(spec: spec, seed: 13)
    var ws = TestNetworks.workspace(for: spec, rows: 4, as: Double.self)
    network.forward(&ws)
    ws.targets.values = ws.features[spec.layers.count - 1]  // MSE at its minimum: b = 0
    network.computeLoss(&ws)
    var gradients = NetworkParameters<Double>(zerosFor: spec)
    let factors = network.backward(&ws, gradients: &gradients, normalization: try BackwardNormalization())
    #expect(factors == [1, 1, 1])
    #expect(ws.backward.allSatisfy { $0.squaredNorm == 0 })
  }
}
