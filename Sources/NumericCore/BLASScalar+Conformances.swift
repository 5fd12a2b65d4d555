import RealModule

#if canImport(Accelerate)
  import Accelerate
#else
  import CBLAS
#endif

// The `Float` and `Double` conformances: BLAS calls (s/d prefixes) and the specializations of the
// generic kernels of `Kernels.swift`. The two blocks differ only in the type and the BLAS prefix.

extension Float: BLASScalar {
  public static var dtypeSlug: String { "float32" }
  public static var safetensorsDType: String { "F32" }

  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  public static func syrk(
    n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
  }

  public static func symm(
    m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_ssymm(
      CblasRowMajor, CblasLeft, CblasUpper, Int32(m), Int32(n), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  public static func gemv(
    transpose: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
    x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
  ) {
    cblas_sgemv(
      CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a,
      Int32(lda), x, 1, beta, y, 1)
  }

  public static func dot(count: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
    cblas_sdot(Int32(count), x, 1, y, 1)
  }

  public static func axpy(
    count: Int, alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>
  ) {
    cblas_saxpy(Int32(count), alpha, x, 1, y, 1)
  }

  public static func scal(count: Int, alpha: Float, _ x: UnsafeMutablePointer<Float>) {
    cblas_sscal(Int32(count), alpha, x, 1)
  }

  public static func symmetricEigen(
    n: Int, a: UnsafeMutablePointer<Float>, computeVectors: Bool,
    values: UnsafeMutablePointer<Float>
  ) -> Int {
    lapackSymmetricEigen(n: n, a: a, computeVectors: computeVectors, values: values)
  }

  public static func singularValueDecomposition(
    m: Int, n: Int, a: UnsafeMutablePointer<Float>, s: UnsafeMutablePointer<Float>,
    u: UnsafeMutablePointer<Float>?, vt: UnsafeMutablePointer<Float>?
  ) -> Int {
    lapackSingularValueDecomposition(m: m, n: n, a: a, s: s, u: u, vt: vt)
  }

  public static func activate(
    _ activation: Activation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    count: Int
  ) {
    kernelActivate(activation, x, y, count: count)
  }

  public static func multiplyByDerivative(
    _ activation: Activation, preactivation x: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
    adding base: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>, count: Int
  ) {
    kernelMultiplyByDerivative(activation, preactivation: x, g, adding: base, into: out, count: count)
  }

  public static func addToRows(
    _ v: UnsafePointer<Float>, alpha: Float, _ x: UnsafeMutablePointer<Float>, rows: Int,
    columns: Int
  ) {
    kernelAddToRows(v, alpha: alpha, x, rows: rows, columns: columns)
  }

  public static func columnSums(
    _ x: UnsafePointer<Float>, rows: Int, columns: Int, alpha: Float, accumulate: Bool,
    into out: UnsafeMutablePointer<Float>
  ) {
    kernelColumnSums(x, rows: rows, columns: columns, alpha: alpha, accumulate: accumulate, into: out)
  }

  public static func meanSquaredError(
    output: UnsafePointer<Float>, target: UnsafePointer<Float>,
    gradient: UnsafeMutablePointer<Float>?, rows: Int, columns: Int
  ) -> Double {
    kernelMeanSquaredError(
      output: output, target: target, gradient: gradient, rows: rows, columns: columns)
  }

  public static func softmaxCrossEntropy(
    logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
    gradient: UnsafeMutablePointer<Float>?, rows: Int, columns: Int
  ) -> (loss: Double, correct: Int) {
    kernelSoftmaxCrossEntropy(
      logits: logits, labels: labels, gradient: gradient, rows: rows, columns: columns)
  }

  public static func matchingArgmaxCount(
    _ x: UnsafePointer<Float>, _ target: UnsafePointer<Float>, rows: Int, columns: Int
  ) -> Int {
    kernelMatchingArgmaxCount(x, target, rows: rows, columns: columns)
  }

  public static func convert(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { y[i] = Float(x[i]) }
  }

  public static func convert(_ x: UnsafePointer<Double>, to y: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { y[i] = Float(x[i]) }
  }

  public static func convertToDouble(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Double>, count: Int) {
    for i in 0..<count { y[i] = Double(x[i]) }
  }

  public static func allFinite(_ x: UnsafePointer<Float>, count: Int) -> Bool {
    kernelAllFinite(x, count: count)
  }

  public static func squaredDistance(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int
  ) -> Double {
    kernelSquaredDistance(x, y, count: count)
  }

  public static func difference(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into d: UnsafeMutablePointer<Float>, count: Int
  ) -> (xSquared: Double, differenceSquared: Double) {
    kernelDifference(x, y, into: d, count: count)
  }

  public static func adamDirection(
    gradient g: UnsafePointer<Float>, firstMoment m: UnsafeMutablePointer<Float>,
    secondMoment v: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int,
    beta1: Float, beta2: Float, firstCorrection: Float, secondCorrection: Float, epsilon: Float
  ) {
    kernelAdamDirection(
      gradient: g, firstMoment: m, secondMoment: v, into: out, count: count, beta1: beta1, beta2: beta2,
      firstCorrection: firstCorrection, secondCorrection: secondCorrection, epsilon: epsilon)
  }
}

extension Double: BLASScalar {
  public static var dtypeSlug: String { "float64" }
  public static var safetensorsDType: String { "F64" }

  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
    a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  public static func syrk(
    n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int, beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
  }

  public static func symm(
    m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dsymm(
      CblasRowMajor, CblasLeft, CblasUpper, Int32(m), Int32(n), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  public static func gemv(
    transpose: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>
  ) {
    cblas_dgemv(
      CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a,
      Int32(lda), x, 1, beta, y, 1)
  }

  public static func dot(count: Int, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>) -> Double {
    cblas_ddot(Int32(count), x, 1, y, 1)
  }

  public static func axpy(
    count: Int, alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>
  ) {
    cblas_daxpy(Int32(count), alpha, x, 1, y, 1)
  }

  public static func scal(count: Int, alpha: Double, _ x: UnsafeMutablePointer<Double>) {
    cblas_dscal(Int32(count), alpha, x, 1)
  }

  public static func symmetricEigen(
    n: Int, a: UnsafeMutablePointer<Double>, computeVectors: Bool,
    values: UnsafeMutablePointer<Double>
  ) -> Int {
    lapackSymmetricEigen(n: n, a: a, computeVectors: computeVectors, values: values)
  }

  public static func singularValueDecomposition(
    m: Int, n: Int, a: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>,
    u: UnsafeMutablePointer<Double>?, vt: UnsafeMutablePointer<Double>?
  ) -> Int {
    lapackSingularValueDecomposition(m: m, n: n, a: a, s: s, u: u, vt: vt)
  }

  public static func activate(
    _ activation: Activation, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>,
    count: Int
  ) {
    kernelActivate(activation, x, y, count: count)
  }

  public static func multiplyByDerivative(
    _ activation: Activation, preactivation x: UnsafePointer<Double>, _ g: UnsafePointer<Double>,
    adding base: UnsafePointer<Double>?, into out: UnsafeMutablePointer<Double>, count: Int
  ) {
    kernelMultiplyByDerivative(activation, preactivation: x, g, adding: base, into: out, count: count)
  }

  public static func addToRows(
    _ v: UnsafePointer<Double>, alpha: Double, _ x: UnsafeMutablePointer<Double>, rows: Int,
    columns: Int
  ) {
    kernelAddToRows(v, alpha: alpha, x, rows: rows, columns: columns)
  }

  public static func columnSums(
    _ x: UnsafePointer<Double>, rows: Int, columns: Int, alpha: Double, accumulate: Bool,
    into out: UnsafeMutablePointer<Double>
  ) {
    kernelColumnSums(x, rows: rows, columns: columns, alpha: alpha, accumulate: accumulate, into: out)
  }

  public static func meanSquaredError(
    output: UnsafePointer<Double>, target: UnsafePointer<Double>,
    gradient: UnsafeMutablePointer<Double>?, rows: Int, columns: Int
  ) -> Double {
    kernelMeanSquaredError(
      output: output, target: target, gradient: gradient, rows: rows, columns: columns)
  }

  public static func softmaxCrossEntropy(
    logits: UnsafePointer<Double>, labels: UnsafePointer<Int32>,
    gradient: UnsafeMutablePointer<Double>?, rows: Int, columns: Int
  ) -> (loss: Double, correct: Int) {
    kernelSoftmaxCrossEntropy(
      logits: logits, labels: labels, gradient: gradient, rows: rows, columns: columns)
  }

  public static func matchingArgmaxCount(
    _ x: UnsafePointer<Double>, _ target: UnsafePointer<Double>, rows: Int, columns: Int
  ) -> Int {
    kernelMatchingArgmaxCount(x, target, rows: rows, columns: columns)
  }

  public static func convert(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Double>, count: Int) {
    for i in 0..<count { y[i] = Double(x[i]) }
  }

  public static func convert(_ x: UnsafePointer<Double>, to y: UnsafeMutablePointer<Double>, count: Int) {
    for i in 0..<count { y[i] = Double(x[i]) }
  }

  public static func convertToDouble(_ x: UnsafePointer<Double>, to y: UnsafeMutablePointer<Double>, count: Int) {
    y.update(from: x, count: count)
  }

  public static func allFinite(_ x: UnsafePointer<Double>, count: Int) -> Bool {
    kernelAllFinite(x, count: count)
  }

  public static func squaredDistance(
    _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int
  ) -> Double {
    kernelSquaredDistance(x, y, count: count)
  }

  public static func difference(
    _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, into d: UnsafeMutablePointer<Double>, count: Int
  ) -> (xSquared: Double, differenceSquared: Double) {
    kernelDifference(x, y, into: d, count: count)
  }

  public static func adamDirection(
    gradient g: UnsafePointer<Double>, firstMoment m: UnsafeMutablePointer<Double>,
    secondMoment v: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>, count: Int,
    beta1: Double, beta2: Double, firstCorrection: Double, secondCorrection: Double, epsilon: Double
  ) {
    kernelAdamDirection(
      gradient: g, firstMoment: m, secondMoment: v, into: out, count: count, beta1: beta1, beta2: beta2,
      firstCorrection: firstCorrection, secondCorrection: secondCorrection, epsilon: epsilon)
  }
}
