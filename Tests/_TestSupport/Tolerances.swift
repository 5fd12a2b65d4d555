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

/// How closely a central finite difference `(f(x+h) − f(x−h)) / 2h` can agree with the exact
/// derivative, so that a comparison does not depend on the BLAS kernel's summation order.
///
/// Two errors: truncation, `O(h²)`, covered by `relative · ‖analytic‖`; and rounding — each
/// evaluation of `f` is exact only to a few units of roundoff `u` of its own size, and the
/// quotient divides that by `h`. A fixed relative tolerance ignores the second term, which for a
/// small derivative of a large function sits at the tolerance itself: it then passes or fails
/// with the rounding of one particular gemm kernel. Here the rounding term is
/// `roundingUnits · u · valueScale / h` with `valueScale` the size of the evaluated values
/// (`|ℒ|`, `‖F_ℓ‖`). Measured with OpenBLAS's Zen, Haswell, Sandybridge, Nehalem and Prescott
/// kernels: with 0 units the Prescott run fails (the ResNet case above), with 1 unit every case
/// passes on all five; `roundingUnits = 64` leaves room for kernels and accumulation orders not
/// measured here, while every check still rejects a derivative that is 0.1 % off.
public enum CentralDifference {
  /// Units of roundoff allowed in one evaluation of the function.
  public static let roundingUnits = 64.0

  /// The allowed `‖analytic − numeric‖` for a quotient with step `step` of values of size
  /// `valueScale`, at relative accuracy `relative`.
  public static func tolerance(analyticNorm: Double, valueScale: Double, step: Double, relative: Double) -> Double {
    relative * analyticNorm + roundingUnits * Double.ulpOfOne * valueScale / step
  }

  /// `‖analytic − numeric‖ / tolerance(…)`: below 1 when the two agree.
  public static func errorRatio(
    _ analytic: [Double], _ numeric: [Double], valueScale: Double, step: Double, relative: Double
  ) -> Double {
    precondition(analytic.count == numeric.count, "CentralDifference: \(analytic.count) vs \(numeric.count) entries")
    let difference = zip(analytic, numeric).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    let norm = analytic.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return difference / tolerance(analyticNorm: norm, valueScale: valueScale, step: step, relative: relative)
  }

  /// The scalar case of `errorRatio`.
  public static func errorRatio(_ analytic: Double, _ numeric: Double, valueScale: Double, step: Double, relative: Double) -> Double {
    errorRatio([analytic], [numeric], valueScale: valueScale, step: step, relative: relative)
  }
}
