import NumericCore

// A dense unit `y = s · (a · g Wᵀ + a_b · 1 cᵀ)` (SPEC §2) and its three passes, side by side.
// `g` is the unit's *activated* input `α(z)`; the activation itself is handled by the layer.
// `s` is the extra scale of the unit in its layer (β for the last unit of a residual branch,
// otherwise 1). All passes take their arguments in the same order: incoming signal, the unit's
// activated input, spec, scale, then the destination. Every pass **overwrites** its destination
// unless `accumulate` is true, in which case it adds to it.
//
// Shapes: `g` is `n × fanIn`, `y` is `n × fanOut`, `W` is `fanOut × fanIn`, `c` is `1 × fanOut`.

extension DenseParameters {
  /// Forward: `y (+)= s · (a · g Wᵀ + a_b · 1 cᵀ)`.
  public func forward(
    _ g: Matrix<Scalar>, spec: DenseSpec, scale: Double, into y: inout Matrix<Scalar>,
    accumulate: Bool = false
  ) {
    let a = Scalar(scale * spec.scaling.weight.forwardMultiplier)
    y.gemm(g, weight, transposeB: true, alpha: a, beta: accumulate ? 1 : 0)
    if let bias, let biasScaling = spec.scaling.bias {
      y.addToEveryRow(bias, scaledBy: Scalar(scale * biasScaling.forwardMultiplier))
    }
  }

  /// Backward, parameter part: `∇_W = s · a · dyᵀ g` and `∇_c = s · a_b · Σ_i dy_i`, written into
  /// `gradient` (overwrites).
  public func parameterGradient(
    _ dy: Matrix<Scalar>, input g: Matrix<Scalar>, spec: DenseSpec, scale: Double,
    into gradient: inout DenseParameters<Scalar>
  ) {
    let a = Scalar(scale * spec.scaling.weight.forwardMultiplier)
    gradient.weight.gemm(dy, g, transposeA: true, alpha: a)
    if let biasScaling = spec.scaling.bias {
      gradient.bias!.setColumnSums(of: dy, scaledBy: Scalar(scale * biasScaling.forwardMultiplier))
    }
  }

  /// Backward, input part: `dg (+)= s · a · dy W` (the gradient w.r.t. the activated input).
  public func inputGradient(
    _ dy: Matrix<Scalar>, spec: DenseSpec, scale: Double, into dg: inout Matrix<Scalar>,
    accumulate: Bool = false
  ) {
    let a = Scalar(scale * spec.scaling.weight.forwardMultiplier)
    dg.gemm(dy, weight, alpha: a, beta: accumulate ? 1 : 0)
  }

  /// Tangent (JVP): `δy (+)= s · (a · (δg Wᵀ + g δWᵀ) + a_b · 1 δcᵀ)` for an input tangent `δg`
  /// (nil when the input is fixed, e.g. the data) and a parameter direction `direction`.
  public func tangent(
    _ dg: Matrix<Scalar>?, input g: Matrix<Scalar>, direction: DenseParameters<Scalar>,
    spec: DenseSpec, scale: Double, into dy: inout Matrix<Scalar>, accumulate: Bool = false
  ) {
    let a = Scalar(scale * spec.scaling.weight.forwardMultiplier)
    var beta: Scalar = accumulate ? 1 : 0
    if let dg {
      dy.gemm(dg, weight, transposeB: true, alpha: a, beta: beta)
      beta = 1
    }
    dy.gemm(g, direction.weight, transposeB: true, alpha: a, beta: beta)
    if let directionBias = direction.bias, let biasScaling = spec.scaling.bias {
      dy.addToEveryRow(directionBias, scaledBy: Scalar(scale * biasScaling.forwardMultiplier))
    }
  }
}
