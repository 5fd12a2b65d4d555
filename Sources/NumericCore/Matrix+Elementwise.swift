// Elementwise operations with an activation `φ` (theory §2, §3.3), on preallocated matrices.

extension Matrix {
  /// `self = φ(z)` entry by entry; `z` has the same shape.
  public mutating func setActivation(_ activation: Activation, of z: Matrix) {
    precondition(z.rows == rows && z.columns == columns, "setActivation: \(z.rows)×\(z.columns) into \(rows)×\(columns)")
    let n = count
    if n == 0 { return }
    z.storage.withUnsafeBufferPointer { pz in
      storage.withUnsafeMutableBufferPointer { py in
        Scalar.activate(activation, pz.baseAddress!, py.baseAddress!, count: n)
      }
    }
  }

  /// `self = base + φ'(z) ⊙ g` (or `φ'(z) ⊙ g` without `base`); all operands share one shape.
  /// The backward pass uses it with `g = ∂ℒ/∂φ(z)`, the tangent pass with `g = δz`.
  public mutating func setDerivativeProduct(
    _ activation: Activation, preactivation z: Matrix, _ g: Matrix, adding base: Matrix? = nil
  ) {
    precondition(
      z.count == count && g.count == count && (base?.count ?? count) == count,
      "setDerivativeProduct: operands \(z.rows)×\(z.columns), \(g.rows)×\(g.columns) into \(rows)×\(columns)")
    let n = count
    if n == 0 { return }
    z.storage.withUnsafeBufferPointer { pz in
      g.storage.withUnsafeBufferPointer { pg in
        storage.withUnsafeMutableBufferPointer { po in
          if let base {
            base.storage.withUnsafeBufferPointer { pb in
              Scalar.multiplyByDerivative(
                activation, preactivation: pz.baseAddress!, pg.baseAddress!, adding: pb.baseAddress!,
                into: po.baseAddress!, count: n)
            }
          } else {
            Scalar.multiplyByDerivative(
              activation, preactivation: pz.baseAddress!, pg.baseAddress!, adding: nil,
              into: po.baseAddress!, count: n)
          }
        }
      }
    }
  }
}
