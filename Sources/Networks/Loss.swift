import NumericCore

/// The training loss on the network output, averaged over the batch (theory §1), so the backward
/// pass carries the `1/n`.
public enum Loss: String, Codable, CaseIterable, Sendable {
  /// `ℒ = (1/2n) Σ_i ‖f(x_i) − y_i‖²` against real targets (one-hot for classification data).
  case mse
  /// Softmax cross-entropy against integer labels, averaged over the batch.
  case crossEntropy = "cross-entropy"
}

/// The targets of a batch: real vectors for MSE, class labels for cross-entropy.
public struct BatchTargets<Scalar: BLASScalar>: Sendable {
  /// `n × outputDimension` regression targets (used by `.mse`).
  public var values: Matrix<Scalar>
  /// `n` class labels in `0..<outputDimension` (used by `.crossEntropy`).
  public var labels: [Int32]

  /// Empty targets for `rows` samples of a network with `outputDimension` outputs and `loss`.
  public init(rows: Int, outputDimension: Int, loss: Loss) {
    values = Matrix(rows: loss == .mse ? rows : 0, columns: outputDimension)
    labels = [Int32](repeating: 0, count: loss == .crossEntropy ? rows : 0)
  }

  /// Copies `other`'s targets (same shapes) without reallocating.
  public mutating func copy(from other: BatchTargets) {
    precondition(labels.count == other.labels.count, "BatchTargets.copy: \(other.labels.count) labels into \(labels.count)")
    values.copy(from: other.values)
    for i in labels.indices { labels[i] = other.labels[i] }
  }
}

extension Loss {
  /// Loss value and number of correctly classified samples (arg-max match; for MSE against the
  /// arg-max of the target), with `∂ℒ/∂output` written into `gradient`.
  ///
  /// Shapes: `output` and `gradient` are `n × outputs`; `targets` holds `n` rows or labels.
  public func evaluate<Scalar>(
    output: Matrix<Scalar>, targets: BatchTargets<Scalar>, gradient: inout Matrix<Scalar>
  ) -> (loss: Double, correct: Int) {
    precondition(gradient.rows == output.rows && gradient.columns == output.columns,
                 "Loss gradient buffer is \(gradient.rows)×\(gradient.columns), output \(output.rows)×\(output.columns)")
    return gradient.withUnsafeMutableBufferPointer { g in
      evaluate(output: output, targets: targets, gradientPointer: g.baseAddress)
    }
  }

  /// Loss value and number of correctly classified samples, without the gradient.
  public func evaluate<Scalar>(output: Matrix<Scalar>, targets: BatchTargets<Scalar>) -> (loss: Double, correct: Int) {
    evaluate(output: output, targets: targets, gradientPointer: nil)
  }

  private func evaluate<Scalar>(
    output: Matrix<Scalar>, targets: BatchTargets<Scalar>, gradientPointer: UnsafeMutablePointer<Scalar>?
  ) -> (loss: Double, correct: Int) {
    let rows = output.rows
    let columns = output.columns
    if rows == 0 { return (0, 0) }
    switch self {
    case .mse:
      precondition(targets.values.rows == rows && targets.values.columns == columns,
                   "MSE targets are \(targets.values.rows)×\(targets.values.columns), output \(rows)×\(columns)")
      return output.withUnsafeBufferPointer { o in
        targets.values.withUnsafeBufferPointer { t in
          let loss = Scalar.meanSquaredError(
            output: o.baseAddress!, target: t.baseAddress!, gradient: gradientPointer, rows: rows, columns: columns)
          let correct = Scalar.matchingArgmaxCount(o.baseAddress!, t.baseAddress!, rows: rows, columns: columns)
          return (loss, correct)
        }
      }
    case .crossEntropy:
      precondition(targets.labels.count == rows, "Cross-entropy has \(targets.labels.count) labels for \(rows) rows")
      return output.withUnsafeBufferPointer { o in
        targets.labels.withUnsafeBufferPointer { labels in
          Scalar.softmaxCrossEntropy(
            logits: o.baseAddress!, labels: labels.baseAddress!, gradient: gradientPointer, rows: rows, columns: columns)
        }
      }
    }
  }
}
