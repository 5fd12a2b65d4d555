import Testing
import NumericCore
import _TestSupport

@Suite struct ActivationTests {
  static let points: [Double] = [-3, -1.5, -0.2, -1e-3, 0.3, 0.9, 2.5]

  static func reference(_ activation: Activation, _ x: Double) -> Double {
    switch activation {
    case .identity: x
    case .relu: max(x, 0)
    case .tanh: Double.tanh(x)
    case .gelu: x * (1 + Double.erf(x / 2.0.squareRoot())) / 2
    }
  }

  @Test("Forward kernels match closed forms", arguments: Activation.allCases)
  func forward(_ activation: Activation) {
    let z = Matrix<Double>(rows: 1, columns: Self.points.count, storage: Self.points)
    var y = z
    y.setActivation(activation, of: z)
    #expect(relativeError(y.doubles, Self.points.map { Self.reference(activation, $0) }) < 1e-15)
    var f = Matrix<Float>(converting: Self.points, rows: 1, columns: Self.points.count)
    f.setActivation(activation, of: f)
    #expect(relativeError(f.doubles, Self.points.map { Self.reference(activation, $0) }) < 1e-6)
  }

  @Test("Derivative kernels match finite differences, with and without a base", arguments: Activation.allCases)
  func derivative(_ activation: Activation) {
    let z = Matrix<Double>(rows: 1, columns: Self.points.count, storage: Self.points)
    let g = Matrix<Double>(rows: 1, columns: Self.points.count, storage: Self.points.indices.map { Double($0) - 2.5 })
    let base = Matrix<Double>(rows: 1, columns: Self.points.count, storage: Self.points.map { $0 * 10 })
    var out = z
    out.setDerivativeProduct(activation, preactivation: z, g)
    let h = 1e-6
    let numeric = Self.points.indices.map { i in
      (Self.reference(activation, Self.points[i] + h) - Self.reference(activation, Self.points[i] - h)) / (2 * h) * g.storage[i]
    }
    #expect(relativeError(out.doubles, numeric) < 1e-8)
    out.setDerivativeProduct(activation, preactivation: z, g, adding: base)
    #expect(relativeError(out.doubles, zip(numeric, base.storage).map(+)) < 1e-8)
  }

  @Test("ReLU derivative is 0 at the kink and gains follow PyTorch")
  func reluConventions() {
    var out = Matrix<Double>(rows: 1, columns: 1)
    out.setDerivativeProduct(.relu, preactivation: Matrix([[0]]), Matrix([[5]]))
    #expect(out[0, 0] == 0)
    #expect(Activation.relu.gain == 2.0.squareRoot())
    #expect(Activation.identity.gain == 1)
    #expect(Activation.tanh.gain == 5.0 / 3.0)
  }
}
