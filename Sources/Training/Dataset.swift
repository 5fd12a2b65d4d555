import Networks
import NumericCore

/// One split of a data set, in memory: inputs already normalized, and either class labels or
/// regression targets.
///
/// Shapes: `inputs` is `count × inputDimension` (row-major `Float`); `labels` has `count` entries in
/// `0..<classCount`; `regressionTargets` is `count × targetDimension`. Batches are copied into a
/// network's `Workspace` with `fillBatch`, converting to the training scalar (theory §1: batch as rows).
public struct Dataset: Sendable {
  /// Stable slug, e.g. `mnist-train`, `synthetic-teacher-test`.
  public let name: String
  /// Number of samples `n`.
  public let count: Int
  /// Input dimension `d_0`.
  public let inputDimension: Int
  /// `count × inputDimension` inputs, row-major, normalized.
  public let inputs: [Float]
  /// Class labels in `0..<classCount` (classification sets), else `nil`.
  public let labels: [Int32]?
  /// Number of classes (classification sets), else `nil`.
  public let classCount: Int?
  /// `count × targetDimension` regression targets, row-major (regression-only sets), else `nil`.
  public let regressionTargets: [Float]?
  /// Width of a target row: the class count for classification (one-hot under MSE), else the
  /// regression target dimension. The network output dimension must equal it.
  public let targetDimension: Int
  /// `targetDimension` zeros: the source of one-hot rows, so `fillBatch` never allocates.
  private let zeroRow: [Float]

  /// A classification split.
  ///
  /// Preconditions: `inputs.count == labels.count · inputDimension`, labels in `0..<classCount`.
  public init(name: String, inputDimension: Int, inputs: [Float], labels: [Int32], classCount: Int) {
    precondition(
      inputDimension >= 1 && classCount >= 1,
      "Dataset \(name): inputDimension \(inputDimension), classCount \(classCount)")
    precondition(
      inputs.count == labels.count * inputDimension,
      "Dataset \(name): \(inputs.count) input values for \(labels.count) samples of dimension \(inputDimension)")
    precondition(
      labels.allSatisfy { $0 >= 0 && Int($0) < classCount }, "Dataset \(name): a label is outside 0..<\(classCount)")
    self.name = name
    self.count = labels.count
    self.inputDimension = inputDimension
    self.inputs = inputs
    self.labels = labels
    self.classCount = classCount
    self.regressionTargets = nil
    self.targetDimension = classCount
    self.zeroRow = [Float](repeating: 0, count: classCount)
  }

  /// A regression split with real targets.
  ///
  /// Preconditions: `inputs` is `n × inputDimension` and `regressionTargets` is `n × targetDimension`.
  public init(name: String, inputDimension: Int, inputs: [Float], regressionTargets: [Float], targetDimension: Int) {
    precondition(
      inputDimension >= 1 && targetDimension >= 1,
      "Dataset \(name): inputDimension \(inputDimension), targetDimension \(targetDimension)")
    precondition(
      inputs.count % inputDimension == 0,
      "Dataset \(name): \(inputs.count) input values are not rows of \(inputDimension)")
    let count = inputs.count / inputDimension
    precondition(
      regressionTargets.count == count * targetDimension,
      "Dataset \(name): \(regressionTargets.count) target values for \(count) samples of dimension \(targetDimension)")
    self.name = name
    self.count = count
    self.inputDimension = inputDimension
    self.inputs = inputs
    self.labels = nil
    self.classCount = nil
    self.regressionTargets = regressionTargets
    self.targetDimension = targetDimension
    self.zeroRow = []
  }

  /// Whether the split has class labels.
  public var isClassification: Bool { labels != nil }

  /// Checks that the split can be trained with `loss`: cross-entropy needs class labels, MSE takes
  /// anything (one-hot rows for classification sets).
  /// - Throws: `DataError.crossEntropyNeedsLabels`.
  public func validate(for loss: Loss) throws {
    if loss == .crossEntropy && labels == nil { throw DataError.crossEntropyNeedsLabels(dataset: name) }
  }

  /// The first `n` samples as a new split named `name` (e.g. a smaller training set).
  public func prefix(_ n: Int, name newName: String? = nil) -> Dataset {
    precondition(n >= 0 && n <= count, "prefix(\(n)) of a data set of \(count) samples")
    let inputs = Array(inputs[0..<(n * inputDimension)])
    if let labels, let classCount {
      return Dataset(
        name: newName ?? name, inputDimension: inputDimension, inputs: inputs, labels: Array(labels[0..<n]),
        classCount: classCount)
    }
    return Dataset(
      name: newName ?? name, inputDimension: inputDimension, inputs: inputs,
      regressionTargets: Array(regressionTargets![0..<(n * targetDimension)]), targetDimension: targetDimension)
  }

