import Testing
import NumericCore
import _TestSupport

/// BLAS products against the naive reference on odd shapes, for Float and Double.
@Suite struct BLASTests {
  static let shapes: [(m: Int, n: Int, k: Int)] = [
    (1, 1, 1), (1, 7, 5), (7, 1, 5), (5, 7, 1), (3, 4, 5), (17, 9, 33), (64, 3, 2), (2, 65, 31),
  ]

  func checkGemm<T: BLASScalar>(_: T.Type, tolerance: Double) {
    var generator = SeededGenerator(seed: 1)
    for (m, n, k) in Self.shapes {
      for transposeA in [false, true] {
        for transposeB in [false, true] {
          let a = Matrix<T>.gaussian(rows: transposeA ? k : m, columns: transposeA ? m : k, standardDeviation: 1, using: &generator)
          let b = Matrix<T>.gaussian(rows: transposeB ? n : k, columns: transposeB ? k : n, standardDeviation: 1, using: &generator)
          let c0 = Matrix<T>.gaussian(rows: m, columns: n, standardDeviation: 1, using: &generator)
          for (alpha, beta) in [(T(1), T(0)), (T(-0.5), T(1)), (T(2), T(0.25))] {
            var fast = c0
            var slow = c0
            fast.gemm(a, b, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta)
            slow.referenceGemm(a, b, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta)
            let error = relativeError(fast, slow)
            #expect(error < tolerance, "\(m)×\(n)×\(k) tA=\(transposeA) tB=\(transposeB): \(error)")
          }
        }
      }
    }
  }

  @Test func gemmMatchesReferenceFloat() { checkGemm(Float.self, tolerance: 1e-6) }
  @Test func gemmMatchesReferenceDouble() { checkGemm(Double.self, tolerance: 1e-14) }

  @Test("gemm with beta = 0 ignores NaNs in the destination; k = 0 gives zeros")
  func gemmEdgeCases() {
    var c = Matrix<Double>(rows: 2, columns: 2, repeating: .nan)
    c.gemm(Matrix([[1, 2]]).transposed(), Matrix([[3, 4]]))
    #expect(c == Matrix([[3, 4], [6, 8]]))
    var z = Matrix<Double>(rows: 2, columns: 3, repeating: 5)
    z.gemm(Matrix(rows: 2, columns: 0), Matrix(rows: 0, columns: 3))
    #expect(z == Matrix(rows: 2, columns: 3))
  }

  func checkVectorOps<T: BLASScalar>(_: T.Type, tolerance: Double) {
    var generator = SeededGenerator(seed: 2)
    let a = Matrix<T>.gaussian(rows: 13, columns: 7, standardDeviation: 1, using: &generator)
    let b = Matrix<T>.gaussian(rows: 13, columns: 7, standardDeviation: 1, using: &generator)
    let da = a.doubles, db = b.doubles
    let dot = zip(da, db).map(*).reduce(0, +)
    #expect(relativeError(Matrix.dot(a, b), dot) < tolerance)
    #expect(relativeError(a.squaredNorm, da.map { $0 * $0 }.reduce(0, +)) < tolerance)
    #expect(relativeError(a.rms, (da.map { $0 * $0 }.reduce(0, +) / 91).squareRoot()) < tolerance)
    let distance: Double = zip(da, db).map { (x: Double, y: Double) -> Double in (x - y) * (x - y) }.reduce(0, +)
    #expect(relativeError(a.squaredDistance(to: b), distance) < tolerance)
    var c = a
    c.add(b, scaledBy: T(-2))
    #expect(relativeError(c.doubles, zip(da, db).map { $0 - 2 * $1 }) < tolerance)
    c.scale(by: 3)
    #expect(relativeError(c.doubles, zip(da, db).map { 3 * ($0 - 2 * $1) }) < tolerance)
    var sums = Matrix<T>(rows: 1, columns: 7)
    sums.setColumnSums(of: a, scaledBy: 2)
    func columnSum(_ j: Int) -> Double {
      var total = 0.0
      for i in 0..<13 { total += da[i * 7 + j] }
      return total
    }
    let expected: [Double] = (0..<7).map { 2 * columnSum($0) }
    #expect(relativeError(sums.doubles, expected) < tolerance)
    sums.setColumnSums(of: a, scaledBy: 1, accumulate: true)
    #expect(relativeError(sums.doubles, expected.map { $0 * 1.5 }) < tolerance)
    var broadcast = a
    broadcast.addToEveryRow(sums, scaledBy: T(0.5))
    let sumsD = sums.doubles
    let broadcastExpected: [Double] = da.indices.map { (i: Int) -> Double in da[i] + 0.5 * sumsD[i % 7] }
    #expect(relativeError(broadcast.doubles, broadcastExpected) < tolerance)
    var y = [T](repeating: 0, count: 13)
    a.gemv((0..<7).map { T($0) }, into: &y)
    var yExpected = [Double](repeating: 0, count: 13)
    var xExpected = [Double](repeating: 0, count: 7)
    for i in 0..<13 {
      for j in 0..<7 {
        yExpected[i] += da[i * 7 + j] * Double(j)
        xExpected[j] += da[i * 7 + j] * Double(i)
      }
    }
    #expect(relativeError(y.map { Double($0) }, yExpected) < tolerance)
    var x = [T](repeating: 0, count: 7)
    a.gemv((0..<13).map { T($0) }, into: &x, transpose: true)
    #expect(relativeError(x.map { Double($0) }, xExpected) < tolerance)
  }

