import NumericCore

// A dense unit `y = s · (a · g Wᵀ + a_b · 1 cᵀ)` (theory §2) and its three passes, side by side.
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
  /// With `weight == false` only `∇_c` is written (the weight gradient keeps its old contents).
  public func parameterGradient(
    _ dy: Matrix<Scalar>, input g: Matrix<Scalar>, spec: DenseSpec, scale: Double,
    into gradient: inout DenseParameters<Scalar>, weight: Bool = true
  ) {
    let a = Scalar(scale * spec.scaling.weight.forwardMultiplier)
    if weight { gradient.weight.gemm(dy, g, transposeA: true, alpha: a) }
    if let biasScaling = spec.scaling.bias {
      gradient.bias!.setColumnSums(of: dy, scaledBy: Scalar(scale * biasScaling.forwardMultiplier))
    }
  }

  /// Backward fused with an SGD step: `W ← W − η_W · s · a · dyᵀ g` and
  /// `c ← c − η_c · s · a_b · Σ_i dy_i`, i.e. the parameter gradient scaled by `−η` and added in
  /// place by one gemm (no gradient buffer).
  public mutating func descend(
    _ dy: Matrix<Scalar>, input g: Matrix<Scalar>, spec: DenseSpec, scale: Double, rates: UnitLearningRates
  ) {
    let a = scale * spec.scaling.weight.forwardMultiplier
    weight.gemm(dy, g, transposeA: true, alpha: Scalar(-rates.weight * a), beta: 1)
    if let biasScaling = spec.scaling.bias, let biasRate = rates.bias {
      bias!.setColumnSums(of: dy, scaledBy: Scalar(-biasRate * scale * biasScaling.forwardMultiplier), accumulate: true)
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

extension DenseParameters {
  /// Tangent with fixed parameters: `δy (+)= s·a·δg Wᵀ`, or zero (nothing added) when the input
  /// does not move (`dg == nil`). The layer-to-layer Jacobian product of theory §4.
  public func inputTangent(
    _ dg: Matrix<Scalar>?, spec: DenseSpec, scale: Double, into dy: inout Matrix<Scalar>, accumulate: Bool = false
  ) {
    if let dg {
      dy.gemm(dg, weight, transposeB: true, alpha: Scalar(scale * spec.scaling.weight.forwardMultiplier), beta: accumulate ? 1 : 0)
    } else if !accumulate {
      dy.fill(with: 0)
    }
  }

  /// Sets the weight (and bias) to zero.
  public mutating func setZero() {
    weight.fill(with: 0)
    bias?.fill(with: 0)
  }
}

extension DenseParameters {
  /// Tangent along this unit's SGD step `δW = −η_W ∇_W ℒ`, `δc = −η_c ∇_c ℒ` (theory §3.3), on the
  /// rows `g` of the batch whose backward pass produced `gradient` (all of them, or a probe):
  /// `δy (+)= s·a·δg Wᵀ + s·a·g δWᵀ + s·a_b·1 δcᵀ`.
  ///
  /// Since `∇_W ℒ = s·a·dyᵀ G` over the batch rows `G`, the weight term is
  /// `−η_W (s a)² (g Gᵀ) dy`: through the Gram matrix `g Gᵀ` (`m × n` for `m` tangent rows and a
  /// batch of `n`) instead of the dense product whenever that is cheaper, i.e. for batches smaller
  /// than about the layer width. On the whole batch (`batchInput == nil`, `g = G`) the Gram matrix
  /// is symmetric: syrk + symm, `n²·fanIn + 2n²·fanOut` flops instead of `2n·fanIn·fanOut`; on a
  /// probe, two gemms, `2mn·(fanIn + fanOut)` instead of `2m·fanIn·fanOut`. Same result up to rounding.
  /// - Parameters:
  ///   - g: the tangent rows' activated input (`m × fanIn`).
  ///   - batchInput: the batch's activated input `G` (`n × fanIn`) when `g` is a probe of it.
  ///   - batchOutputGradient: the batch's gradient at the unit's output `dy` (`n × fanOut`).
  ///   - gradient: the unit's stored gradient (used for the bias and the dense path).
  ///   - gram: an `m × m` scratch buffer (`m × n` for a probe; reshaped as needed).
  public func tangentAlongSGDStep(
    _ dg: Matrix<Scalar>?, input g: Matrix<Scalar>, batchInput: Matrix<Scalar>?, batchOutputGradient dy: Matrix<Scalar>,
    gradient: DenseParameters<Scalar>, rates: UnitLearningRates, spec: DenseSpec, scale: Double,
    gram: inout Matrix<Scalar>, into out: inout Matrix<Scalar>, accumulate: Bool = false
  ) {
    let a = scale * spec.scaling.weight.forwardMultiplier
    var beta: Scalar = accumulate ? 1 : 0
    if let dg {
      out.gemm(dg, weight, transposeB: true, alpha: Scalar(a), beta: beta)
      beta = 1
    }
    let m = Double(g.rows), n = Double(dy.rows), fanIn = Double(spec.fanIn), fanOut = Double(spec.fanOut)
    let dense = 2 * m * fanIn * fanOut
    if let batch = batchInput, 2 * m * n * (fanIn + fanOut) < dense {
      if gram.rows != g.rows || gram.columns != batch.rows { gram.reshape(rows: g.rows, columns: batch.rows) }
      gram.gemm(g, batch, transposeB: true)
      out.gemm(gram, dy, alpha: Scalar(-rates.weight * a * a), beta: beta)
    } else if batchInput == nil, Self.sgdTangentUsesGram(rows: g.rows, spec: spec) {
      if gram.rows != g.rows || gram.columns != g.rows { gram.reshape(rows: g.rows, columns: g.rows) }
      gram.syrk(g)
      out.symm(gram, dy, alpha: Scalar(-rates.weight * a * a), beta: beta)
    } else {
      out.gemm(g, gradient.weight, transposeB: true, alpha: Scalar(-rates.weight * a), beta: beta)
    }
    if let gradientBias = gradient.bias, let biasScaling = spec.scaling.bias, let biasRate = rates.bias {
      out.addToEveryRow(gradientBias, scaledBy: Scalar(-biasRate * scale * biasScaling.forwardMultiplier))
    }
  }

  /// Whether the SGD-step tangent on the whole batch of `rows` samples goes through the batch Gram
  /// matrix (syrk + symm, `n²·fanIn + 2n²·fanOut` flops) rather than the stored weight gradient
  /// (`2n·fanIn·fanOut`); when it does, the weight gradient is not read.
  public static func sgdTangentUsesGram(rows: Int, spec: DenseSpec) -> Bool {
    let n = Double(rows), fanIn = Double(spec.fanIn), fanOut = Double(spec.fanOut)
    return n * n * (fanIn + 2 * fanOut) < 2 * n * fanIn * fanOut
  }
}
