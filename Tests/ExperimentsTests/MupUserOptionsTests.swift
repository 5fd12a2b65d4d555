import Foundation
import Measurements
import Networks
import NumericCore
import Scalings
import Testing
import Training
import _TestSupport

@testable import Experiments

/// What mup users lean on, end to end through `RunRequest`: `--base-width` (mup at its base width
/// is sp), `--zero-readout`, learning-rate schedules, and their sweep keys.
@Suite struct MupUserOptionsTests {
  static func request(preset: String, width: Int = 256, baseWidth: Int? = nil) -> RunRequest {
    var r = RunRequest()
    r.preset = preset
    r.width = width
    r.baseWidth = baseWidth
    r.bias = true
    r.inputDimension = 16
    r.outputDimension = 4
    r.trainSize = 64
    r.testSize = 0
    r.batchSize = 16
    r.steps = 5
    r.learningRate = 0.1
    return r
  }

  /// The batch losses of `steps` SGD steps of `request` in Float64.
  static func losses(_ request: RunRequest) throws -> [Double] {
    let setup = try RunSetup(request)
    var trainer = try Trainer(
      network: try Network<Double>(spec: setup.spec, seed: request.seed), train: setup.data.train, test: nil,
      settings: request.trainingSettings)
    struct Losses: TrainingObserver {
      var values: [Double] = []
      mutating func didStep(_ record: StepRecord) throws { values.append(record.loss) }
      mutating func didMeasure(_ measurement: StepMeasurement) throws {}
      mutating func didEvaluate(_ evaluation: Evaluation) throws {}
      func shouldStop() -> Bool { false }
    }
    var observer = Losses()
    #expect(try trainer.run(observer: &observer) == .completed)
    return observer.values
  }

  @Test("--preset mup --base-width 256 --width 256 is --preset sp --width 256: same scalings, same losses", arguments: ["sgd", "adam"])
  func mupAtBaseWidthIsStandard(optimizer: String) throws {
    var mup = Self.request(preset: "mup", baseWidth: 256)
    var sp = Self.request(preset: "sp")
    mup.optimizer.kind = try #require(OptimizerKind(rawValue: optimizer))
    sp.optimizer.kind = mup.optimizer.kind
    #expect(try RunSetup(mup).spec == RunSetup(sp).spec)
    let a = try Self.losses(mup), b = try Self.losses(sp)
    #expect(a.count == 5 && a == b, "\(a) vs \(b)")
    // Without the base width, μP at width 256 is a different network.
    mup.baseWidth = nil
    #expect(try RunSetup(mup).spec != RunSetup(sp).spec)
    #expect(try Self.losses(mup) != b)
  }