  @Test func vectorOperationsFloat() { checkVectorOps(Float.self, tolerance: 1e-6) }
  @Test func vectorOperationsDouble() { checkVectorOps(Double.self, tolerance: 1e-14) }

  @Test("Long reductions (blocked SIMD lanes) match a Double reference")
  func longReductions() {
    var generator = SeededGenerator(seed: 12)
    let a = Matrix<Float>.gaussian(rows: 37, columns: 311, standardDeviation: 1, using: &generator)
    let b = Matrix<Float>.gaussian(rows: 37, columns: 311, standardDeviation: 1, using: &generator)
    var expected = 0.0
    for (x, y) in zip(a.storage, b.storage) { expected += (Double(x) - Double(y)) * (Double(x) - Double(y)) }
    #expect(relativeError(a.squaredDistance(to: b), expected) < 1e-6)
    var withNaN = a
    withNaN[36, 310] = .nan
    #expect(!withNaN.isFinite)
    withNaN[36, 310] = 0
    withNaN[0, 5] = .infinity
    #expect(!withNaN.isFinite)
  }

  /// `setDifference` on a short tail-only shape, on one block and on several 1024-entry blocks
  /// with a tail: the difference is exact (one rounding per entry) and both norms match a Double
  /// reference.
  func checkDifference<T: BLASScalar>(_: T.Type, tolerance: Double) {
    var generator = SeededGenerator(seed: 13)
    for (rows, columns) in [(1, 5), (8, 128), (37, 311)] {
      let a = Matrix<T>.gaussian(rows: rows, columns: columns, standardDeviation: 1, using: &generator)
      let b = Matrix<T>.gaussian(rows: rows, columns: columns, standardDeviation: 2, using: &generator)
      var d = Matrix<T>(rows: rows, columns: columns, repeating: .nan)
      let (aSquared, dSquared) = d.setDifference(a, b)
      #expect(d.storage == zip(a.storage, b.storage).map { $0 - $1 }, "\(rows)×\(columns)")
      let expectedA = a.storage.reduce(0.0) { $0 + Double($1) * Double($1) }
      let expectedD = zip(a.storage, b.storage).reduce(0.0) { $0 + (Double($1.0 - $1.1)) * (Double($1.0 - $1.1)) }
      #expect(relativeError(aSquared, expectedA) < tolerance, "\(rows)×\(columns)")
      #expect(relativeError(dSquared, expectedD) < tolerance, "\(rows)×\(columns)")
      #expect(relativeError(dSquared, a.squaredDistance(to: b)) < tolerance)
    }
  }

  @Test func differenceWithNormsFloat() { checkDifference(Float.self, tolerance: 1e-6) }
  @Test func differenceWithNormsDouble() { checkDifference(Double.self, tolerance: 1e-14) }

  @Test("isFinite detects NaN and infinities")
  func finiteness() {
    var m = Matrix<Float>(rows: 3, columns: 3, repeating: 1)
    #expect(m.isFinite)
    m[1, 2] = .nan
    #expect(!m.isFinite)
    m[1, 2] = -.infinity
    #expect(!m.isFinite)
    #expect(Matrix<Double>(rows: 0, columns: 4).isFinite)
  }

  @Test("copyRows and copy do not change shape")
  func copies() {
    let source = Matrix<Double>([[1, 2], [3, 4], [5, 6]])
    var target = Matrix<Double>(rows: 2, columns: 2)
    target.copyRows(1..<3, of: source)
    #expect(target == Matrix([[3, 4], [5, 6]]))
    target.copy(from: Matrix([[0, 0], [0, 1]]))
    #expect(target == Matrix([[0, 0], [0, 1]]))
    #expect(source.transposed() == Matrix([[1, 3, 5], [2, 4, 6]]))
  }
}
