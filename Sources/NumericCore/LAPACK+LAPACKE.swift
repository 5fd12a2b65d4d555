#if !canImport(Accelerate)
  import CBLAS

  // LAPACK through LAPACKE's row-major interface (Linux). Only `BLASScalar+Conformances.swift`
  // calls these.

  private func lapackChar(_ c: Unicode.Scalar) -> CChar { CChar(UInt8(ascii: c)) }

  func lapackSymmetricEigen(
    n: Int, a: UnsafeMutablePointer<Float>, computeVectors: Bool, values: UnsafeMutablePointer<Float>
  ) -> Int {
    Int(
      LAPACKE_ssyevd(
        LAPACK_ROW_MAJOR, lapackChar(computeVectors ? "V" : "N"), lapackChar("U"), Int32(n), a,
        Int32(n), values))
  }

  func lapackSymmetricEigen(
    n: Int, a: UnsafeMutablePointer<Double>, computeVectors: Bool,
    values: UnsafeMutablePointer<Double>
  ) -> Int {
    Int(
      LAPACKE_dsyevd(
        LAPACK_ROW_MAJOR, lapackChar(computeVectors ? "V" : "N"), lapackChar("U"), Int32(n), a,
        Int32(n), values))
  }

  func lapackSingularValueDecomposition(
    m: Int, n: Int, a: UnsafeMutablePointer<Float>, s: UnsafeMutablePointer<Float>,
    u: UnsafeMutablePointer<Float>?, vt: UnsafeMutablePointer<Float>?
  ) -> Int {
    let k = min(m, n)
    var dummy: [Float] = [0]
    return dummy.withUnsafeMutableBufferPointer { d in
      let wantVectors = u != nil && vt != nil
      return Int(
        LAPACKE_sgesdd(
          LAPACK_ROW_MAJOR, lapackChar(wantVectors ? "S" : "N"), Int32(m), Int32(n), a, Int32(n), s,
          u ?? d.baseAddress!, Int32(max(k, 1)), vt ?? d.baseAddress!, Int32(max(n, 1))))
    }
  }

  func lapackSingularValueDecomposition(
    m: Int, n: Int, a: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>,
    u: UnsafeMutablePointer<Double>?, vt: UnsafeMutablePointer<Double>?
  ) -> Int {
    let k = min(m, n)
    var dummy: [Double] = [0]
    return dummy.withUnsafeMutableBufferPointer { d in
      let wantVectors = u != nil && vt != nil
      return Int(
        LAPACKE_dgesdd(
          LAPACK_ROW_MAJOR, lapackChar(wantVectors ? "S" : "N"), Int32(m), Int32(n), a, Int32(n), s,
          u ?? d.baseAddress!, Int32(max(k, 1)), vt ?? d.baseAddress!, Int32(max(n, 1))))
    }
  }
#endif
