import Testing
import NumericCore
import Networks
import Measurements
import _TestSupport

@testable import Training

/// The key identity `−⟨b_ℓ, δF_ℓ⟩ = Σ_{k≤ℓ} C_k` with `C_k = −⟨∇_k, δθ_k⟩` (theory §3.1–3.2) and the
/// feature speed formula, for every optimizer, measured through `StepEngine` in exact mode over
/// several steps (so momentum and moments are non-trivial), in Float64 to 1e-10.
@Suite struct OptimizerIdentityTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var settings: OptimizerSettings
    var kind: ArchitectureKind
    var baseLearningRate: Double
    var testDescription: String {
      let variant = settings.kind == .spectral ? " \(settings.newtonSchulzVariant.rawValue)" : settings.nesterov ? " nesterov" : ""
      return "\(settings.kind.rawValue)\(variant) \(kind.rawValue)"
    }
  }

  static let cases: [Case] = [ArchitectureKind.mlp, .resnet].flatMap { kind in
    [
      (OptimizerSettings(kind: .sgd), 0.002), (OptimizerSettings(kind: .momentum), 0.0005),
      (OptimizerSettings(kind: .momentum, nesterov: true), 0.0005), (OptimizerSettings(kind: .adam), 0.001),
      (OptimizerSettings(kind: .adamw, weightDecay: 0.1), 0.001), (OptimizerSettings(kind: .spectral), 0.005),
      (OptimizerSettings(kind: .spectral, newtonSchulzVariant: .cubic), 0.005),
    ].map { settings, rate in
      // Gradient-proportional steps are larger in the (un-normalized) test ResNet.
      let factor = kind == .resnet && settings.family == .sgd ? 0.1 : 1
      return Case(settings: settings, kind: kind, baseLearningRate: rate * factor)
    }
  }

  /// Five steps on one batch of a small network with biases, measuring steps 0, 2, 3, 4 (step 1
  /// goes through the unmeasured path).
  static func measurements(_ c: Case) throws -> (measured: [StepMeasurement], losses: [Double]) {
    let spec = try TestNetworks.spec(
      kind: c.kind, inputDimension: 12, width: 24, depth: 4, outputDimension: 5, activation: .tanh, bias: true,
      loss: .mse, branchMatrices: c.kind == .resnet ? 2 : 1)
    var engine = try StepEngine<Double>(
      network: try Network(spec: spec, seed: 21), batchSize: 10, baseLearningRate: c.baseLearningRate,
      measurement: MeasurementSettings(), optimizer: c.settings)
    let batch = TestNetworks.workspace(for: spec, rows: 10, seed: 3, as: Double.self)
    engine.workspace.input = batch.input
    engine.workspace.targets = batch.targets
    var measured: [StepMeasurement] = []
    var losses: [Double] = []
    for step in 0..<5 {
      guard case .stepped(let loss, _, let measurement, _) = engine.step(index: step, measure: step != 1) else {
        Issue.record("step \(step) diverged")
        break
      }
      losses.append(loss)
      if let measurement { measured.append(measurement) }
    }
    return (measured, losses)
  }

  @Test("Key identity and FSF hold to 1e-10 in Double for every optimizer, over 5 steps", arguments: cases)
  func identities(_ c: Case) throws {
    let (measured, losses) = try Self.measurements(c)
    #expect(measured.map(\.step) == [0, 2, 3, 4])
    #expect(losses.allSatisfy { $0.isFinite })
    #expect(losses.last! < losses.first!, "training must make progress for the check to mean anything: \(losses)")
    for m in measured {
      for s in m.layers {
        let keyIdentity = relativeError(s.alignment, s.cumulativeContribution)
        #expect(keyIdentity < 1e-10, "step \(m.step) layer \(s.layer): −⟨b,δF⟩ = \(s.alignment), ΣC = \(s.cumulativeContribution)")
        let residual = s.fsfResidual ?? .infinity
        #expect(residual < 1e-10, "step \(m.step) layer \(s.layer): FSF residual \(residual)")
      }
      #expect(relativeError(m.lossDecayFirstOrder, m.layers.last!.alignment) < 1e-10)
      // The step really is first order: the actual loss change is close to −Σ C_k.
      let actual = try #require(m.lossDecayActual)
      #expect(abs(actual - m.lossDecayFirstOrder) < 0.2 * abs(m.lossDecayFirstOrder), "step \(m.step)")
    }
  }

  @Test("Measured and unmeasured steps move the parameters identically", arguments: cases.filter { $0.kind == .mlp })
  func measurementDoesNotChangeTraining(_ c: Case) throws {
    let spec = try TestNetworks.spec(kind: .mlp, inputDimension: 6, width: 8, depth: 3, outputDimension: 2, bias: true)
    func train(measure: (Int) -> Bool) throws -> NetworkParameters<Double> {
      var engine = try StepEngine<Double>(
        network: try Network(spec: spec, seed: 4), batchSize: 5, baseLearningRate: c.baseLearningRate,
        measurement: MeasurementSettings(), optimizer: c.settings)
      let batch = TestNetworks.workspace(for: spec, rows: 5, seed: 9, as: Double.self)
      engine.workspace.input = batch.input
      engine.workspace.targets = batch.targets
      for step in 0..<4 { _ = engine.step(index: step, measure: measure(step)) }
      return engine.network.parameters
    }
    let always = try train { _ in true }, never = try train { _ in false }, mixed = try train { $0 % 2 == 0 }
    for other in [never, mixed] {
      for (x, y) in zip(always.layers.flatMap { $0 }, other.layers.flatMap { $0 }) {
        #expect(relativeError(x.weight, y.weight) < 1e-13 && relativeError(x.bias!, y.bias!) < 1e-13)
      }
    }
  }

  @Test("Every optimizer's steps keep the parameter and workspace buffers in place", arguments: cases.filter { $0.kind == .resnet })
  func buffersStayInPlace(_ c: Case) throws {
    let spec = try TestNetworks.spec(kind: .resnet, inputDimension: 6, width: 8, depth: 3, outputDimension: 2, bias: true)
    var engine = try StepEngine<Double>(
      network: try Network(spec: spec, seed: 4), batchSize: 5, baseLearningRate: c.baseLearningRate,
      measurement: MeasurementSettings(), optimizer: c.settings)
    engine.workspace.input = TestNetworks.workspace(for: spec, rows: 5, seed: 9, as: Double.self).input
    func addresses() -> [UnsafeRawPointer?] {
      let matrices = engine.workspace.features + engine.workspace.backward
        + engine.network.parameters.layers.flatMap { $0.flatMap { [$0.weight, $0.bias!] } }
      return matrices.map { m in m.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
    }
    _ = engine.step(index: 0, measure: true)
    _ = engine.step(index: 1, measure: false)
    let before = addresses()
    for i in 2..<6 { _ = engine.step(index: i, measure: i % 2 == 0) }
    #expect(addresses() == before)
  }
}
