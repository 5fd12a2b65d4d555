// Random matrices for initialization and synthetic data. Draws are made in Double and converted,
// so a Float run and a Double run with one seed start from the same (rounded) numbers.

extension Matrix {
  /// A `rows × columns` matrix with independent `N(0, standardDeviation²)` entries.
  public static func gaussian(
    rows: Int, columns: Int, standardDeviation: Double, using generator: inout SeededGenerator
  ) -> Matrix {
    var draws = [Double](repeating: 0, count: rows * columns)
    for i in draws.indices { draws[i] = standardDeviation * generator.nextGaussian() }
    return Matrix(converting: draws, rows: rows, columns: columns)
  }

  /// A matrix whose entries are `Scalar(values[i])` (row-major), converted by one kernel call.
  public init(converting values: [Double], rows: Int, columns: Int) {
    precondition(values.count == rows * columns, "converting: \(values.count) values for \(rows)×\(columns)")
    self.init(rows: rows, columns: columns)
    if values.isEmpty { return }
    values.withUnsafeBufferPointer { src in
      withUnsafeMutableBufferPointer { Scalar.convert(src.baseAddress!, to: $0.baseAddress!, count: values.count) }
    }
  }

  /// A matrix whose entries are `Scalar(values[i])` (row-major), converted by one kernel call.
  public init(converting values: [Float], rows: Int, columns: Int) {
    precondition(values.count == rows * columns, "converting: \(values.count) values for \(rows)×\(columns)")
    self.init(rows: rows, columns: columns)
    if values.isEmpty { return }
    values.withUnsafeBufferPointer { src in
      withUnsafeMutableBufferPointer { Scalar.convert(src.baseAddress!, to: $0.baseAddress!, count: values.count) }
    }
  }

  /// The entries as `Double` (row-major), converted by one kernel call into `values`, which is
  /// resized to `count` if needed.
  public func copyEntries(into values: inout [Double]) {
    if values.count != count { values = [Double](repeating: 0, count: count) }
    if count == 0 { return }
    withUnsafeBufferPointer { src in
      values.withUnsafeMutableBufferPointer { Scalar.convertToDouble(src.baseAddress!, to: $0.baseAddress!, count: count) }
    }
  }

  /// Overwrites the entries with `Scalar(values[i])` (row-major), one kernel call.
  public mutating func setEntries(from values: [Double]) {
    precondition(values.count == count, "setEntries: \(values.count) values for \(rows)×\(columns)")
    let n = count
    if n == 0 { return }
    values.withUnsafeBufferPointer { src in
      withUnsafeMutableBufferPointer { Scalar.convert(src.baseAddress!, to: $0.baseAddress!, count: n) }
    }
  }

  /// A random `rows × columns` matrix with all singular values equal to `spectralNorm`: the
  /// orthogonal factor `U Vᵀ` of a Gaussian matrix, scaled (the exact spectral-norm
  /// initialization of theory §5.1 `spectral-exact`).
  /// - Throws: `NumericError.lapackFailure` if the SVD fails (it does not for Gaussian input).
  public static func randomSemiOrthogonal(
    rows: Int, columns: Int, spectralNorm: Double, using generator: inout SeededGenerator
  ) throws -> Matrix {
    let g = Matrix<Double>.gaussian(rows: rows, columns: columns, standardDeviation: 1, using: &generator)
    let (u, _, vt) = try g.singularValueDecomposition()
    var q = Matrix<Double>(rows: rows, columns: columns)
    q.gemm(u, vt, alpha: spectralNorm)
    return Matrix(converting: q.storage, rows: rows, columns: columns)
  }
}
