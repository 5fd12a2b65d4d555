import Foundation
import Measurements
import Networks
import Scalings
import Training

/// What `featurespeed diagnose` recommends (docs/control.md, "What it recommends, and how it checks it").
public enum DiagnosisAdvice: Codable, Equatable, Sendable {
  /// Every criterion passes: keep the rates (no multiplier file is written).
  case noChange
  /// Warnings, but none about contributions: per-layer multipliers cannot fix them; the hints
  /// say what to change, and FSC-control can steer the rates during training.
  case noMultipliers
  /// The multipliers of the layers whose contribution is off, written to `lr-multipliers.json`;
  /// `check` is the paired check they passed (`nil`: not checked, `--check-seeds 0`).
  case multipliers(check: AdviceCheck?)
  /// The multipliers did not lower the loss in every seed of the check: not recommended (they
  /// are kept as `check/candidate-multipliers.json`); FSC-control is suggested instead.
  case rejected(check: AdviceCheck)
}

/// The outcome of `featurespeed diagnose`.
public struct DiagnosisResult: Sendable {
  /// Per layer F, S, C, A with verdicts, hints and suggested multipliers (theory §5.2).
  public var diagnosis: FSCDiagnosis
  /// The suggested multipliers times those of the diagnosed run's own `--preset-file`, if any, so
  /// they apply on top of the preset alone (all 1 where no contribution is off).
  public var multipliers: LearningRateMultipliers
  /// What is recommended, and how it was checked.
  public var advice: DiagnosisAdvice
  /// The run directory (a calibration run: config.json, measurements.csv, metrics.csv) holding
  /// also `diagnosis.csv`, `diagnosis.json`, `advice.json`, the check's runs under `check/` and,
  /// when recommended, `lr-multipliers.json`.
  public var directory: URL

  /// `<directory>/lr-multipliers.json` (written only when the advice is `.multipliers`).
  public var multipliersURL: URL { directory.appendingPathComponent(DiagnosisRun.multipliersFile) }
  /// `<directory>/check/candidate-multipliers.json`: the multipliers the check ran with.
  public var candidateURL: URL { directory.appendingPathComponent(DiagnosisRun.candidateFile) }
}

/// `featurespeed diagnose` (theory §5.2): a short calibration run of K steps, measured at every
/// step, then the FSC criteria per layer and, for the layers whose contribution is off, the
/// learning-rate multipliers that bring it to its target share — recommended only when a paired
/// check shows they lower the loss.
public enum DiagnosisRun {
  /// File names written next to the calibration run's files.
  public static let multipliersFile = "lr-multipliers.json"
  public static let candidateFile = "check/candidate-multipliers.json"
  public static let diagnosisCSV = "diagnosis.csv"
  public static let diagnosisJSON = "diagnosis.json"
  public static let adviceJSON = "advice.json"
  public static let checkCSV = "check/check.csv"

  /// Runs the calibration `request` (its `steps` are the K calibration steps; every step is
  /// measured), evaluates the criteria against the profile `request.controlProfile` and, when
  /// some layer's contribution is off, checks the suggested multipliers with paired runs.
  /// - Parameters:
  ///   - check: the paired check (`seeds` runs of `steps` steps with and without the multipliers).
  ///   - progress: called before each check run with a line to show.
  /// - Throws: what `TrainingRun.execute` throws (set-up errors, `RunError.diverged`/`.interrupted`
  ///   with the calibration's files intact; a check run that diverges counts as an infinite loss),
  ///   `ControlError` for a profile that does not fit.
  public static func execute(
    _ request: RunRequest, thresholds: FSCThresholds = .standard, check: AdviceCheckSettings = .init(),
    reporter: inout some RunReporter, progress: (String) -> Void = { _ in }
  ) throws -> DiagnosisResult {
    var request = request
    request.measureEvery = 1
    var collector = CollectingReporter(base: reporter)
    let configuration: RunConfiguration
    do {
      configuration = try TrainingRun.execute(request, reporter: &collector)
      reporter = collector.base
    } catch {
      reporter = collector.base
      throw error
    }
    let directory = collector.directory!
    let shares = try request.controlProfile.shares(layerCount: configuration.architecture.layerCount)
    let diagnosis = FSCDiagnosis(measurements: collector.measurements, targetShares: shares, thresholds: thresholds)
    var file = diagnosis.multipliers(
      preset: configuration.preset, architecture: configuration.architecture.kind, depth: configuration.architecture.depth,
      source: "featurespeed diagnose, \(request.steps) calibration steps of run \(request.runName)")
    if let path = request.presetFile {
      let previous = try LearningRateMultipliers.read(from: URL(fileURLWithPath: path))
      for i in file.layers.indices {
        if let old = previous.layers.first(where: { $0.layer == file.layers[i].layer }) {
          file.layers[i].multiplier *= old.multiplier
        }
      }
    }
    try JSONFile.write(diagnosis, to: directory.appendingPathComponent(diagnosisJSON))
    let csv = try CSVWriter(url: directory.appendingPathComponent(diagnosisCSV), header: LayerMeasurement.csvHeader)
    for row in diagnosis.rows(run: request.runName) {
      try csv.append(row: [.text(row.run), .integer(row.step), CSVField(row.layer), .text(row.quantity), .double(row.value)])
    }
    try csv.close()

    let advice: DiagnosisAdvice
    if diagnosis.warnedLayers.isEmpty {
      advice = .noChange
    } else if !diagnosis.layers.contains(where: { $0.warnings.contains(.contribution) }) {
      advice = .noMultipliers
    } else if check.seeds < 1 {
      advice = .multipliers(check: nil)
    } else {
      let candidate = directory.appendingPathComponent(candidateFile)
      try FileManager.default.createDirectory(at: candidate.deletingLastPathComponent(), withIntermediateDirectories: true)
      try file.write(to: candidate)
      let result = try runCheck(request, candidate: candidate, in: directory, settings: check, reporter: reporter, progress: progress)
      advice = result.helps ? .multipliers(check: result) : .rejected(check: result)
    }
    if case .multipliers = advice { try file.write(to: directory.appendingPathComponent(multipliersFile)) }
    try JSONFile.write(advice, to: directory.appendingPathComponent(adviceJSON))
    return DiagnosisResult(diagnosis: diagnosis, multipliers: file, advice: advice, directory: directory)
  }

