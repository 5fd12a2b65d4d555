import Foundation
import Measurements
import Scalings
import Training

/// The training observer of a run directory: streams `measurements.csv`, `metrics.csv` and under
/// FSC-control `control.csv`, flushing at every measured step and evaluation (control: every 10
/// steps and at the end) so an interrupted run keeps its rows, and unless turned off a TensorBoard
/// event file with the same numbers as scalars (`TensorBoardEventFile`, flushed with the CSV
/// files); forwards events to the reporter.
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
  /// The TensorBoard event file, unless turned off.
  let events: TensorBoardEventFile?
  /// User-facing layer indices, for the control rows.
  let layerIndices: [Int]
  var reporter: Reporter
  private(set) var lastRecord: StepRecord?
  private(set) var lastEvaluation: Evaluation?

  init(
    run: String, totalSteps: Int, directory: RunDirectory, reporter: Reporter, controlled: Bool = false, layerIndices: [Int] = [],
    tensorBoard: Bool = true
  ) throws {
    self.run = run
    self.totalSteps = totalSteps
    self.layerIndices = layerIndices
    measurements = try CSVWriter(url: directory.measurementsURL, header: LayerMeasurement.csvHeader)
    metrics = try CSVWriter(url: directory.metricsURL, header: Self.metricsHeader)
    control = controlled ? try CSVWriter(url: directory.controlURL, header: LayerMeasurement.csvHeader) : nil
    // A rerun into the same directory replaces the earlier run's event file, as it does the CSVs.
    for old in directory.tensorBoardEventFiles { try? FileManager.default.removeItem(at: old) }
    events = tensorBoard ? try TensorBoardEventFile(url: directory.url.appendingPathComponent(TensorBoardEventFile.fileName())) : nil
    self.reporter = reporter
  }

  mutating func didStep(_ record: StepRecord) throws {
    lastRecord = record
    try metrics.append(row: [.text(run), .integer(record.step), "train", .double(record.loss), .double(record.accuracy), .double(record.elapsedSeconds),
      .double(record.learningRateFactor)])
    try events?.add(step: record.step, scalars: [
      ("train/loss", record.loss), ("train/accuracy", record.accuracy), ("train/learning_rate_factor", record.learningRateFactor),
    ])
    reporter.stepCompleted(record, totalSteps: totalSteps)
  }

  mutating func didMeasure(_ measurement: StepMeasurement) throws {
    for row in measurement.rows(run: run) {
      try measurements.append(row: [.text(row.run), .integer(row.step), CSVField(row.layer), .text(row.quantity), .double(row.value)])
    }
    try events?.add(step: measurement.step, scalars: measurement.rows(run: run).map { (Self.tensorBoardTag($0), $0.value) })
    try measurements.flush()
    try metrics.flush()
    try events?.flush()
    reporter.stepMeasured(measurement)
  }

  mutating func didEvaluate(_ evaluation: Evaluation) throws {
    lastEvaluation = evaluation
    try metrics.append(row: [.text(run), .integer(evaluation.step), "test", .double(evaluation.loss), .double(evaluation.accuracy), .empty, .empty])
    try events?.add(step: evaluation.step, scalars: [("test/loss", evaluation.loss), ("test/accuracy", evaluation.accuracy)])
    try metrics.flush()
    try events?.flush()
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

  /// The TensorBoard tag of a measurement row: `bfa_cos/layer_03`, or the quantity alone for a
  /// row without a layer.
  static func tensorBoardTag(_ row: LayerMeasurement) -> String {
    guard let layer = row.layer else { return row.quantity }
    return "\(row.quantity)/layer_\(layer < 10 ? "0" : "")\(layer)"
  }

  /// Flushes and closes every file.
  func close() throws {
    try measurements.close()
    try metrics.close()
    try control?.close()
    try events?.close()
  }
}
