import Testing
import NumericCore
import Networks
import Measurements
import _TestSupport

/// The exact identities of theory §3 as identities: the key identity `−⟨b_ℓ, δF_ℓ⟩ = Σ_{k≤ℓ} C_k`
/// and the feature speed formula, at every layer, at init and after training steps, in Double
/// (< 1e-10 relative) and Float (< 1e-3).
@Suite struct IdentityTests {
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

  static let cases: [Case] = TestNetworks.configurations.flatMap { c in
    [(Activation.relu, Loss.mse), (.tanh, .crossEntropy), (.gelu, .mse)].map {
      Case(kind: c.kind, bias: c.bias, branchMatrices: c.branchMatrices, activation: $0.0, loss: $0.1)
    }
  }

  /// With forward feature normalization `g = α(ν(F_ℓ))` (theory §5.3 item 1).
  static let normalizedCases: [Case] = TestNetworks.configurations.map { c in
    Case(kind: c.kind, bias: c.bias, branchMatrices: c.branchMatrices, activation: c.branchMatrices == 2 ? .relu : .tanh,
         loss: c.bias ? .crossEntropy : .mse, normalizesFeatures: true)
  }

  /// Trains `steps` SGD steps, measuring every step, and returns the measurements.
  static func run<T: BLASScalar>(_ c: Case, steps: Int, as: T.Type) throws -> [StepMeasurement] {
    let spec = try TestNetworks.spec(
      kind: c.kind, inputDimension: 12, width: 24, depth: 4, outputDimension: 5, activation: c.activation,
      bias: c.bias, loss: c.loss, branchMatrices: c.branchMatrices, normalizesFeatures: c.normalizesFeatures)
    var network = try Network<T>(spec: spec, seed: 21)
    var ws = TestNetworks.workspace(for: spec, rows: 10, seed: 3, tangents: true, as: T.self)
    var gradients = NetworkParameters<T>(zerosFor: spec)
    var meter = FeatureSpeedMeter<T>(
      spec: spec, batchRows: 10, settings: MeasurementSettings(), initialParameters: network.parameters)
    var result = [StepMeasurement]()
    var rate = 0.0
    for step in 0..<steps {
      network.forward(&ws)
      network.computeLoss(&ws)
      network.backward(&ws, gradients: &gradients)
      if step == 0 {
        // A base rate whose first step decreases the loss by about 10 % to first order.
        let unitStep = TestNetworks.sgdUpdate(spec: spec, gradients: gradients, baseLearningRate: 1)
        let decayPerUnitRate = -NetworkParameters.layerInnerProducts(gradients, unitStep).reduce(0, +)
        rate = 0.1 * ws.loss / decayPerUnitRate
      }
      let update = TestNetworks.sgdUpdate(spec: spec, gradients: gradients, baseLearningRate: rate)
      var m = meter.measure(step: step, network: network, workspace: &ws, gradients: gradients, update: update)
      network.parameters.add(update)
      meter.measureAfterUpdate(&m, updatedNetwork: network, workspace: ws)
      result.append(m)
    }
    return result
  }

  static func checkIdentities(_ measurements: [StepMeasurement], tolerance: Double) {
    // Training must be healthy for the check to mean anything.
    #expect(measurements.allSatisfy { $0.lossBefore.isFinite })
    #expect(measurements.last!.lossBefore < measurements.first!.lossBefore)
    for m in measurements {
      for s in m.layers {
        let keyIdentity = relativeError(s.alignment, s.cumulativeContribution)
        #expect(keyIdentity < tolerance, "step \(m.step) layer \(s.layer): −⟨b,δF⟩ = \(s.alignment), ΣC = \(s.cumulativeContribution)")
        let residual = s.fsfResidual ?? .infinity
        #expect(residual < tolerance, "step \(m.step) layer \(s.layer): FSF residual \(residual)")
        #expect(s.bfaCos >= 0 && s.bfaCos <= 1 + tolerance)
        // BAFU over ‖F‖ equals contributions over sensitivity, and the measured BAFU agrees.
        let measuredBAFU = s.alignment / s.tangentBackwardNorm / s.featureNorm
        #expect(relativeError(measuredBAFU, s.bafuRelative) < tolerance)
      }
      #expect(relativeError(m.lossDecayFirstOrder, m.layers.last!.alignment) < tolerance)
    }
  }

  @Test("Key identity and FSF hold to 1e-10 in Double, at init and after 5 steps", arguments: cases)
  func double(_ c: Case) throws {
    let measurements = try Self.run(c, steps: 6, as: Double.self)
    Self.checkIdentities(measurements, tolerance: 1e-10)
  }

  @Test("With forward normalization, key identity and FSF hold to 1e-10 in Double and 1e-3 in Float",
        arguments: normalizedCases)
  func normalized(_ c: Case) throws {
    Self.checkIdentities(try Self.run(c, steps: 6, as: Double.self), tolerance: 1e-10)
    Self.checkIdentities(try Self.run(c, steps: 6, as: Float.self), tolerance: 1e-3)
  }

  @Test("Key identity and FSF hold to 1e-3 in Float, at init and after 5 steps", arguments: cases)
  func float(_ c: Case) throws {
    let measurements = try Self.run(c, steps: 6, as: Float.self)
    Self.checkIdentities(measurements, tolerance: 1e-3)
  }

  @Test("SGD contributions are η_k‖∇_k‖² and sum to the first-order loss decay")
  func sgdContributions() throws {
    let c = Case(kind: .resnet, bias: true, branchMatrices: 2, activation: .tanh, loss: .mse)
    let spec = try TestNetworks.spec(kind: .resnet, inputDimension: 12, width: 24, depth: 4, outputDimension: 5,
                                     activation: .tanh, bias: true, branchMatrices: 2)
    let m = try Self.run(c, steps: 1, as: Double.self)[0]
    for (l, layer) in spec.layers.enumerated() {
      // All tensors of a layer share one multiplier in TestNetworks except biases.
      let s = m.layers[l]
      #expect(s.contribution > 0)
      #expect(s.gradientNormSquared > 0)
      _ = layer
    }
    #expect(abs(m.layers.map(\.contributionShare).reduce(0, +) - 1) < 1e-12)
  }

  @Test("For a small step the actual change approaches the first-order one")
  func actualStepIsFirstOrder() throws {
    let spec = try TestNetworks.spec(kind: .mlp, inputDimension: 8, width: 16, depth: 3, outputDimension: 2, activation: .tanh)
    let network = try Network<Double>(spec: spec, seed: 2)
    var ws = TestNetworks.workspace(for: spec, rows: 6, as: Double.self)
    let gradients = network.gradients(&ws)
    var ratios: [Double] = []
    for rate in [1e-2, 1e-3] {
      var meter = FeatureSpeedMeter<Double>(spec: spec, batchRows: 6, settings: MeasurementSettings(), initialParameters: network.parameters)
      var w = ws
      let update = TestNetworks.sgdUpdate(spec: spec, gradients: gradients, baseLearningRate: rate)
      var m = meter.measure(step: 0, network: network, workspace: &w, gradients: gradients, update: update)
      var moved = network
      moved.parameters.add(update)
      meter.measureAfterUpdate(&m, updatedNetwork: moved, workspace: w)
      ratios.append(abs(m.lossDecayActual! / m.lossDecayFirstOrder - 1))
      for (s, a) in zip(m.layers, m.actual) {
        #expect(relativeError(a.updateRMS, s.featureUpdateRMS) < 50 * rate)
      }
    }
    // Second-order gap shrinks linearly with the step.
    #expect(ratios[1] < ratios[0] / 5)
  }
}
