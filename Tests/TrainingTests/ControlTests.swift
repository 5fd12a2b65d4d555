import Testing
import NumericCore
import Networks
import Measurements
import Scalings
import _TestSupport

@testable import Training

/// FSC-control through `StepEngine` (theory §5.3), in Float64 with exact measurements.
@Suite struct ControlTests {
  static let optimizers: [(OptimizerSettings, Double)] = [
    (OptimizerSettings(kind: .sgd), 0.01), (OptimizerSettings(kind: .momentum, nesterov: true), 0.005),
    (OptimizerSettings(kind: .adam), 0.001), (OptimizerSettings(kind: .adamw, weightDecay: 0.1), 0.001),
    (OptimizerSettings(kind: .spectral), 0.01),
  ]

  static func engine(
    _ kind: ArchitectureKind, optimizer: OptimizerSettings, rate: Double, control: ControlSettings,
    normalizesFeatures: Bool = false
  ) throws -> StepEngine<Double> {
    let spec = try TestNetworks.spec(
      kind: kind, inputDimension: 10, width: 16, depth: 4, outputDimension: 3, activation: .relu, bias: true,
      loss: .mse, branchMatrices: 1, normalizesFeatures: normalizesFeatures)
    var engine = try StepEngine<Double>(
      network: try Network(spec: spec, seed: 5), batchSize: 12, baseLearningRate: rate,
      measurement: MeasurementSettings(measuresSpectra: false), optimizer: optimizer, control: control)
    let batch = TestNetworks.workspace(for: spec, rows: 12, seed: 8, as: Double.self)
    engine.workspace.input = batch.input
    engine.workspace.targets = batch.targets
    return engine
  }

  @Test("Adaptive rates give exactly the target contributions c_k·ρ·ℒ for every optimizer", arguments: [ArchitectureKind.mlp, .resnet])
  func adaptiveContributionsAreExact(kind: ArchitectureKind) throws {
    for (optimizer, rate) in Self.optimizers {
      for normalizes in [false, true] {
        let layers = kind == .mlp ? 4 : 6
        let weights = (1...layers).map { Double($0) }
        let control = ControlSettings(rates: .contributions(profile: .weights(weights), decayFraction: 0.02))
        var engine = try Self.engine(kind, optimizer: optimizer, rate: rate, control: control, normalizesFeatures: normalizes)
        let shares = weights.map { $0 / weights.reduce(0, +) }
        for step in 0..<4 {
          guard case .stepped(let loss, _, let m?, let decision?) = engine.step(index: step, measure: true) else {
            Issue.record("\(optimizer.kind) step \(step) did not step with a measurement and a decision")
            return
          }
          for (l, s) in m.layers.enumerated() {
            let target = shares[l] * 0.02 * loss
            #expect(relativeError(s.contribution, target) < 1e-12, "\(optimizer.kind) nf=\(normalizes) step \(step) layer \(s.layer): C = \(s.contribution), target \(target)")
            #expect(relativeError(s.alignment, s.cumulativeContribution) < 1e-10, "key identity under control")
            #expect(decision.targetContributions[l] == target)
          }
          #expect(relativeError(m.lossDecayFirstOrder, 0.02 * loss) < 1e-12)
        }
      }
    }
  }

  @Test("Backward normalization through the controller equals the literal backward-normalization layer", arguments: [ArchitectureKind.mlp, .resnet])
  func backwardNormalizationIsRescaledGD(kind: ArchitectureKind) throws {
    var controlled = try Self.engine(kind, optimizer: OptimizerSettings(), rate: 0.02, control: ControlSettings(backwardTarget: 0.5))
    var network = controlled.network
    var ws = controlled.workspace
    let normalization = try BackwardNormalization(target: 0.5)
    let rates = LearningRates(spec: network.spec, baseLearningRate: 0.02)
    for step in 0..<3 {
      _ = controlled.step(index: step, measure: step == 1)
      network.forward(&ws)
      network.computeLoss(&ws)
      network.backwardApplyingSGD(&ws, learningRates: rates, normalization: normalization)
      for (a, b) in zip(controlled.network.parameters.layers.flatMap { $0 }, network.parameters.layers.flatMap { $0 }) {
        #expect(relativeError(a.weight, b.weight) < 1e-12, "step \(step)")
        #expect(relativeError(a.bias!, b.bias!) < 1e-12, "step \(step)")
      }
    }
  }

  @Test("The feature-speed target meets the feature speed formula with the last measured cos θ")
  func featureSpeedTargetsUseTheFormula() throws {
    let control = ControlSettings(rates: .featureSpeed(0.01), cap: 1e9)
    var engine = try Self.engine(.mlp, optimizer: OptimizerSettings(), rate: 0.01, control: control)
    var previous: StepMeasurement?
    for step in 0..<4 {
      guard case .stepped(_, _, let m?, let decision?) = engine.step(index: step, measure: true) else {
        Issue.record("step \(step)")
        return
      }
      var cumulativeTarget = 0.0
      for (l, s) in m.layers.enumerated() {
        cumulativeTarget += decision.targetContributions[l]
        let cos = previous.map { $0.layers[l].bfaCos } ?? 1
        let fsf = 0.01 * s.featureRMS * Double(s.featureCount).squareRoot() * s.backwardNorm * cos
        if !decision.clamped[l] { #expect(relativeError(cumulativeTarget, fsf) < 1e-12, "step \(step) layer \(s.layer)") }
        #expect(relativeError(s.contribution, decision.targetContributions[l]) < 1e-12)
      }
      // At step 0 no angle is known (cos θ = 1 is assumed): by the FSF the realized speed is s / cos θ.
      if step == 0 {
        for (l, s) in m.layers.enumerated() where !decision.clamped[l] {
          #expect(relativeError(s.featureUpdateRMS / s.featureRMS, 0.01 / s.bfaCos) < 1e-10)
        }
      }
      previous = m
    }
  }

  @Test("After the calibration steps the factors stay fixed; unmeasured steps are controlled too")
  func calibrationFreezes() throws {
    let control = ControlSettings(rates: .contributions(profile: .uniform, decayFraction: 0.05), calibrationSteps: 2)
    var engine = try Self.engine(.mlp, optimizer: OptimizerSettings(kind: .adam), rate: 0.001, control: control)
    var decisions = [ControlDecision]()
    for step in 0..<5 {
      guard case .stepped(_, _, _, let d?) = engine.step(index: step, measure: step == 4) else { Issue.record("step \(step)"); return }
      decisions.append(d)
    }
    #expect(decisions.map(\.adapted) == [true, true, false, false, false])
    #expect(decisions[2].factors == decisions[1].factors && decisions[4].factors == decisions[1].factors)
    #expect(decisions[0].factors != decisions[1].factors)
  }
}
