import NumericCore

/// `‖a − b‖ / max(‖a‖, ‖b‖, floor)` for flat arrays.
public func relativeError(_ a: [Double], _ b: [Double], floor: Double = 1e-300) -> Double {
  precondition(a.count == b.count, "relativeError: \(a.count) vs \(b.count) entries")
  var diff = 0.0, na = 0.0, nb = 0.0
  for (x, y) in zip(a, b) {
    diff += (x - y) * (x - y)
    na += x * x
    nb += y * y
  }
  return diff.squareRoot() / max(na.squareRoot(), nb.squareRoot(), floor)
}

/// `|a − b| / max(|a|, |b|, floor)`.
public func relativeError(_ a: Double, _ b: Double, floor: Double = 1e-300) -> Double {
  abs(a - b) / max(abs(a), abs(b), floor)
}

/// Relative Frobenius distance between two matrices of the same shape.
public func relativeError<T: BLASScalar>(_ a: Matrix<T>, _ b: Matrix<T>) -> Double {
  precondition(a.rows == b.rows && a.columns == b.columns, "relativeError: \(a.shape) vs \(b.shape)")
  return relativeError(a.storage.map { Double($0) }, b.storage.map { Double($0) })
}

extension Matrix {
  /// Entries as `Double`s (tests only).
  public var doubles: [Double] { storage.map { Double($0) } }
}
