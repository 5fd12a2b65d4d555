/// The loss read from each cell at step T (docs/transfer.md).
public enum TransferMetric: String, Codable, CaseIterable, Sendable {
  /// `train-loss`: the batch loss before the update of step T (`metrics.csv` rows `train`).
  case trainLoss = "train-loss"
  /// `test-loss`: the test-set loss of the evaluation after T updates (`metrics.csv` rows `test`).
  case testLoss = "test-loss"

  /// The `split` of the `metrics.csv` rows it reads.
  var split: String {
    switch self {
    case .trainLoss: "train"
    case .testLoss: "test"
    }
  }
}
