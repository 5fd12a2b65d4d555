import RealModule

// Adam's entry-wise step on preallocated matrices (the optimizer itself lives in Training).

extension Matrix {
  /// Advances Adam's moments by one step and writes the normalized direction into `self`:
  ///
  ///     m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,   self = m̂ / (√v̂ + ε)
  ///
  /// with `m̂ = m / (1 − β₁ᵗ)`, `v̂ = v / (1 − β₂ᵗ)` (PyTorch convention). `gradient`,
  /// `firstMoment`, `secondMoment` and `self` share one shape (any, e.g. a `[fanOut, fanIn]`
  /// weight or a `1 × fanOut` bias).
  ///
  /// - Parameters:
  ///   - step: `t ≥ 1`, the number of this step (for the bias corrections).
  ///   - beta1, beta2: decay rates in `[0, 1)`.
  ///   - epsilon: `ε > 0`, added to `√v̂`.
  public mutating func setAdamDirection(
    gradient: Matrix, firstMoment: inout Matrix, secondMoment: inout Matrix, step: Int,
    beta1: Double, beta2: Double, epsilon: Double
  ) {
    precondition(
      gradient.count == count && firstMoment.count == count && secondMoment.count == count,
      "setAdamDirection: gradient \(gradient.rows)×\(gradient.columns), moments \(firstMoment.rows)×\(firstMoment.columns) "
        + "and \(secondMoment.rows)×\(secondMoment.columns) into \(rows)×\(columns)")
    precondition(step >= 1, "setAdamDirection: step must be ≥ 1, got \(step)")
    let n = count
    if n == 0 { return }
    let c1 = 1 - Double.pow(beta1, Double(step)), c2 = 1 - Double.pow(beta2, Double(step))
    gradient.storage.withUnsafeBufferPointer { pg in
      firstMoment.storage.withUnsafeMutableBufferPointer { pm in
        secondMoment.storage.withUnsafeMutableBufferPointer { pv in
          storage.withUnsafeMutableBufferPointer { po in
            Scalar.adamDirection(
              gradient: pg.baseAddress!, firstMoment: pm.baseAddress!, secondMoment: pv.baseAddress!,
              into: po.baseAddress!, count: n, beta1: Scalar(beta1), beta2: Scalar(beta2),
              firstCorrection: Scalar(c1), secondCorrection: Scalar(c2), epsilon: Scalar(epsilon))
          }
        }
      }
    }
  }
}
