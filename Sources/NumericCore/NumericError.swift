/// Failures of the numeric core that a caller can act on.
public enum NumericError: Error, Equatable, CustomStringConvertible {
  /// A LAPACK routine returned a non-zero `info`.
  case lapackFailure(routine: String, info: Int, shape: String)

  public var description: String {
    switch self {
    case .lapackFailure(let routine, let info, let shape):
      "LAPACK \(routine) failed on a \(shape) matrix (info = \(info)): the matrix probably holds NaN or ±∞. "
        + "Check the run for divergence (lower the learning rate) before computing spectra."
    }
  }
}
