import Foundation

/// The points of a learning-rate sweep directory, read from its cells (docs/transfer.md).
///
/// Every finished cell (completed or diverged, see `SweepCellStatus`) gives one `TransferPoint`:
/// the loss of its `metrics.csv` at step T — the batch loss before update T (`train-loss`) or the
/// test loss after T updates (`test-loss`) — or `+∞` when it diverged at or before T. Unfinished
/// cells are listed in `skipped` and give no point, so a partial sweep can be checked.
public struct TransferData: Sendable {
  /// The axis the rate should transfer along.
  public var axis: TransferAxis
  /// The metric read (the default resolved).
  public var metric: TransferMetric
  /// The step T asked for, or nil for each cell's last row of the metric.
  public var step: Int?
  /// Grid keys that define the groups (all but the axis, `learning-rate` and `seed`).
  public var groupKeys: [String]
  /// One point per finished cell, in grid order.
  public var points: [TransferPoint]
  /// Cells left out, with the reason (`not finished`, `no test-loss row at step 40`).
  public var skipped: [(cell: String, reason: String)]

  /// Reads the sweep in `directory`.
  /// - Parameters:
  ///   - metric: the loss to read, or nil for `test-loss` when a finished cell has test rows and
  ///     `train-loss` otherwise.
  ///   - step: T, or nil for the last row of the metric in each cell.
  /// - Throws: `TransferError.notASweep`, `.noLearningRateAxis`, `.noTransferAxis`,
  ///   `.noFinishedCells`, `.missingMetric`, `.unreadableCell`.
  public static func load(directory: URL, axis: TransferAxis, metric: TransferMetric? = nil, step: Int? = nil) throws -> TransferData {
    let manifest: SweepManifest
    do { manifest = try SweepManifest.load(from: directory) } catch SweepError.notASweep(let path) {
      throw TransferError.notASweep(path: path)
    }
    return try load(cells: manifest.cells, keys: manifest.keys, directory: directory, axis: axis, metric: metric, step: step)
  }

  /// Reads the given cells of a directory of cells (`cells/<id>/`, as `SweepRunner` writes them)
  /// whose grid keys are `keys`: `load(directory:…)` without a `sweep.json` (reproductions).
  /// - Throws: as `load(directory:axis:metric:step:)`, except `.notASweep`.
  public static func load(
    cells: [SweepCell], keys: [String], directory: URL, axis: TransferAxis, metric: TransferMetric? = nil, step: Int? = nil
  ) throws -> TransferData {
    let rateKey = "learning-rate"
    guard keys.contains(rateKey) else { throw TransferError.noLearningRateAxis(path: directory.path, keys: keys) }
    guard keys.contains(axis.key), Set(cells.map { axis.value(of: $0.request) }).count >= 2 else {
      throw TransferError.noTransferAxis(axis: axis.key, keys: keys)
    }
    let groupKeys = keys.filter { ![axis.key, rateKey, "seed"].contains($0) }

    var finished = [(cell: SweepCell, status: SweepCellStatus, rows: [MetricsRow], config: RunConfiguration?)]()
    var skipped = [(cell: String, reason: String)]()
    for cell in cells {
      let cellDirectory = SweepRunner.cellDirectory(cell.id, in: directory)
      let status = SweepCellStatus.of(cellDirectory)
      guard status.isFinished else {
        skipped.append((cell.id, "not finished (\(status.rawValue))"))
        continue
      }
      let rows: [MetricsRow]
      do {
        rows = try MetricsRow.read(cellDirectory.appendingPathComponent(RunDirectory.File.metrics.rawValue))
      } catch {
        throw TransferError.unreadableCell(id: cell.id, reason: "metrics.csv could not be read (\(error)).")
      }
      let config = try? JSONFile.read(RunConfiguration.self, from: cellDirectory.appendingPathComponent(RunDirectory.File.config.rawValue))
      finished.append((cell, status, rows, config))
    }
    guard !finished.isEmpty else { throw TransferError.noFinishedCells(path: directory.path, pending: skipped.count) }

    let resolved = metric ?? (finished.contains { $0.rows.contains { $0.split == "test" } } ? .testLoss : .trainLoss)
    var points = [TransferPoint]()
    for (cell, status, rows, config) in finished {
      let group = groupKeys.isEmpty
        ? "all" : cell.values.filter { groupKeys.contains($0.key) }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
      let divergedAt = status == .diverged ? (config?.divergedAtStep ?? Int.min) : nil
      func point(loss: Double, diverged: Bool, step: Int) -> TransferPoint {
        TransferPoint(
          group: group, preset: cell.request.preset, axisValue: axis.value(of: cell.request), seed: cell.request.seed,
          learningRate: cell.request.learningRate, loss: loss, diverged: diverged, step: step, cell: cell.id)
      }
      let splitRows = rows.filter { $0.split == resolved.split }
      if let divergedAt, step.map({ divergedAt <= $0 }) ?? true {
        points.append(point(loss: .infinity, diverged: true, step: max(divergedAt, 0)))
      } else if let row = step.map({ t in splitRows.last { $0.step == t } }) ?? splitRows.last {
        points.append(point(loss: row.loss, diverged: !row.loss.isFinite, step: row.step))
      } else {
        skipped.append((cell.id, "no \(resolved.rawValue) row\(step.map { " at step \($0)" } ?? "")"))
      }
    }
    guard !points.isEmpty else {
      let hint = resolved == .testLoss
        ? "Test rows are written at evaluations (`evaluate-every`, and at the end when `test-size` > 0); use --metric train-loss, or another --at-step."
        : "Train rows are written at every step 0 … steps−1; pass an --at-step below the sweep's `steps`."
      throw TransferError.missingMetric(metric: resolved.rawValue, step: step, path: directory.path, hint: hint)
    }
    return TransferData(axis: axis, metric: resolved, step: step, groupKeys: groupKeys, points: points, skipped: skipped)
  }

  /// A data set built from points (tests, synthetic curves).
  public init(axis: TransferAxis, metric: TransferMetric, step: Int?, groupKeys: [String], points: [TransferPoint], skipped: [(cell: String, reason: String)] = []) {
    self.axis = axis
    self.metric = metric
    self.step = step
    self.groupKeys = groupKeys
    self.points = points
    self.skipped = skipped
  }
}

/// One row of a run's `metrics.csv` (`run,step,split,loss,accuracy,seconds`).
struct MetricsRow: Equatable, Sendable {
  var step: Int
  var split: String
  var loss: Double

  /// The rows of a `metrics.csv` (header skipped; malformed lines skipped).
  static func read(_ url: URL) throws -> [MetricsRow] {
    let text = try String(contentsOf: url, encoding: .utf8)
    return CSVRecords.parse(text).dropFirst().compactMap { record in
      let fields = record.fields
      guard fields.count >= 4, let step = Int(fields[1]) else { return nil }
      let loss = fields[3] == "inf" ? Double.infinity : fields[3] == "nan" ? Double.nan : Double(fields[3]) ?? .nan
      return MetricsRow(step: step, split: String(fields[2]), loss: loss)
    }
  }
}
