#if canImport(Accelerate)
  import Accelerate

  // LAPACK through Accelerate's Fortran (column-major) interface (macOS). A row-major matrix is
  // its transpose in column-major order: a symmetric matrix is unchanged, so syevd needs only a
  // transpose of the eigenvectors; the SVD of Aᵀ = U' S V'ᵀ gives A = V' S U'ᵀ, so the column-major
  // factors land in our row-major `vt` and `u` with their roles swapped.
  // Not exercised by CI (Linux only); kept to the same contract as LAPACK+LAPACKE.swift.

  private protocol AccelerateLAPACK: BLASScalar {
    static func syevd(
      _ jobz: UnsafeMutablePointer<CChar>, _ uplo: UnsafeMutablePointer<CChar>,
      _ n: UnsafeMutablePointer<__CLPK_integer>, _ a: UnsafeMutablePointer<Self>,
      _ lda: UnsafeMutablePointer<__CLPK_integer>, _ w: UnsafeMutablePointer<Self>,
      _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafeMutablePointer<__CLPK_integer>,
      _ iwork: UnsafeMutablePointer<__CLPK_integer>, _ liwork: UnsafeMutablePointer<__CLPK_integer>,
      _ info: UnsafeMutablePointer<__CLPK_integer>)
    static func gesdd(
      _ jobz: UnsafeMutablePointer<CChar>, _ m: UnsafeMutablePointer<__CLPK_integer>,
      _ n: UnsafeMutablePointer<__CLPK_integer>, _ a: UnsafeMutablePointer<Self>,
      _ lda: UnsafeMutablePointer<__CLPK_integer>, _ s: UnsafeMutablePointer<Self>,
      _ u: UnsafeMutablePointer<Self>, _ ldu: UnsafeMutablePointer<__CLPK_integer>,
      _ vt: UnsafeMutablePointer<Self>, _ ldvt: UnsafeMutablePointer<__CLPK_integer>,
      _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafeMutablePointer<__CLPK_integer>,
      _ iwork: UnsafeMutablePointer<__CLPK_integer>, _ info: UnsafeMutablePointer<__CLPK_integer>)
  }

  extension Float: AccelerateLAPACK {
    fileprivate static func syevd(
      _ jobz: UnsafeMutablePointer<CChar>, _ uplo: UnsafeMutablePointer<CChar>,
      _ n: UnsafeMutablePointer<__CLPK_integer>, _ a: UnsafeMutablePointer<Float>,
      _ lda: UnsafeMutablePointer<__CLPK_integer>, _ w: UnsafeMutablePointer<Float>,
      _ work: UnsafeMutablePointer<Float>, _ lwork: UnsafeMutablePointer<__CLPK_integer>,
      _ iwork: UnsafeMutablePointer<__CLPK_integer>, _ liwork: UnsafeMutablePointer<__CLPK_integer>,
      _ info: UnsafeMutablePointer<__CLPK_integer>
    ) { _ = ssyevd_(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info) }
    fileprivate static func gesdd(
      _ jobz: UnsafeMutablePointer<CChar>, _ m: UnsafeMutablePointer<__CLPK_integer>,
      _ n: UnsafeMutablePointer<__CLPK_integer>, _ a: UnsafeMutablePointer<Float>,
      _ lda: UnsafeMutablePointer<__CLPK_integer>, _ s: UnsafeMutablePointer<Float>,
      _ u: UnsafeMutablePointer<Float>, _ ldu: UnsafeMutablePointer<__CLPK_integer>,
      _ vt: UnsafeMutablePointer<Float>, _ ldvt: UnsafeMutablePointer<__CLPK_integer>,
      _ work: UnsafeMutablePointer<Float>, _ lwork: UnsafeMutablePointer<__CLPK_integer>,
      _ iwork: UnsafeMutablePointer<__CLPK_integer>, _ info: UnsafeMutablePointer<__CLPK_integer>
    ) { _ = sgesdd_(jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info) }
  }

  extension Double: AccelerateLAPACK {
    fileprivate static func syevd(
      _ jobz: UnsafeMutablePointer<CChar>, _ uplo: UnsafeMutablePointer<CChar>,
      _ n: UnsafeMutablePointer<__CLPK_integer>, _ a: UnsafeMutablePointer<Double>,
      _ lda: UnsafeMutablePointer<__CLPK_integer>, _ w: UnsafeMutablePointer<Double>,
      _ work: UnsafeMutablePointer<Double>, _ lwork: UnsafeMutablePointer<__CLPK_integer>,
      _ iwork: UnsafeMutablePointer<__CLPK_integer>, _ liwork: UnsafeMutablePointer<__CLPK_integer>,
      _ info: UnsafeMutablePointer<__CLPK_integer>
    ) { _ = dsyevd_(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info) }
    fileprivate static func gesdd(
      _ jobz: UnsafeMutablePointer<CChar>, _ m: UnsafeMutablePointer<__CLPK_integer>,
      _ n: UnsafeMutablePointer<__CLPK_integer>, _ a: UnsafeMutablePointer<Double>,
      _ lda: UnsafeMutablePointer<__CLPK_integer>, _ s: UnsafeMutablePointer<Double>,
      _ u: UnsafeMutablePointer<Double>, _ ldu: UnsafeMutablePointer<__CLPK_integer>,
      _ vt: UnsafeMutablePointer<Double>, _ ldvt: UnsafeMutablePointer<__CLPK_integer>,
      _ work: UnsafeMutablePointer<Double>, _ lwork: UnsafeMutablePointer<__CLPK_integer>,
      _ iwork: UnsafeMutablePointer<__CLPK_integer>, _ info: UnsafeMutablePointer<__CLPK_integer>
    ) { _ = dgesdd_(jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info) }
  }

  private func symmetricEigen<T: AccelerateLAPACK>(
    n: Int, a: UnsafeMutablePointer<T>, computeVectors: Bool, values: UnsafeMutablePointer<T>
  ) -> Int {
    var jobz = CChar(UInt8(ascii: computeVectors ? "V" : "N"))
    var uplo = CChar(UInt8(ascii: "U"))
    var order = __CLPK_integer(n)
    var lda = __CLPK_integer(max(n, 1))
    var info: __CLPK_integer = 0
    var lwork: __CLPK_integer = -1
    var liwork: __CLPK_integer = -1
    var workSize = T.zero
    var iworkSize: __CLPK_integer = 0
    T.syevd(&jobz, &uplo, &order, a, &lda, values, &workSize, &lwork, &iworkSize, &liwork, &info)
    guard info == 0 else { return Int(info) }
    lwork = __CLPK_integer(workSize)
    liwork = iworkSize
    var work = [T](repeating: 0, count: Int(lwork))
    var iwork = [__CLPK_integer](repeating: 0, count: Int(liwork))
    T.syevd(&jobz, &uplo, &order, a, &lda, values, &work, &lwork, &iwork, &liwork, &info)
    if computeVectors {  // column-major columns are our rows: transpose in place
      for i in 0..<n { for j in (i + 1)..<n { swap(&a[i * n + j], &a[j * n + i]) } }
    }
    return Int(info)
  }

  private func singularValueDecomposition<T: AccelerateLAPACK>(
    m: Int, n: Int, a: UnsafeMutablePointer<T>, s: UnsafeMutablePointer<T>,
    u: UnsafeMutablePointer<T>?, vt: UnsafeMutablePointer<T>?
  ) -> Int {
    // Column-major view: Aᵀ is n × m.
    let k = min(m, n)
    let wantVectors = u != nil && vt != nil
    var jobz = CChar(UInt8(ascii: wantVectors ? "S" : "N"))
    var rows = __CLPK_integer(n)
    var cols = __CLPK_integer(m)
    var lda = __CLPK_integer(max(n, 1))
    var ldu = __CLPK_integer(max(n, 1))
    var ldvt = __CLPK_integer(max(k, 1))
    var info: __CLPK_integer = 0
    let dummy = UnsafeMutablePointer<T>.allocate(capacity: 1)
    defer { dummy.deallocate() }
    var iwork = [__CLPK_integer](repeating: 0, count: 8 * max(k, 1))
    var lwork: __CLPK_integer = -1
    var workSize = T.zero
    let uSlot = vt ?? dummy
    let vtSlot = u ?? dummy
    T.gesdd(
      &jobz, &rows, &cols, a, &lda, s, uSlot, &ldu, vtSlot, &ldvt, &workSize, &lwork, &iwork, &info)
    guard info == 0 else { return Int(info) }
    lwork = __CLPK_integer(workSize)
    var work = [T](repeating: 0, count: Int(lwork))
    T.gesdd(&jobz, &rows, &cols, a, &lda, s, uSlot, &ldu, vtSlot, &ldvt, &work, &lwork, &iwork, &info)
    return Int(info)
  }

  func lapackSymmetricEigen(
    n: Int, a: UnsafeMutablePointer<Float>, computeVectors: Bool, values: UnsafeMutablePointer<Float>
  ) -> Int { symmetricEigen(n: n, a: a, computeVectors: computeVectors, values: values) }

  func lapackSymmetricEigen(
    n: Int, a: UnsafeMutablePointer<Double>, computeVectors: Bool,
    values: UnsafeMutablePointer<Double>
  ) -> Int { symmetricEigen(n: n, a: a, computeVectors: computeVectors, values: values) }

  func lapackSingularValueDecomposition(
    m: Int, n: Int, a: UnsafeMutablePointer<Float>, s: UnsafeMutablePointer<Float>,
    u: UnsafeMutablePointer<Float>?, vt: UnsafeMutablePointer<Float>?
  ) -> Int { singularValueDecomposition(m: m, n: n, a: a, s: s, u: u, vt: vt) }

  func lapackSingularValueDecomposition(
    m: Int, n: Int, a: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>,
    u: UnsafeMutablePointer<Double>?, vt: UnsafeMutablePointer<Double>?
  ) -> Int { singularValueDecomposition(m: m, n: n, a: a, s: s, u: u, vt: vt) }
#endif
