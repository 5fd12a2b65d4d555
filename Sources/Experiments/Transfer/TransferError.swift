/// What `TransferData.load` and `TransferAnalysis` reject, each case saying what was expected,
/// what was found and how to fix it (docs/transfer.md).
public enum TransferError: Error, Equatable, CustomStringConvertible {
  /// The directory has no `sweep.json`.
  case notASweep(path: String)
  /// The sweep's grid does not vary `learning-rate` (or varies it in fewer than 3 values).
  case noLearningRateAxis(path: String, keys: [String])
  /// A group has fewer than 3 distinct learning rates.
  case tooFewRates(group: String, found: [Double])
  /// The transfer axis (`width` or `depth`) is not a grid key with ≥ 2 values.
  case noTransferAxis(axis: String, keys: [String])
  /// No finished cell of the sweep has the requested metric.
  case missingMetric(metric: String, step: Int?, path: String, hint: String)
  /// No cell is finished (completed or diverged).
  case noFinishedCells(path: String, pending: Int)
  /// A cell's `metrics.csv` could not be read.
  case unreadableCell(id: String, reason: String)

  public var description: String {
    switch self {
    case .notASweep(let path):
      "\(path) is not a sweep directory: it has no sweep.json. Pass the directory a `featurespeed sweep CONFIG` wrote (its `output`)."
    case .noLearningRateAxis(let path, let keys):
      "The sweep in \(path) does not vary learning-rate (grid keys: \(keys.isEmpty ? "none" : keys.joined(separator: ", "))). "
        + "A transfer check needs `learning-rate: [η₁, η₂, η₃, …]` (at least 3 rates, evenly spaced in log) in the sweep's grid."
    case .tooFewRates(let group, let found):
      "Group \(group) has \(found.count) learning rate\(found.count == 1 ? "" : "s") (\(found.map { "\($0)" }.joined(separator: ", "))); "
        + "locating an optimum needs at least 3. Add rates to the sweep's learning-rate list (existing cells are kept) and run it again."
    case .noTransferAxis(let axis, let keys):
      "The sweep does not vary \(axis) over two or more values (grid keys: \(keys.joined(separator: ", "))). "
        + "Pass --axis with the key the rate should transfer along (width or depth), or add it to the grid."
    case .missingMetric(let metric, let step, let path, let hint):
      "No finished cell of \(path) has a \(metric) value\(step.map { " at step \($0)" } ?? ""). \(hint)"
    case .noFinishedCells(let path, let pending):
      "No cell of \(path) is finished (\(pending) pending or incomplete). Run `featurespeed sweep CONFIG` first."
    case .unreadableCell(let id, let reason):
      "Cell \(id): \(reason) Rerun the sweep (unfinished cells are redone) or remove the cell's directory."
    }
  }
}
