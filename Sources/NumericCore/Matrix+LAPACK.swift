// Symmetric eigenproblems and singular values through LAPACK (used as references for the
// power-iteration spectral norms of theory §3.4, and for exact spectral-norm initialization).

extension Matrix {
  /// Singular values in descending order (`min(rows, columns)` of them), by LAPACK gesdd.
  /// - Throws: `NumericError.lapackFailure` when LAPACK does not converge (e.g. NaN entries).
  public func singularValues() throws -> [Scalar] {
    var a = storage
    var s = [Scalar](repeating: 0, count: Swift.min(rows, columns))
    if s.isEmpty { return s }
    let info = a.withUnsafeMutableBufferPointer { pa in
      s.withUnsafeMutableBufferPointer { ps in
        Scalar.singularValueDecomposition(
          m: rows, n: columns, a: pa.baseAddress!, s: ps.baseAddress!, u: nil, vt: nil)
      }
    }
    guard info == 0 else { throw NumericError.lapackFailure(routine: "gesdd", info: info, shape: "\(rows)×\(columns)") }
    return s
  }

  /// The largest singular value `‖self‖_*` by a full SVD (reference for `SpectralNormEstimator`).
  public func spectralNormBySVD() throws -> Double {
    Double(try singularValues().first ?? 0)
  }

  /// The thin SVD `self = U · diag(s) · Vᵀ`: `u` is `rows × k`, `vt` is `k × columns`,
  /// `k = min(rows, columns)`, singular values descending.
  /// - Throws: `NumericError.lapackFailure` when LAPACK does not converge.
  public func singularValueDecomposition() throws -> (u: Matrix, s: [Scalar], vt: Matrix) {
    let k = Swift.min(rows, columns)
    var a = storage
    var s = [Scalar](repeating: 0, count: k)
    var u = Matrix(rows: rows, columns: k)
    var vt = Matrix(rows: k, columns: columns)
    if k == 0 { return (u, s, vt) }
    let info = a.withUnsafeMutableBufferPointer { pa in
      s.withUnsafeMutableBufferPointer { ps in
        u.withUnsafeMutableBufferPointer { pu in
          vt.withUnsafeMutableBufferPointer { pv in
            Scalar.singularValueDecomposition(
              m: rows, n: columns, a: pa.baseAddress!, s: ps.baseAddress!, u: pu.baseAddress!,
              vt: pv.baseAddress!)
          }
        }
      }
    }
    guard info == 0 else { throw NumericError.lapackFailure(routine: "gesdd", info: info, shape: "\(rows)×\(columns)") }
    return (u, s, vt)
  }

  /// Eigenvalues in ascending order and, if asked, unit eigenvectors (column `i` of `vectors`
  /// belongs to eigenvalue `i`) of this symmetric square matrix (LAPACK syevd; only the upper
  /// triangle is read).
  /// - Throws: `NumericError.lapackFailure` when LAPACK does not converge.
  public func symmetricEigen(computeVectors: Bool = false) throws -> (values: [Scalar], vectors: Matrix?) {
    precondition(rows == columns, "symmetricEigen needs a square matrix, got \(rows)×\(columns)")
    var a = self
    var values = [Scalar](repeating: 0, count: rows)
    if rows == 0 { return (values, computeVectors ? a : nil) }
    let info = a.withUnsafeMutableBufferPointer { pa in
      values.withUnsafeMutableBufferPointer { pw in
        Scalar.symmetricEigen(n: rows, a: pa.baseAddress!, computeVectors: computeVectors, values: pw.baseAddress!)
      }
    }
    guard info == 0 else { throw NumericError.lapackFailure(routine: "syevd", info: info, shape: "\(rows)×\(columns)") }
    return (values, computeVectors ? a : nil)
  }
}
