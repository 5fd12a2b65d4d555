import Foundation
import Measurements
import Networks
import Scalings
import Training

/// The outcome of `featurespeed diagnose`.
public struct DiagnosisResult: Sendable {
  /// Per layer F, S, C, A with verdicts, hints and suggested multipliers (SPEC §5.2).
  public var diagnosis: FSCDiagnosis
  /// The learning-rate file written for `train --preset-file`: the suggested multipliers times
  /// those of the diagnosed run's own `--preset-file`, if any, so it applies on top of the preset alone.
  public var multipliers: LearningRateMultipliers
  /// The run directory (a calibration run: config.json, measurements.csv, metrics.csv) holding
  /// also `diagnosis.csv`, `diagnosis.json` and `lr-multipliers.json`.
  public var directory: URL

  /// `<directory>/lr-multipliers.json`.
  public var multipliersURL: URL { directory.appendingPathComponent(DiagnosisRun.multipliersFile) }
}

/// `featurespeed diagnose` (SPEC §5.2): a short calibration run of K steps, measured at every
/// step, then the FSC criteria per layer and the learning-rate multipliers that bring every
/// layer's contribution to its target share.
public enum DiagnosisRun {
  /// File names written next to the calibration run's files.
  public static let multipliersFile = "lr-multipliers.json"
  public static let diagnosisCSV = "diagnosis.csv"
  public static let diagnosisJSON = "diagnosis.json"

  /// Runs the calibration `request` (its `steps` are the K calibration steps; every step is
  /// measured) and evaluates the criteria against the profile `request.controlProfile`.
  /// - Throws: what `TrainingRun.execute` throws (set-up errors, `RunError.diverged`/`.interrupted`
  ///   with the calibration's files intact), `ControlError` for a profile that does not fit.
  public static func execute(
    _ request: RunRequest, thresholds: FSCThresholds = .standard, reporter: inout some RunReporter
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
    try file.write(to: directory.appendingPathComponent(multipliersFile))
    try JSONFile.write(diagnosis, to: directory.appendingPathComponent(diagnosisJSON))
    let csv = try CSVWriter(url: directory.appendingPathComponent(diagnosisCSV), header: LayerMeasurement.csvHeader)
    for row in diagnosis.rows(run: request.runName) {
      try csv.append(row: [.text(row.run), .integer(row.step), CSVField(row.layer), .text(row.quantity), .double(row.value)])
    }
    try csv.close()
    return DiagnosisResult(diagnosis: diagnosis, multipliers: file, directory: directory)
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
