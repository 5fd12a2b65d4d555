import Foundation
import Testing
import NumericCore
import Networks
import Measurements
import Scalings
import _TestSupport

@testable import Training

/// The learning-rate schedule `s_t` (`LearningRateSchedule`): its values, its validation, and the
/// theory §3 identities under it — measurements at a step use the rates applied at that step.
@Suite struct LearningRateScheduleTests {
  @Test("Known values: linear and cosine decay, linear warmup from 1/(W+1)")
  func knownValues() {
    func values(_ s: LearningRateSchedule, steps: Int) -> [Double] { (0..<steps).map { s.factor(step: $0, steps: steps) } }
    #expect(values(LearningRateSchedule(kind: .linear), steps: 4) == [1, 0.75, 0.5, 0.25])
    #expect(values(LearningRateSchedule(kind: .linear, finalFraction: 0.5), steps: 2) == [1, 0.75])
    let cosine = values(LearningRateSchedule(kind: .cosine), steps: 2)
    #expect(cosine[0] == 1 && abs(cosine[1] - 0.5) < 1e-15)
    #expect(values(LearningRateSchedule(kind: .constant, warmupSteps: 3), steps: 5) == [0.25, 0.5, 0.75, 1, 1])
    #expect(values(LearningRateSchedule(), steps: 3) == [1, 1, 1])
    #expect(LearningRateSchedule().isConstant && !LearningRateSchedule(warmupSteps: 1).isConstant)
    // The last step of a very long run still has s > 0 (no empty step, no zero rate).
    for kind in [LearningRateScheduleKind.linear, .cosine] {
      #expect(LearningRateSchedule(kind: kind).factor(step: 1_999_999_999, steps: 2_000_000_000) > 0)
    }
  }

  static let shapes: [LearningRateSchedule] = [LearningRateScheduleKind.constant, .linear, .cosine].flatMap { kind in
    [0, 1, 7].flatMap { warmup in
      (kind == .constant ? [nil] : [nil, 0.1, 1]).map { LearningRateSchedule(kind: kind, warmupSteps: warmup, finalFraction: $0) }
    }
  }