  /// Copies samples `indices` into the rows of a batch, in order, converting to `Scalar`.
  ///
  /// Shapes: `inputs` must be `indices.count × inputDimension`. With `.crossEntropy`,
  /// `targets.labels` (`indices.count` entries) receives the labels; with `.mse`, `targets.values`
  /// (`indices.count × targetDimension`) receives one-hot rows (classification sets) or the target
  /// rows. One conversion kernel call per row; no allocation. Call `validate(for:)` first.
  public func fillBatch<Scalar: BLASScalar>(
    indices: ArraySlice<Int>, inputs: inout Matrix<Scalar>, targets: inout BatchTargets<Scalar>, loss: Loss
  ) {
    checkBatchShapes(rows: indices.count, inputs: inputs, targets: targets, loss: loss)
    for index in indices {
      precondition(index >= 0 && index < count, "Sample index \(index) outside 0..<\(count) of \(name)")
    }
    let d = inputDimension
    self.inputs.withUnsafeBufferPointer { source in
      inputs.withUnsafeMutableBufferPointer { destination in
        for (row, index) in indices.enumerated() {
          Scalar.convert(source.baseAddress! + index * d, to: destination.baseAddress! + row * d, count: d)
        }
      }
    }
    fillTargets(rows: indices.count, sampleAt: { indices[indices.startIndex + $0] }, targets: &targets, loss: loss)
  }

  /// `fillBatch(indices:…)` for an array of sample indices.
  public func fillBatch<Scalar: BLASScalar>(
    indices: [Int], inputs: inout Matrix<Scalar>, targets: inout BatchTargets<Scalar>, loss: Loss
  ) {
    fillBatch(indices: indices[...], inputs: &inputs, targets: &targets, loss: loss)
  }

  /// Copies the contiguous samples `range` into the rows of a batch (evaluation chunks): one
  /// conversion kernel call for all inputs; targets as in `fillBatch(indices:…)`.
  ///
  /// Shapes: `inputs` must be `range.count × inputDimension`; targets as for `fillBatch(indices:…)`.
  public func fillBatch<Scalar: BLASScalar>(
    range: Range<Int>, inputs: inout Matrix<Scalar>, targets: inout BatchTargets<Scalar>, loss: Loss
  ) {
    checkBatchShapes(rows: range.count, inputs: inputs, targets: targets, loss: loss)
    precondition(range.lowerBound >= 0 && range.upperBound <= count, "Rows \(range) outside 0..<\(count) of \(name)")
    let d = inputDimension
    if range.isEmpty { return }
    self.inputs.withUnsafeBufferPointer { source in
      inputs.withUnsafeMutableBufferPointer { destination in
        Scalar.convert(source.baseAddress! + range.lowerBound * d, to: destination.baseAddress!, count: range.count * d)
      }
    }
    fillTargets(rows: range.count, sampleAt: { range.lowerBound + $0 }, targets: &targets, loss: loss)
  }

  private func checkBatchShapes<Scalar>(rows: Int, inputs: Matrix<Scalar>, targets: BatchTargets<Scalar>, loss: Loss) {
    precondition(
      inputs.rows == rows && inputs.columns == inputDimension,
      "fillBatch: \(rows) samples of dimension \(inputDimension) into a \(inputs.rows)×\(inputs.columns) input matrix")
    switch loss {
    case .crossEntropy:
      precondition(labels != nil, "fillBatch: cross-entropy on \(name), which has no labels (call validate(for:) first)")
      precondition(targets.labels.count == rows, "fillBatch: \(rows) labels into a buffer of \(targets.labels.count)")
    case .mse:
      precondition(
        targets.values.rows == rows && targets.values.columns == targetDimension,
        "fillBatch: \(rows) targets of dimension \(targetDimension) into a "
          + "\(targets.values.rows)×\(targets.values.columns) matrix")
    }
  }

  /// Writes the targets of samples `sampleAt(0..<rows)` into rows `0..<rows` of `targets`.
  private func fillTargets<Scalar: BLASScalar>(
    rows: Int, sampleAt: (Int) -> Int, targets: inout BatchTargets<Scalar>, loss: Loss
  ) {
    let k = targetDimension
    switch (loss, labels, regressionTargets) {
    case (.crossEntropy, let labels?, _):
      for row in 0..<rows { targets.labels[row] = labels[sampleAt(row)] }
    case (.mse, let labels?, _):
      zeroRow.withUnsafeBufferPointer { zeros in
        targets.values.withUnsafeMutableBufferPointer { destination in
          for row in 0..<rows {
            let target = destination.baseAddress! + row * k
            Scalar.convert(zeros.baseAddress!, to: target, count: k)
            target[Int(labels[sampleAt(row)])] = 1
          }
        }
      }
    case (.mse, nil, let values?):
      values.withUnsafeBufferPointer { source in
        targets.values.withUnsafeMutableBufferPointer { destination in
          for row in 0..<rows {
            Scalar.convert(source.baseAddress! + sampleAt(row) * k, to: destination.baseAddress! + row * k, count: k)
          }
        }
      }
    default:
      preconditionFailure("fillBatch: \(loss) targets on \(name) (call validate(for:) first)")
    }
  }
}
