// Naive reference implementations next to the BLAS ones, with the same contracts: the oracles of
// the tests (STYLE: "a slow reference matmul sits beside the fast one"). Never on a hot path.

extension Matrix {
  /// Triple-loop version of `gemm`, accumulating in `Double`: `self = alpha·op(a)·op(b) + beta·self`.
  public mutating func referenceGemm(
    _ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false,
    alpha: Scalar = 1, beta: Scalar = 0
  ) {
    let m = transposeA ? a.columns : a.rows
    let k = transposeA ? a.rows : a.columns
    let n = transposeB ? b.rows : b.columns
    precondition(
      (transposeB ? b.columns : b.rows) == k && m == rows && n == columns,
      "referenceGemm: shapes do not agree")
    for i in 0..<m {
      for j in 0..<n {
        var sum: Double = 0
        for p in 0..<k {
          let x = transposeA ? a[p, i] : a[i, p]
          let y = transposeB ? b[j, p] : b[p, j]
          sum += Double(x) * Double(y)
        }
        let old = beta == 0 ? 0 : Double(beta) * Double(self[i, j])
        self[i, j] = Scalar(Double(alpha) * sum + old)
      }
    }
  }
}