  /// The paired check: per seed, `settings.steps` steps at the diagnosed rates and with the
  /// `candidate` file, from the same initialization and batches, unmeasured, evaluated on the test
  /// split at the end (synthetic data: the default test size). Writes `check/check.csv`.
  static func runCheck(
    _ request: RunRequest, candidate: URL, in directory: URL, settings: AdviceCheckSettings,
    reporter: some RunReporter, progress: (String) -> Void
  ) throws -> AdviceCheck {
    var trials = [AdviceTrial]()
    var hasTestSplit = false
    let rows = try CSVWriter(url: directory.appendingPathComponent(checkCSV), header: ["seed", "rates", "loss"])
    for i in 0..<settings.seeds {
      let seed = request.seed &+ UInt64(i)
      var losses = [Double]()
      for (arm, presetFile) in [("unchanged", request.presetFile), ("multipliers", candidate.path)] {
        progress("checking the multipliers: seed \(seed) (\(i + 1)/\(settings.seeds)), \(arm) rates, \(settings.steps) steps")
        var run = request
        run.name = "\(request.runName)-check-s\(seed)-\(arm)"
        run.seed = seed
        run.steps = settings.steps
        run.measureEvery = 0
        run.evaluateEvery = 0
        run.testSize = RunRequest().testSize
        run.presetFile = presetFile
        run.output = directory.appendingPathComponent("check/s\(seed)-\(arm)").path
        run.overwrite = true
        var recorder = LossRecorder(base: reporter)
        do {
          _ = try TrainingRun.execute(run, reporter: &recorder)
          losses.append(AdviceCheck.loss(evaluations: recorder.evaluations, stepLosses: recorder.stepLosses))
        } catch RunError.diverged {
          losses.append(.infinity)
        }
        hasTestSplit = hasTestSplit || recorder.testCount > 0
        try rows.append(row: [.text("\(seed)"), .text(arm), .double(losses.last!)])
      }
      trials.append(AdviceTrial(seed: seed, unchanged: losses[0], adjusted: losses[1]))
    }
    try rows.close()
    return AdviceCheck(metric: AdviceCheck.metric(hasTestSplit: hasTestSplit, steps: settings.steps), steps: settings.steps, trials: trials)
  }
}

/// Forwards every event to `base` and keeps the measured steps and the run directory.
struct CollectingReporter<Base: RunReporter>: RunReporter {
  var base: Base
  var measurements = [StepMeasurement]()
  var directory: URL?

  mutating func runStarted(_ configuration: RunConfiguration, directory: URL) {
    self.directory = directory
    base.runStarted(configuration, directory: directory)
  }
  mutating func stepCompleted(_ record: StepRecord, totalSteps: Int) { base.stepCompleted(record, totalSteps: totalSteps) }
  mutating func stepMeasured(_ measurement: StepMeasurement) {
    measurements.append(measurement)
    base.stepMeasured(measurement)
  }
  mutating func evaluated(_ evaluation: Evaluation) { base.evaluated(evaluation) }
  mutating func runEnded(_ configuration: RunConfiguration, directory: URL) { base.runEnded(configuration, directory: directory) }
  func shouldStop() -> Bool { base.shouldStop() }
}