  @Test("The options are validated, decoded from old configs with their defaults, and recorded in the request")
  func validationAndDecoding() throws {
    var r = Self.request(preset: "mup", baseWidth: 0)
    #expect(throws: RunError.self) { try r.validate() }
    r.baseWidth = 64
    r.warmupSteps = 5  // = steps
    #expect(throws: TrainingError.self) { try r.validate() }
    r.warmupSteps = 2
    r.learningRateSchedule = .cosine
    r.learningRateFinalFraction = 2
    #expect(throws: TrainingError.self) { try r.validate() }
    r.learningRateFinalFraction = 0.1
    r.zeroReadout = true
    try r.validate()
    #expect(r.trainingSettings.schedule == LearningRateSchedule(kind: .cosine, warmupSteps: 2, finalFraction: 0.1))
    let decoded = try JSONDecoder().decode(RunRequest.self, from: JSONEncoder().encode(r))
    #expect(decoded == r)
    // A config written before these options existed.
    let old = try JSONDecoder().decode(RunRequest.self, from: Data(#"{"preset":"mup"}"#.utf8))
    #expect(old.baseWidth == nil && !old.zeroReadout && old.learningRateSchedule == .constant && old.warmupSteps == 0)
    #expect(old.learningRateFinalFraction == nil)
  }

  @Test("Sweep keys lr-schedule, warmup-steps, lr-final-fraction, zero-readout, base-width in base: and grid:")
  func sweepKeys() throws {
    let config = try SweepConfig.parse(yaml: """
      name: mup-user
      base:
        steps: 50
        warmup-steps: 5
        zero-readout: true
      grid:
        base-width: [null, 64]
        lr-final-fraction: [0, 0.1]
        lr-schedule: [linear, cosine]
      """, source: "sweep.yaml")
    #expect(config.cells.count == 8)
    for cell in config.cells {
      #expect(cell.request.warmupSteps == 5 && cell.request.zeroReadout)
    }
    #expect(Set(config.cells.map(\.request.baseWidth)) == [nil, 64])
    #expect(Set(config.cells.map(\.request.learningRateFinalFraction)) == [0, 0.1])
    #expect(Set(config.cells.map(\.request.learningRateSchedule)) == [.linear, .cosine])
    let grid = try SweepConfig.parse(
      yaml: "name: w\nbase:\n  lr-schedule: cosine\n  base-width: 32\ngrid:\n  warmup-steps: [0, 10]\n  zero-readout: [false, true]\n",
      source: "s")
    #expect(grid.cells.map(\.request.warmupSteps) == [0, 0, 10, 10])
    #expect(grid.cells.map(\.request.zeroReadout) == [false, true, false, true])
    #expect(grid.cells.allSatisfy { $0.request.learningRateSchedule == .cosine && $0.request.baseWidth == 32 })
  }

  @Test("Bad sweep values for the new keys are errors at their line", arguments: [
    "lr-schedule: step", "lr-final-fraction: 1.5", "warmup-steps: -1", "base-width: 0", "zero-readout: maybe",
    "warmup-steps: 200",  // not below steps (200 by default)
  ])
  func badSweepValues(line: String) {
    #expect(throws: SweepConfigError.self, "\(line)") {
      _ = try SweepConfig.parse(yaml: "name: bad\nbase:\n  \(line)\n", source: "s")
    }
  }

  @Test("A zero-readout run writes NaN cos θ at step 0 for hidden layers, identities hold from step 1; metrics.csv has the factor")
  func zeroReadoutRun() throws {
    try withTemporaryDirectory { directory in
      var r = Self.request(preset: "mup", width: 32)
      r.zeroReadout = true
      r.dtype = .float64
      r.loss = .mse
      r.steps = 4
      r.measureEvery = 1
      r.warmupSteps = 2
      r.learningRateSchedule = .linear
      r.output = directory.path
      var reporter = SilentReporter()
      let configuration = try TrainingRun.execute(r, reporter: &reporter)
      #expect(configuration.status == "completed")
      #expect(configuration.training.schedule == r.schedule)
      #expect(configuration.request.zeroReadout)
      let readout = try #require(configuration.layers.last { $0.role == .output })
      #expect(readout.initStandardDeviation == 0)
      let rows = try String(contentsOf: directory.appendingPathComponent("measurements.csv"), encoding: .utf8)
        .split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
      func values(_ quantity: String, step: Int) -> [String: String] {
        Dictionary(uniqueKeysWithValues: rows.filter { $0[1] == "\(step)" && $0[3] == quantity }.map { ($0[2], $0[4]) })
      }
      let cosines = values("bfa_cos", step: 0)
      #expect(cosines["1"] == "nan" && cosines["2"] == "nan" && cosines["3"] == "nan", "\(cosines)")
      #expect(Double(cosines["4"] ?? "") ?? .nan > 0, "the readout learns at step 0: \(cosines)")
      for step in 1..<4 {
        let residuals = values("fsf_residual", step: step)
        #expect(residuals.count == 4 && residuals.values.allSatisfy { (Double($0) ?? .infinity) < 1e-10 }, "step \(step): \(residuals)")
      }
      let metrics = try String(contentsOf: directory.appendingPathComponent("metrics.csv"), encoding: .utf8)
        .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
      #expect(metrics[0].last == "learning_rate_factor")
      let factors = metrics.dropFirst().filter { $0[2] == "train" }.map { Double($0[6])! }
      #expect(factors == (0..<4).map { r.schedule.factor(step: $0, steps: 4) })
      #expect(factors == [1.0 / 3, 2.0 / 3, 1, 0.5])
    }
  }
}
