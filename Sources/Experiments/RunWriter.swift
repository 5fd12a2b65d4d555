import Foundation
import Measurements
import Scalings
import Training

/// The training observer of a run directory: streams `measurements.csv`, `metrics.csv` and under
/// FSC-control `control.csv`, flushing at every measured step and evaluation (control: every 10
/// steps and at the end) so an interrupted run keeps its rows, and forwards events to the reporter.
struct RunWriter<Reporter: RunReporter>: TrainingObserver {
  /// Header of `metrics.csv`: train rows every step (batch loss before the update, and
  /// `learning_rate_factor`, the schedule's `s_t` applied at that step), test rows at evaluations
  /// (`step` = updates applied; no factor).
  static var metricsHeader: [String] { ["run", "step", "split", "loss", "accuracy", "seconds", "learning_rate_factor"] }

  let run: String
  let totalSteps: Int
  let measurements: CSVWriter
  let metrics: CSVWriter
  /// `control.csv`, under FSC-control only.
  let control: CSVWriter?
  /// User-facing layer indices, for the control rows.
  let layerIndices: [Int]
  var reporter: Reporter
  private(set) var lastRecord: StepRecord?
  private(set) var lastEvaluation: Evaluation?

  init(run: String, totalSteps: Int, directory: RunDirectory, reporter: Reporter, controlled: Bool = false, layerIndices: [Int] = []) throws {
    self.run = run
    self.totalSteps = totalSteps
    self.layerIndices = layerIndices
    measurements = try CSVWriter(url: directory.measurementsURL, header: LayerMeasurement.csvHeader)
    metrics = try CSVWriter(url: directory.metricsURL, header: Self.metricsHeader)
    control = controlled ? try CSVWriter(url: directory.controlURL, header: LayerMeasurement.csvHeader) : nil
    self.reporter = reporter
  }

  mutating func didStep(_ record: StepRecord) throws {
    lastRecord = record
    try metrics.append(row: [.text(run), .integer(record.step), "train", .double(record.loss), .double(record.accuracy), .double(record.elapsedSeconds),
      .double(record.learningRateFactor)])
    reporter.stepCompleted(record, totalSteps: totalSteps)
  }

  mutating func didMeasure(_ measurement: StepMeasurement) throws {
    for row in measurement.rows(run: run) {
      try measurements.append(row: [.text(row.run), .integer(row.step), CSVField(row.layer), .text(row.quantity), .double(row.value)])
    }
    try measurements.flush()
    try metrics.flush()
    reporter.stepMeasured(measurement)
  }

  mutating func didEvaluate(_ evaluation: Evaluation) throws {
    lastEvaluation = evaluation
    try metrics.append(row: [.text(run), .integer(evaluation.step), "test", .double(evaluation.loss), .double(evaluation.accuracy), .empty, .empty])
    try metrics.flush()
    reporter.evaluated(evaluation)
  }

  mutating func didControl(_ decision: ControlDecision) throws {
    guard let control else { return }
    for row in decision.rows(run: run, layerIndices: layerIndices) {
      try control.append(row: [.text(row.run), .integer(row.step), CSVField(row.layer), .text(row.quantity), .double(row.value)])
    }
    if decision.step % 10 == 0 { try control.flush() }
  }

  func shouldStop() -> Bool { reporter.shouldStop() }

  /// Flushes and closes every file.
  func close() throws {
    try measurements.close()
    try metrics.close()
    try control?.close()
  }
}
