// The dense linear algebra of the library, on BLAS (theory §1 conventions). All operations work in
// place on a preallocated destination and never allocate when its storage is unique.

extension Matrix {
  /// `self = alpha · op(a) · op(b) + beta · self`, where `op` transposes when asked (BLAS gemm).
  ///
  /// Shapes: `op(a)` is `m × k`, `op(b)` is `k × n`, `self` is `m × n`. With `beta == 0` the old
  /// contents of `self` are ignored (also NaNs).
  public mutating func gemm(
    _ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false,
    alpha: Scalar = 1, beta: Scalar = 0
  ) {
    let m = transposeA ? a.columns : a.rows
    let k = transposeA ? a.rows : a.columns
    let kB = transposeB ? b.columns : b.rows
    let n = transposeB ? b.rows : b.columns
    precondition(
      k == kB && m == rows && n == columns,
      "gemm: op(a) is \(m)×\(k), op(b) is \(kB)×\(n), destination is \(rows)×\(columns)")
    if m == 0 || n == 0 { return }
    if k == 0 {
      if beta == 0 { fill(with: 0) } else { scale(by: beta) }
      return
    }
    a.storage.withUnsafeBufferPointer { pa in
      b.storage.withUnsafeBufferPointer { pb in
        storage.withUnsafeMutableBufferPointer { pc in
          Scalar.gemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: pa.baseAddress!, lda: max(a.columns, 1), b: pb.baseAddress!, ldb: max(b.columns, 1),
            beta: beta, c: pc.baseAddress!, ldc: max(columns, 1))
        }
      }
    }
  }

  /// `self = alpha · a aᵀ + beta · self` on the upper triangle (BLAS syrk): the Gram matrix of
  /// the rows of `a` (`n × k`); `self` is `n × n` and its strict lower triangle is left untouched.
  public mutating func syrk(_ a: Matrix, alpha: Scalar = 1, beta: Scalar = 0) {
    precondition(rows == a.rows && columns == a.rows, "syrk: \(a.rows)×\(a.columns) into \(rows)×\(columns)")
    if rows == 0 { return }
    if a.columns == 0 {
      if beta == 0 { fill(with: 0) } else { scale(by: beta) }
      return
    }
    a.storage.withUnsafeBufferPointer { pa in
      storage.withUnsafeMutableBufferPointer { pc in
        Scalar.syrk(n: a.rows, k: a.columns, alpha: alpha, a: pa.baseAddress!, lda: a.columns, beta: beta,
                    c: pc.baseAddress!, ldc: a.rows)
      }
    }
  }

  /// `self = alpha · S · b + beta · self` where `S` is symmetric `m × m` and only its upper
  /// triangle is read (BLAS symm); `b` and `self` are `m × n`.
  public mutating func symm(_ s: Matrix, _ b: Matrix, alpha: Scalar = 1, beta: Scalar = 0) {
    precondition(s.rows == s.columns && s.rows == b.rows && rows == b.rows && columns == b.columns,
                 "symm: \(s.rows)×\(s.columns) times \(b.rows)×\(b.columns) into \(rows)×\(columns)")
    if count == 0 { return }
    s.storage.withUnsafeBufferPointer { ps in
      b.storage.withUnsafeBufferPointer { pb in
        storage.withUnsafeMutableBufferPointer { pc in
          Scalar.symm(m: b.rows, n: b.columns, alpha: alpha, a: ps.baseAddress!, lda: s.columns, b: pb.baseAddress!,
                      ldb: b.columns, beta: beta, c: pc.baseAddress!, ldc: b.columns)
        }
      }
    }
  }

  /// `self += alpha · x` (BLAS axpy); `x` has the same number of entries.
  public mutating func add(_ x: Matrix, scaledBy alpha: Scalar = 1) {
    precondition(x.count == count, "add: \(x.rows)×\(x.columns) onto \(rows)×\(columns)")
    let n = count
    if n == 0 { return }
    x.storage.withUnsafeBufferPointer { px in
      storage.withUnsafeMutableBufferPointer { py in
        Scalar.axpy(count: n, alpha: alpha, px.baseAddress!, py.baseAddress!)
      }
    }
  }

  /// `self *= alpha` (BLAS scal).
  public mutating func scale(by alpha: Scalar) {
    let n = count
    if n == 0 { return }
    storage.withUnsafeMutableBufferPointer { Scalar.scal(count: n, alpha: alpha, $0.baseAddress!) }
  }

  /// `self = alpha · x` without reallocating (`x` has the same shape).
  public mutating func assign(_ x: Matrix, scaledBy alpha: Scalar) {
    copy(from: x)
    if alpha != 1 { scale(by: alpha) }
  }

  /// Adds `alpha · v` to every row, where `v` is a `1 × columns` row vector (bias broadcast).
  public mutating func addToEveryRow(_ v: Matrix, scaledBy alpha: Scalar = 1) {
    precondition(v.count == columns, "addToEveryRow: vector of \(v.count) entries onto \(rows)×\(columns)")
    if count == 0 { return }
    v.storage.withUnsafeBufferPointer { pv in
      storage.withUnsafeMutableBufferPointer { px in
        Scalar.addToRows(pv.baseAddress!, alpha: alpha, px.baseAddress!, rows: rows, columns: columns)
      }
    }
  }

  /// Sets `self` (a `1 × x.columns` row vector) to `alpha · Σ_i x[i, :]`, or adds it when
  /// `accumulate` is true.
  public mutating func setColumnSums(of x: Matrix, scaledBy alpha: Scalar = 1, accumulate: Bool = false) {
    precondition(count == x.columns, "setColumnSums: \(x.rows)×\(x.columns) into \(count) entries")
    if count == 0 { return }
    if x.rows == 0 {
      if !accumulate { fill(with: 0) }
      return
    }
    x.storage.withUnsafeBufferPointer { px in
      storage.withUnsafeMutableBufferPointer { po in
        Scalar.columnSums(px.baseAddress!, rows: x.rows, columns: x.columns, alpha: alpha,
                          accumulate: accumulate, into: po.baseAddress!)
      }
    }
  }

  /// `y = alpha · op(self) · x + beta · y` for vectors stored as arrays (BLAS gemv).
  /// `op(self)` is `m × n`; `x` has `n` entries and `y` has `m`.
  public func gemv(
    _ x: [Scalar], into y: inout [Scalar], transpose: Bool = false, alpha: Scalar = 1,
    beta: Scalar = 0
  ) {
    let m = transpose ? columns : rows
    let n = transpose ? rows : columns
    precondition(x.count == n && y.count == m, "gemv: op(A) is \(m)×\(n), x has \(x.count), y has \(y.count)")
    if m == 0 { return }
    if n == 0 {
      for i in 0..<m { y[i] = beta == 0 ? 0 : beta * y[i] }
      return
    }
    storage.withUnsafeBufferPointer { pa in
      x.withUnsafeBufferPointer { px in
        y.withUnsafeMutableBufferPointer { py in
          Scalar.gemv(
            transpose: transpose, m: rows, n: columns, alpha: alpha, a: pa.baseAddress!,
            lda: max(columns, 1), x: px.baseAddress!, beta: beta, y: py.baseAddress!)
        }
      }
    }
  }

  /// The Frobenius inner product `⟨a, b⟩ = Σ a_ij b_ij` (theory §1), accumulated by BLAS dot in
  /// `Scalar` and returned as `Double`. Shapes need only agree in entry count.
  public static func dot(_ a: Matrix, _ b: Matrix) -> Double {
    precondition(a.count == b.count, "dot: \(a.rows)×\(a.columns) with \(b.rows)×\(b.columns)")
    if a.count == 0 { return 0 }
    return a.storage.withUnsafeBufferPointer { pa in
      b.storage.withUnsafeBufferPointer { pb in
        Double(Scalar.dot(count: a.count, pa.baseAddress!, pb.baseAddress!))
      }
    }
  }

  /// `‖self‖²`, the squared Frobenius norm over all entries.
  public var squaredNorm: Double { Matrix.dot(self, self) }

  /// `‖self‖`, the Frobenius norm over all entries (theory §1: over batch *and* features).
  public var norm: Double { squaredNorm.squareRoot() }

  /// `rms(self) = ‖self‖/√N` with `N = rows · columns` (theory §1); 0 for an empty matrix.
  public var rms: Double { count == 0 ? 0 : (squaredNorm / Double(count)).squareRoot() }

  /// `‖self − other‖²`, accumulated in `Double`; shapes agree in entry count.
  public func squaredDistance(to other: Matrix) -> Double {
    precondition(count == other.count, "squaredDistance: \(rows)×\(columns) to \(other.rows)×\(other.columns)")
    if count == 0 { return 0 }
    return storage.withUnsafeBufferPointer { pa in
      other.storage.withUnsafeBufferPointer { pb in
        Scalar.squaredDistance(pa.baseAddress!, pb.baseAddress!, count: count)
      }
    }
  }

  /// Sets `self = a − b` (all three of one shape) and returns `‖a‖²` and `‖a − b‖²` from the same
  /// pass, accumulated in `Double`: one read of each input instead of one per quantity.
  @discardableResult
  public mutating func setDifference(_ a: Matrix, _ b: Matrix) -> (aSquaredNorm: Double, differenceSquaredNorm: Double) {
    precondition(a.rows == b.rows && a.columns == b.columns && rows == a.rows && columns == a.columns,
                 "setDifference: \(rows)×\(columns) = \(a.rows)×\(a.columns) − \(b.rows)×\(b.columns)")
    if count == 0 { return (0, 0) }
    let n = count
    return storage.withUnsafeMutableBufferPointer { pd in
      a.storage.withUnsafeBufferPointer { pa in
        b.storage.withUnsafeBufferPointer { pb in
          let (x, d) = Scalar.difference(pa.baseAddress!, pb.baseAddress!, into: pd.baseAddress!, count: n)
          return (x, d)
        }
      }
    }
  }

  // MARK: Row ranges (contiguous in row-major storage)

  /// `⟨a[rowsA], b[rowsB]⟩` over the given rows (same column count and row count).
  public static func dot(_ a: Matrix, rows rowsA: Range<Int>, _ b: Matrix, rows rowsB: Range<Int>) -> Double {
    precondition(a.columns == b.columns && rowsA.count == rowsB.count && rowsA.upperBound <= a.rows && rowsB.upperBound <= b.rows,
                 "dot(rows:): \(rowsA) of \(a.rows)×\(a.columns) with \(rowsB) of \(b.rows)×\(b.columns)")
    let n = rowsA.count * a.columns
    if n == 0 { return 0 }
    return a.storage.withUnsafeBufferPointer { pa in
      b.storage.withUnsafeBufferPointer { pb in
        Double(Scalar.dot(count: n, pa.baseAddress! + rowsA.lowerBound * a.columns, pb.baseAddress! + rowsB.lowerBound * b.columns))
      }
    }
  }

  /// `‖self[rows]‖²`.
  public func squaredNorm(rows: Range<Int>) -> Double { Matrix.dot(self, rows: rows, self, rows: rows) }

  /// `‖self[rows] − other[otherRows]‖²`, accumulated in `Double`.
  public func squaredDistance(rows: Range<Int>, to other: Matrix, rows otherRows: Range<Int>) -> Double {
    precondition(columns == other.columns && rows.count == otherRows.count && rows.upperBound <= self.rows
                 && otherRows.upperBound <= other.rows, "squaredDistance(rows:): shapes differ")
    let n = rows.count * columns
    if n == 0 { return 0 }
    return storage.withUnsafeBufferPointer { pa in
      other.storage.withUnsafeBufferPointer { pb in
        Scalar.squaredDistance(pa.baseAddress! + rows.lowerBound * columns, pb.baseAddress! + otherRows.lowerBound * columns, count: n)
      }
    }
  }

  /// `self[rows] += alpha · x[xRows]` (BLAS axpy on the row slices).
  public mutating func add(rows: Range<Int>, _ x: Matrix, rows xRows: Range<Int>, scaledBy alpha: Scalar) {
    precondition(columns == x.columns && rows.count == xRows.count && rows.upperBound <= self.rows && xRows.upperBound <= x.rows,
                 "add(rows:): shapes differ")
    let n = rows.count * columns
    let c = columns
    if n == 0 { return }
    x.storage.withUnsafeBufferPointer { px in
      storage.withUnsafeMutableBufferPointer { py in
        Scalar.axpy(count: n, alpha: alpha, px.baseAddress! + xRows.lowerBound * c, py.baseAddress! + rows.lowerBound * c)
      }
    }
  }

  /// `true` when no entry is NaN or ±∞.
  public var isFinite: Bool {
    count == 0 || storage.withUnsafeBufferPointer { Scalar.allFinite($0.baseAddress!, count: count) }
  }
}
