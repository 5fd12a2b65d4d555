// Affine-free per-sample RMS normalization `ν(z) = z / r`, `r_i = √(mean_j z_ij² + ε)`, with its
// exact VJP and JVP (theory §5.3 item 1, §3.3 last line), on preallocated matrices.
//
// Row by row, with `y = ν(z)` and `d` columns, the Jacobian is `J = (I − y yᵀ/d) / r`: symmetric,
// so the VJP and the JVP are the same map `v ↦ (v − y · mean(v ⊙ y)) / r`. `ε` enters only `r`,
// so these formulas are exact for any `ε ≥ 0` (given `y` and `r` from the same forward).
// Shapes: `z`, `y` and every signal are `n × d`; `r` is `n × 1`.

extension Matrix {
  /// `self[i] = √(mean_j z_ij² + ε)`: the row root mean squares of `z` (`n × d`) into `self`
  /// (`n × 1`), accumulated in `Double`. A row whose rms is below the smallest normal `Scalar`
  /// (e.g. a zero row with `ε = 0`) gets `r = 1`, so that `ν` leaves it unchanged.
  public mutating func setRowRootMeanSquares(of z: Matrix, epsilon: Double) {
    precondition(rows == z.rows && columns == 1, "setRowRootMeanSquares: \(z.rows)×\(z.columns) into \(rows)×\(columns), expected \(z.rows)×1")
    let d = z.columns
    z.storage.withUnsafeBufferPointer { pz in
      storage.withUnsafeMutableBufferPointer { pr in
        for i in 0..<z.rows {
          var sum = 0.0
          for j in 0..<d {
            let x = Double(pz[i * d + j])
            sum += x * x
          }
          let rms = (sum / Double(max(d, 1)) + epsilon).squareRoot()
          // A (numerically) zero row is left as it is: r = 1, so ν(0) = 0 and J = I there.
          pr[i] = rms >= Double(Scalar.leastNormalMagnitude) ? Scalar(rms) : 1
        }
      }
    }
  }

  /// `self = ν(z)`: every row of `z` divided by its entry of `r` (`n × 1`, from
  /// `setRowRootMeanSquares`). `self` has the shape of `z`.
  public mutating func setRowNormalization(of z: Matrix, rootMeanSquares r: Matrix) {
    precondition(
      z.rows == rows && z.columns == columns && r.rows == rows && r.columns == 1,
      "setRowNormalization: \(z.rows)×\(z.columns) with rms \(r.rows)×\(r.columns) into \(rows)×\(columns)")
    let d = columns
    z.storage.withUnsafeBufferPointer { pz in
      r.storage.withUnsafeBufferPointer { pr in
        storage.withUnsafeMutableBufferPointer { py in
          for i in 0..<rows {
            let inverse = 1 / pr[i]
            for j in 0..<d { py[i * d + j] = pz[i * d + j] * inverse }
          }
        }
      }
    }
  }

  /// Backward (VJP) through `g = α(ν(z))`: `self = base + J (α'(y) ⊙ dg)` with `y = ν(z)`,
  /// `J v = (v − y · mean_row(v ⊙ y)) / r` (or without `base`). `dg = ∂ℒ/∂g`; the result is
  /// `∂ℒ/∂z`. All operands but `r` (`n × 1`) share one shape.
  public mutating func setNormalizationBackward(
    _ activation: Activation, normalized y: Matrix, rootMeanSquares r: Matrix, _ dg: Matrix, adding base: Matrix? = nil
  ) {
    checkNormalizationShapes(y, r, dg, base)
    let n = rows, d = columns
    if count == 0 { return }
    y.storage.withUnsafeBufferPointer { py in
      r.storage.withUnsafeBufferPointer { pr in
        dg.storage.withUnsafeBufferPointer { pg in
          storage.withUnsafeMutableBufferPointer { po in
            // t = α'(y) ⊙ dg into self (elementwise, so in place row by row below is safe).
            Scalar.multiplyByDerivative(
              activation, preactivation: py.baseAddress!, pg.baseAddress!, adding: nil, into: po.baseAddress!, count: n * d)
            Self.applyNormalizationJacobian(po.baseAddress!, py.baseAddress!, pr.baseAddress!, rows: n, columns: d)
          }
        }
      }
    }
    if let base { add(base, scaledBy: 1) }
  }

  /// Tangent (JVP) through `g = α(ν(z))`: `self = α'(y) ⊙ (J dz)` with `y = ν(z)` and
  /// `J v = (v − y · mean_row(v ⊙ y)) / r`. `dz` is the input tangent; the result is `δg`.
  public mutating func setNormalizationTangent(
    _ activation: Activation, normalized y: Matrix, rootMeanSquares r: Matrix, _ dz: Matrix
  ) {
    checkNormalizationShapes(y, r, dz, nil)
    let n = rows, d = columns
    if count == 0 { return }
    y.storage.withUnsafeBufferPointer { py in
      r.storage.withUnsafeBufferPointer { pr in
        dz.storage.withUnsafeBufferPointer { pz in
          storage.withUnsafeMutableBufferPointer { po in
            po.baseAddress!.update(from: pz.baseAddress!, count: n * d)
            Self.applyNormalizationJacobian(po.baseAddress!, py.baseAddress!, pr.baseAddress!, rows: n, columns: d)
            // α'(y) ⊙ (J dz), elementwise in place.
            Scalar.multiplyByDerivative(
              activation, preactivation: py.baseAddress!, UnsafePointer(po.baseAddress!), adding: nil,
              into: po.baseAddress!, count: n * d)
          }
        }
      }
    }
  }

  private func checkNormalizationShapes(_ y: Matrix, _ r: Matrix, _ v: Matrix, _ base: Matrix?) {
    precondition(
      y.rows == rows && y.columns == columns && v.rows == rows && v.columns == columns
        && r.rows == rows && r.columns == 1 && (base.map { $0.rows == rows && $0.columns == columns } ?? true),
      "normalization pass: y \(y.rows)×\(y.columns), r \(r.rows)×\(r.columns), signal \(v.rows)×\(v.columns) into \(rows)×\(columns)")
  }

  /// `v ← (v − y · mean_row(v ⊙ y)) / r` in place, row by row (the mean accumulated in `Double`).
  private static func applyNormalizationJacobian(
    _ v: UnsafeMutablePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ r: UnsafePointer<Scalar>, rows: Int, columns d: Int
  ) {
    for i in 0..<rows {
      let row = i * d
      var sum = 0.0
      for j in 0..<d { sum += Double(v[row + j]) * Double(y[row + j]) }
      let mean = Scalar(sum / Double(d))
      let inverse = 1 / r[i]
      for j in 0..<d { v[row + j] = (v[row + j] - y[row + j] * mean) * inverse }
    }
  }
}
