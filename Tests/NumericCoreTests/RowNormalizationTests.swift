import Testing
import NumericCore
import _TestSupport

/// The per-sample RMS normalization `ν(z) = z / √(mean_row z² + ε)` of theory §5.3 (`ε = 0`, as the
/// networks use it): rows of rms 1,
/// its JVP against central finite differences, and VJP–JVP adjointness, through an activation.
@Suite struct RowNormalizationTests {
  static let epsilon = 0.0

  static func normalize(_ z: Matrix<Double>) -> (y: Matrix<Double>, r: Matrix<Double>) {
    var r = Matrix<Double>(rows: z.rows, columns: 1)
    r.setRowRootMeanSquares(of: z, epsilon: epsilon)
    var y = Matrix<Double>(rows: z.rows, columns: z.columns)
    y.setRowNormalization(of: z, rootMeanSquares: r)
    return (y, r)
  }

  static func random(_ rows: Int, _ columns: Int, seed: UInt64, scale: Double = 1) -> Matrix<Double> {
    var generator = SeededGenerator(seed: seed, stream: "row-normalization")
    return .gaussian(rows: rows, columns: columns, standardDeviation: scale, using: &generator)
  }

  @Test("Every row of ν(z) has rms 1, for any scale of z, in Double and Float")
  func unitRMS() {
    for scale in [1e-3, 1.0, 1e4] {
      let z = Self.random(5, 7, seed: 1, scale: scale)
      let y = Self.normalize(z).y
      for i in 0..<5 {
        let rms = ((0..<7).map { y[i, $0] * y[i, $0] }.reduce(0, +) / 7).squareRoot()
        #expect(abs(rms - 1) < 1e-14, "row \(i) at scale \(scale): rms \(rms)")
      }
      var zf = Matrix<Float>(rows: 5, columns: 7)
      zf.setEntries(from: z.doubles)
      var rf = Matrix<Float>(rows: 5, columns: 1)
      rf.setRowRootMeanSquares(of: zf, epsilon: Self.epsilon)
      var yf = Matrix<Float>(rows: 5, columns: 7)
      yf.setRowNormalization(of: zf, rootMeanSquares: rf)
      #expect(relativeError(yf.doubles, y.doubles) < 1e-6)
    }
    // A zero row is guarded: r = 1, it stays zero, and the Jacobian there is the identity.
    let zero = Matrix<Double>(rows: 2, columns: 3)
    let (y0, r0) = Self.normalize(zero)
    #expect(y0.doubles.allSatisfy { $0 == 0 } && r0.doubles == [1, 1])
    let v = Self.random(2, 3, seed: 9)
    var jv = Matrix<Double>(rows: 2, columns: 3)
    jv.setNormalizationTangent(.identity, normalized: y0, rootMeanSquares: r0, v)
    #expect(jv == v)
  }

  @Test("The tangent α'(ν(z)) ⊙ J δz matches central finite differences of α(ν(z))",
        arguments: [Activation.identity, .tanh, .gelu])
  func tangentMatchesFiniteDifferences(_ activation: Activation) {
    let z = Self.random(4, 6, seed: 2)
    let dz = Self.random(4, 6, seed: 3)
    let (y, r) = Self.normalize(z)
    var tangent = Matrix<Double>(rows: 4, columns: 6)
    tangent.setNormalizationTangent(activation, normalized: y, rootMeanSquares: r, dz)
    let h = 1e-6
    func g(_ t: Double) -> Matrix<Double> {
      var moved = z
      moved.add(dz, scaledBy: t)
      var out = Matrix<Double>(rows: 4, columns: 6)
      out.setActivation(activation, of: Self.normalize(moved).y)
      return out
    }
    var numeric = g(h)
    numeric.add(g(-h), scaledBy: -1)
    numeric.scale(by: 1 / (2 * h))
    #expect(relativeError(tangent, numeric) < 1e-8)
  }

  @Test("⟨VJP(u), v⟩ = ⟨u, JVP(v)⟩, and the backward adds its base", arguments: Activation.allCases)
  func adjointness(_ activation: Activation) {
    let z = Self.random(5, 8, seed: 4)
    let (y, r) = Self.normalize(z)
    let u = Self.random(5, 8, seed: 5), v = Self.random(5, 8, seed: 6), base = Self.random(5, 8, seed: 7)
    var vjp = Matrix<Double>(rows: 5, columns: 8)
    vjp.setNormalizationBackward(activation, normalized: y, rootMeanSquares: r, u)
    var jvp = Matrix<Double>(rows: 5, columns: 8)
    jvp.setNormalizationTangent(activation, normalized: y, rootMeanSquares: r, v)
    #expect(relativeError(Matrix.dot(vjp, v), Matrix.dot(u, jvp)) < 1e-13)
    var withBase = Matrix<Double>(rows: 5, columns: 8)
    withBase.setNormalizationBackward(activation, normalized: y, rootMeanSquares: r, u, adding: base)
    withBase.add(base, scaledBy: -1)
    #expect(relativeError(withBase, vjp) < 1e-14)
    // ν is scale-invariant: the VJP is orthogonal to z, row by row.
    for i in 0..<5 {
      let dot = (0..<8).map { vjp[i, $0] * z[i, $0] }.reduce(0, +)
      let scale = (0..<8).map { vjp[i, $0] * vjp[i, $0] }.reduce(0, +).squareRoot()
        * (0..<8).map { z[i, $0] * z[i, $0] }.reduce(0, +).squareRoot()
      #expect(abs(dot) < 1e-14 * scale)
    }
  }
}