  @Test("Endpoints, bounds, monotonicity and continuity at the end of warmup", arguments: shapes)
  func shape(_ schedule: LearningRateSchedule) throws {
    let steps = 40, w = schedule.warmupSteps, f = schedule.resolvedFinalFraction
    try schedule.validate(steps: steps)
    let s = (0...steps).map { schedule.factor(step: $0, steps: steps) }
    #expect(s[0] == 1 / Double(w + 1), "starts at 1/(W+1)")
    #expect(s[w] == 1, "reaches 1 at the end of warmup")
    #expect(abs(s[steps] - f) < 1e-15, "tends to the final fraction at t = T: \(s[steps])")
    #expect(s[..<steps].allSatisfy { $0 > 0 && $0 <= 1 }, "every applied step has 0 < s ≤ 1")
    for t in 0..<w { #expect(abs(s[t + 1] - s[t] - 1 / Double(w + 1)) < 1e-15, "warmup rises by 1/(W+1) at step \(t)") }
    for t in w..<steps { #expect(s[t + 1] <= s[t], "decay is non-increasing at step \(t)") }
    // Continuity at t = W: the warmup line (t+1)/(W+1) continued to W gives the decay's value there,
    // and the first decay step moves by at most the largest slope of the decay, (1 − f)·π/2/(T − W).
    #expect(Double(w + 1) / Double(w + 1) == s[w])
    #expect(s[w] - s[w + 1] <= (1 - f) * Double.pi / 2 / Double(steps - w) + 1e-15)
  }

  @Test("Invalid schedules are rejected with the flag and a fix")
  func validation() {
    func message(_ s: LearningRateSchedule, steps: Int = 10) -> String? {
      do { try s.validate(steps: steps) } catch { return "\(error)" }
      return nil
    }
    #expect(message(LearningRateSchedule(warmupSteps: 10))?.contains("warmup-steps") == true)
    #expect(message(LearningRateSchedule(warmupSteps: 9)) == nil)
    #expect(message(LearningRateSchedule(warmupSteps: -1))?.contains("warmup-steps") == true)
    for bad in [-0.1, 1.5, Double.nan, .infinity] {
      #expect(message(LearningRateSchedule(kind: .cosine, finalFraction: bad))?.contains("lr-final-fraction") == true, "\(bad)")
    }
    #expect(message(LearningRateSchedule(kind: .constant, finalFraction: 0.1))?.contains("--lr-schedule linear or cosine") == true)
    // Through the training settings.
    var settings = TrainingSettings(baseLearningRate: 0.1, batchSize: 4, steps: 5, seed: 0)
    settings.schedule = LearningRateSchedule(kind: .linear, warmupSteps: 5)
    #expect(throws: TrainingError.self) { try settings.validate() }
  }

  @Test("Decoding: missing keys take the defaults, an unknown kind is an error")
  func decoding() throws {
    let decoder = JSONDecoder()
    #expect(try decoder.decode(LearningRateSchedule.self, from: Data("{}".utf8)) == LearningRateSchedule())
    let cosine = try decoder.decode(LearningRateSchedule.self, from: Data(#"{"kind":"cosine","warmupSteps":3}"#.utf8))
    #expect(cosine == LearningRateSchedule(kind: .cosine, warmupSteps: 3))
    #expect(throws: DecodingError.self) { try decoder.decode(LearningRateSchedule.self, from: Data(#"{"kind":"step"}"#.utf8)) }
    // Settings written before schedules existed decode with the constant schedule.
    let old = TrainingSettings(baseLearningRate: 0.1, batchSize: 4, steps: 5, seed: 0)
    var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(old)) as! [String: Any]
    json.removeValue(forKey: "schedule")
    let decoded = try decoder.decode(TrainingSettings.self, from: JSONSerialization.data(withJSONObject: json))
    #expect(decoded == old)
  }

  struct Recorder: TrainingObserver {
    var records: [StepRecord] = []
    var measurements: [StepMeasurement] = []
    mutating func didStep(_ record: StepRecord) throws { records.append(record) }
    mutating func didMeasure(_ measurement: StepMeasurement) throws { measurements.append(measurement) }
    mutating func didEvaluate(_ evaluation: Evaluation) throws {}
    func shouldStop() -> Bool { false }
  }

  @Test("Trainer under a schedule: at a warmup and a decay step, C_k = s_t·η_k‖∇_k‖², key identity and FSF to 1e-10 (Float64)")
  func trainerAppliesTheScheduledRates() throws {
    let data = try SyntheticDataSpec(
      targets: .teacher, task: DataTask(for: .mse), inputDimension: 10, outputDimension: 3, trainCount: 64,
      testCount: 0, seed: 2
    ).generate()
    let architecture = try Architecture(kind: .mlp, inputDimension: 10, width: 24, depth: 4, outputDimension: 3)
    let spec = try PresetResolution(architecture: architecture, loss: .mse, preset: Presets.mup, optimizer: .sgd).spec
    let schedule = LearningRateSchedule(kind: .cosine, warmupSteps: 4, finalFraction: 0.1)
    // Every step is measured; steps 1 (warmup, s = 2/5) and 8 (decay) are checked.
    let settings = TrainingSettings(baseLearningRate: 0.05, batchSize: 16, steps: 10, seed: 3, measureEvery: 1, schedule: schedule)
    var trainer = try Trainer(network: try Network<Double>(spec: spec, seed: 7), train: data.train, test: nil, settings: settings)
    var recorder = Recorder()
    #expect(try trainer.run(observer: &recorder) == .completed)
    #expect(recorder.records.map(\.learningRateFactor) == (0..<10).map { schedule.factor(step: $0, steps: 10) })
    for step in [1, 8] {
      let m = try #require(recorder.measurements.first { $0.step == step })
      let s = schedule.factor(step: step, steps: 10)
      #expect(step == 1 ? s == 0.4 : s < 1)
      for (l, layer) in m.layers.enumerated() {
        let rate = 0.05 * spec.layers[l].units[0].scaling.weight.learningRateMultiplier
        #expect(relativeError(layer.contribution, s * rate * layer.gradientNormSquared) < 1e-12, "step \(step) layer \(layer.layer)")
        #expect(relativeError(layer.alignment, layer.cumulativeContribution) < 1e-10, "key identity, step \(step) layer \(layer.layer)")
        #expect((layer.fsfResidual ?? .infinity) < 1e-10, "FSF residual, step \(step) layer \(layer.layer)")
      }
    }
  }

  static let engineCases: [(String, OptimizerSettings, ControlSettings)] = [
    ("sgd", OptimizerSettings(kind: .sgd), ControlSettings()),
    ("adamw", OptimizerSettings(kind: .adamw, weightDecay: 0.1), ControlSettings()),
    ("momentum", OptimizerSettings(kind: .momentum), ControlSettings()),
    ("sgd + adaptive control", OptimizerSettings(kind: .sgd), ControlSettings(rates: .contributions(profile: .uniform, decayFraction: 0.02))),
    ("adam + adaptive control", OptimizerSettings(kind: .adam), ControlSettings(rates: .contributions(profile: .uniform, decayFraction: 0.02))),
    ("adam + backward normalization", OptimizerSettings(kind: .adam), ControlSettings(backwardTarget: 1)),
  ]

  @Test("A step at factor s measures s × the step at factor 1 (the schedule scales the controlled step, never undone by control)",
        arguments: engineCases.indices)
  func factorScalesTheMeasuredStep(_ index: Int) throws {
    let (name, optimizer, control) = Self.engineCases[index]
    let spec = try TestNetworks.spec(
      kind: .mlp, inputDimension: 10, width: 16, depth: 4, outputDimension: 3, activation: .tanh, bias: true, loss: .mse)
    var engine = try StepEngine<Double>(
      network: try Network(spec: spec, seed: 5), batchSize: 12, baseLearningRate: 0.002,
      measurement: MeasurementSettings(measuresSpectra: false), optimizer: optimizer, control: control)
    let batch = TestNetworks.workspace(for: spec, rows: 12, seed: 8, as: Double.self)
    engine.workspace.input = batch.input
    engine.workspace.targets = batch.targets
    // Some steps first (warmup-like factors), so momentum, moments and control factors are non-trivial.
    for (step, s) in [0.25, 0.5, 0.75].enumerated() { _ = engine.step(index: step, measure: step == 1, learningRateFactor: s) }
    for s in [0.3, 0.05] {
      var reference = engine
      guard case .stepped(_, _, let unit?, _) = reference.step(index: 3, measure: true, learningRateFactor: 1),
        case .stepped(_, _, let scaled?, _) = engine.step(index: 3, measure: true, learningRateFactor: s)
      else {
        Issue.record("\(name): no measurement")
        return
      }
      for (a, b) in zip(unit.layers, scaled.layers) {
        #expect(relativeError(b.contribution, s * a.contribution) < 1e-12, "\(name) s = \(s) layer \(a.layer)")
        #expect(relativeError(b.featureUpdateNorm, s * a.featureUpdateNorm) < 1e-12, "\(name) s = \(s) layer \(a.layer)")
        #expect(relativeError(b.alignment, b.cumulativeContribution) < 1e-10, "\(name): key identity at s = \(s)")
        #expect((b.fsfResidual ?? .infinity) < 1e-10, "\(name): FSF residual at s = \(s)")
      }
      engine = reference  // continue from the unit step so both s start from the same state
    }
  }
}
