import NumericCore

/// A network (theory §2): its static `spec` and its trainable `parameters`, with the forward pass,
/// the loss, the backward pass (VJP) and the tangent pass (JVP) over a `Workspace`.
///
/// Every layer is a chain of dense units `y = s·(a · α(z) Wᵀ + a_b 1 cᵀ)`, optionally wrapped in a
/// residual connection `F_ℓ = F_{ℓ−1} + β·chain(F_{ℓ−1})`. The MLP and the ResNet (one- or
/// two-matrix branch) are both written this way, so the measurements of theory §3 need no
/// architecture-specific code.
public struct Network<Scalar: BLASScalar>: Sendable {
  /// Layers, scalings and loss.
  public let spec: NetworkSpec
  /// Weights and biases, `[layer position][unit]`.
  public var parameters: NetworkParameters<Scalar>

  /// A network with given parameters, which must have the shapes of `spec`.
  public init(spec: NetworkSpec, parameters: NetworkParameters<Scalar>) {
    precondition(parameters.matches(spec), "Parameters do not have the shapes of the network spec")
    self.spec = spec
    self.parameters = parameters
  }

  /// A network with random initial parameters drawn from the `"init"` stream of `seed`.
  /// - Throws: `NumericError` if a semi-orthogonal initialization fails.
  public init(spec: NetworkSpec, seed: UInt64) throws {
    var generator = SeededGenerator(seed: seed, stream: "init")
    self.init(spec: spec, parameters: try NetworkParameters(initializing: spec, using: &generator))
  }

  // MARK: Forward

  /// Forward pass: writes every feature `F_ℓ` of the batch in `workspace.input`. A unit that
  /// normalizes its input (theory §5.3 item 1) applies `g = α(ν(z))` and keeps `ν(z)` and the row
  /// rms for the backward and tangent passes.
  public func forward(_ workspace: inout Workspace<Scalar>) {
    precondition(workspace.matches(spec), "Workspace was made for another network")
    for (l, layer) in spec.layers.enumerated() {
      let x = l == 0 ? workspace.input : workspace.features[l - 1]
      let lastUnit = layer.units.count - 1
      for (u, unit) in layer.units.enumerated() {
        var y = u == 0 ? x : workspace.unitInputs[l][u]  // z, or ν(z) below
        if unit.normalizesInput {
          workspace.normalizeInput(layer: l, unit: u, y, epsilon: Architecture.featureNormalizationEpsilon)
          y = workspace.normalized[l][u]
        }
        if unit.inputActivation != .identity {
          workspace.activated[l][u].setActivation(unit.inputActivation, of: y)
        }
        let g = unit.inputActivation == .identity ? y : workspace.activated[l][u]
        let unitParameters = parameters.layers[l][u]
        if u < lastUnit {
          unitParameters.forward(g, spec: unit, scale: 1, into: &workspace.unitInputs[l][u + 1])
        } else if let beta = layer.residualScale {
          workspace.features[l].copy(from: x)
          unitParameters.forward(g, spec: unit, scale: beta, into: &workspace.features[l], accumulate: true)
        } else {
          unitParameters.forward(g, spec: unit, scale: 1, into: &workspace.features[l])
        }
      }
    }
  }

  /// Evaluates the loss on `workspace.targets` after `forward`; with `gradient`, also writes
  /// `b_out = ∂ℒ/∂output` into the last backward buffer. Stores and returns the loss.
  @discardableResult
  public func computeLoss(_ workspace: inout Workspace<Scalar>, gradient: Bool = true) -> Double {
    let output = workspace.features[workspace.features.count - 1]
    let result: (loss: Double, correct: Int)
    if gradient {
      precondition(workspace.hasBackward, "computeLoss(gradient: true) needs a workspace with backward buffers")
      result = spec.loss.evaluate(
        output: output, targets: workspace.targets, gradient: &workspace.backward[workspace.backward.count - 1])
    } else {
      result = spec.loss.evaluate(output: output, targets: workspace.targets)
    }
    workspace.loss = result.loss
    workspace.correct = result.correct
    return result.loss
  }

  // MARK: Backward (VJP)

  /// Backward pass (theory §3.1), after `computeLoss(gradient: true)`: writes every `b_ℓ` into the
  /// workspace and every `∇_W ℒ`, `∇_c ℒ` into `gradients` (overwrites).
  ///
  /// Per unit, `∇_W = s·a·dyᵀ g`, `∂ℒ/∂g = s·a·dy W`, `∂ℒ/∂z = α'(z) ⊙ ∂ℒ/∂g` (with input
  /// normalization, theory §5.3: `∂ℒ/∂z = (t − y·mean_row(t ⊙ y))/r`, `t = α'(y) ⊙ ∂ℒ/∂g`,
  /// `y = ν(z)`); a residual block adds the skip path, `b_{ℓ−1} = b_ℓ + β a φ'(F_{ℓ−1}) ⊙ (b_ℓ W)`.
  public func backward(_ workspace: inout Workspace<Scalar>, gradients: inout NetworkParameters<Scalar>) {
    var network = self  // shares storage; the pass below does not write parameters
    var sink: NetworkParameters<Scalar>? = gradients
    gradients = NetworkParameters(layers: [])  // keep `sink` uniquely referenced
    network.backwardPass(&workspace, gradients: &sink, learningRates: nil)
    gradients = sink!
  }

  /// Backward pass fused with the SGD step: writes every `b_ℓ` and applies
  /// `W ← W − η_W ∇_W ℒ`, `c ← c − η_c ∇_c ℒ` unit by unit as soon as the unit's input gradient is
  /// computed, without materializing the gradients (one gemm per weight instead of a gemm, a
  /// stored gradient and an axpy pass). Equivalent to `backward` followed by the SGD update up to
  /// rounding.
  public mutating func backwardApplyingSGD(_ workspace: inout Workspace<Scalar>, learningRates: LearningRates) {
    var none: NetworkParameters<Scalar>? = nil
    backwardPass(&workspace, gradients: &none, learningRates: learningRates)
  }

  /// Pullback of a seed at one feature (theory §4): with `b_top = seed`, runs the backward recursion
  /// down through the layers above position `bottom`, so that `workspace.backward[k]` holds
  /// `J_{k→top}ᵀ seed` for every `bottom ≤ k ≤ top` (the layer-to-layer VJP), and — unless
  /// `gradients` is nil — `gradients` holds `J_kᵀ seed = ∂⟨seed, F_top⟩/∂θ_k` for the parameters
  /// of layers `bottom + 1 … top` (and of layer 0 when `bottom == 0`), zeros elsewhere.
  ///
  /// Positions are 0-based forward order (MLP layer ℓ is position ℓ − 1; ResNet layer ℓ is
  /// position ℓ). Needs a `forward` on the batch first; the loss is not involved.
  /// - Parameters:
  ///   - top: the position of the seeded feature.
  ///   - seed: `n × d_top`.
  ///   - bottom: the lowest position whose backward signal is needed (0: all, with every gradient).
  ///   - onlyForSGDTangent: the gradients are only for a following `.sgdStep` tangent on this
  ///     workspace: weight gradients it does not read (units where it uses the batch Gram matrix,
  ///     `DenseParameters.sgdTangentUsesGram`) are not computed and keep stale contents.
  public func pullback(
    from top: Int, seed: Matrix<Scalar>, _ workspace: inout Workspace<Scalar>,
    gradients: inout NetworkParameters<Scalar>?, downTo bottom: Int = 0, onlyForSGDTangent: Bool = false
  ) {
    precondition(spec.layers.indices.contains(top) && (0...top).contains(bottom), "pullback: positions \(bottom)…\(top) outside 0…\(spec.layers.count - 1)")
    precondition(seed.rows == workspace.rows && seed.columns == spec.layers[top].outputWidth, "pullback: the seed must be n × d_top")
    workspace.backward[top].copy(from: seed)
    if gradients != nil {
      for l in (top + 1)..<spec.layers.count { for u in spec.layers[l].units.indices { gradients!.layers[l][u].setZero() } }
      for l in 0..<(bottom == 0 ? 0 : bottom + 1) { for u in spec.layers[l].units.indices { gradients!.layers[l][u].setZero() } }
    }
    var network = self
    network.backwardPass(
      &workspace, gradients: &gradients, learningRates: nil, layers: (bottom == 0 ? 0 : bottom + 1)...top,
      skipsWeightGradientsOfGramTangent: onlyForSGDTangent)
  }

  /// The backward recursion over `range` (default: every layer), writing gradients, applying an
  /// SGD step, or both; with `normalization`, the signal at each normalized position is rescaled
  /// first (theory §5.3 item 2). Returns the applied factors `s_ℓ` (empty without normalization).
  @discardableResult
  mutating func backwardPass(
    _ workspace: inout Workspace<Scalar>, gradients: inout NetworkParameters<Scalar>?, learningRates: LearningRates?,
    layers range: ClosedRange<Int>? = nil, skipsWeightGradientsOfGramTangent: Bool = false,
    normalization: BackwardNormalization? = nil
  ) -> [Double] {
    precondition(workspace.hasBackward, "backward needs a workspace with backward buffers")
    var factors: [Double] = normalization == nil ? [] : Array(repeating: 1, count: spec.layers.count)
    for l in (range ?? 0...(spec.layers.count - 1)).reversed() {
      if let normalization, normalization.normalizes(position: l) {
        // The identity-forward layer after F_ℓ: b̂_ℓ = s_ℓ b_ℓ, before layer ℓ uses it.
        let s = Scalar(normalization.factor(for: workspace.backward[l]))
        if s != 1 { workspace.backward[l].scale(by: s) }
        factors[l] = Double(s)
      }
      let layer = spec.layers[l]
      let x = l == 0 ? workspace.input : workspace.features[l - 1]
      let lastUnit = layer.units.count - 1
      for u in layer.units.indices.reversed() {
        let unit = layer.units[u]
        let dy = u == lastUnit ? workspace.backward[l] : workspace.unitBackward[l][u + 1]
        let scale = u == lastUnit ? (layer.residualScale ?? 1) : 1
        let z = u == 0 ? x : workspace.unitInputs[l][u]
        let g = unit.inputActivation != .identity
          ? workspace.activated[l][u] : (unit.normalizesInput ? workspace.normalized[l][u] : z)
        if !(l == 0 && u == 0) {  // the data needs no gradient
          let unitParameters = parameters.layers[l][u]
          let skip: Matrix<Scalar>? = u == 0 && layer.residualScale != nil ? workspace.backward[l] : nil
          if unit.normalizesInput {
            // ∂ℒ/∂z = J_ν (α'(ν(z)) ⊙ ∂ℒ/∂g) (+ skip), J_ν symmetric (theory §5.3).
            unitParameters.inputGradient(dy, spec: unit, scale: scale, into: &workspace.scratch[l][u])
            let dg = workspace.scratch[l][u], y = workspace.normalized[l][u], r = workspace.rowRMS[l][u]
            workspace.withInputGradient(layer: l, unit: u) { dz in
              dz.setNormalizationBackward(unit.inputActivation, normalized: y, rootMeanSquares: r, dg, adding: skip)
            }
          } else if unit.inputActivation == .identity {
            workspace.withInputGradient(layer: l, unit: u) { dz in
              if let skip { dz.copy(from: skip) }
              unitParameters.inputGradient(dy, spec: unit, scale: scale, into: &dz, accumulate: skip != nil)
            }
          } else {
            unitParameters.inputGradient(dy, spec: unit, scale: scale, into: &workspace.scratch[l][u])
            let dg = workspace.scratch[l][u]
            workspace.withInputGradient(layer: l, unit: u) { dz in
              dz.setDerivativeProduct(unit.inputActivation, preactivation: z, dg, adding: skip)
            }
          }
        }
        if gradients != nil {
          let weight = !(skipsWeightGradientsOfGramTangent && DenseParameters<Scalar>.sgdTangentUsesGram(rows: workspace.rows, spec: unit))
          parameters.layers[l][u].parameterGradient(dy, input: g, spec: unit, scale: scale, into: &gradients!.layers[l][u], weight: weight)
        }
        // After the input gradient, which needs the old weights.
        if let learningRates {
          parameters.layers[l][u].descend(dy, input: g, spec: unit, scale: scale, rates: learningRates.units[l][u])
        }
      }
    }
    return factors
  }

  // MARK: Tangent (JVP)

  /// Tangent pass (theory §3.3): the first-order change `δF_ℓ` of every feature when the
  /// parameters move along `direction` (e.g. the update `δW = −η ∇ℒ`), on the batch of the last
  /// `forward`. Writes `workspace.featureTangents`.
  ///
  /// Per unit, `δy = s·a·(δg Wᵀ + g δWᵀ) + s·a_b·1 δcᵀ` with `δg = α'(z) ⊙ δz` (with input
  /// normalization, theory §5.3: `δg = α'(y) ⊙ (δz − y·mean_row(δz ⊙ y))/r`, `y = ν(z)`, `r` the row
  /// rms); a residual block adds `δF_{ℓ−1}`. The data is fixed, so the first layer has no input tangent.
  public func tangent(_ direction: NetworkParameters<Scalar>, _ workspace: inout Workspace<Scalar>) {
    tangent(.parameters(direction), &workspace)
  }

  /// Tangent pass along `direction` (see `TangentDirection`).
  ///
  /// - Parameters:
  ///   - start: a feature tangent `δF_k = seed` (`n × d_k`) at position `k`: the pass starts
  ///     there and propagates it (with the parameter terms of layers above `k`). With
  ///     `.fixedParameters` this is the layer-to-layer JVP `J_{k→ℓ} seed` (theory §4).
  ///   - last: the last position computed (default: the output); later tangents are not written.
  public func tangent(
    _ direction: TangentDirection<Scalar>, _ workspace: inout Workspace<Scalar>,
    startingAt start: (position: Int, seed: Matrix<Scalar>)? = nil, through last: Int? = nil
  ) {
    precondition(workspace.hasTangents, "tangent needs a workspace with tangent buffers")
    if case .sgdStep(_, _, let batch) = direction {
      precondition(
        batch?.hasBackward ?? workspace.hasBackward,
        "the SGD-step tangent needs the backward signals of the batch that produced the gradients")
    }
    let last = last ?? spec.layers.count - 1
    var first = 0
    if let start {
      precondition(start.position < last && start.position >= 0, "tangent: the start position must precede the last one")
      precondition(start.seed.rows == workspace.rows && start.seed.columns == spec.layers[start.position].outputWidth,
                   "tangent: the seed must be n × d_k")
      workspace.featureTangents[start.position].copy(from: start.seed)
      first = start.position + 1
    }
    for l in first...last {
      let layer = spec.layers[l]
      let x = l == 0 ? workspace.input : workspace.features[l - 1]
      let dx: Matrix<Scalar>? = l == 0 ? nil : workspace.featureTangents[l - 1]
      let lastUnit = layer.units.count - 1
      for u in layer.units.indices {
        let unit = layer.units[u]
        let z = u == 0 ? x : workspace.unitInputs[l][u]
        let dz: Matrix<Scalar>? = u == 0 ? dx : workspace.unitTangents[l][u]
        let g = unit.inputActivation != .identity
          ? workspace.activated[l][u] : (unit.normalizesInput ? workspace.normalized[l][u] : z)
        var dg: Matrix<Scalar>? = nil
        if let dz {
          if unit.normalizesInput {
            // δg = α'(ν(z)) ⊙ J_ν δz (theory §5.3).
            let y = workspace.normalized[l][u], r = workspace.rowRMS[l][u]
            workspace.scratch[l][u].setNormalizationTangent(unit.inputActivation, normalized: y, rootMeanSquares: r, dz)
            dg = workspace.scratch[l][u]
          } else if unit.inputActivation == .identity {
            dg = dz
          } else {
            workspace.scratch[l][u].setDerivativeProduct(unit.inputActivation, preactivation: z, dz)
            dg = workspace.scratch[l][u]
          }
        }
        let isLast = u == lastUnit
        let scale = isLast ? (layer.residualScale ?? 1) : 1
        let accumulate = isLast && layer.residualScale != nil && dx != nil
        if accumulate { workspace.featureTangents[l].copy(from: dx!) }
        let unitParameters = parameters.layers[l][u]
        switch direction {
        case .fixedParameters:
          workspace.withUnitTangent(layer: l, unit: u, isLast: isLast) { out in
            unitParameters.inputTangent(dg, spec: unit, scale: scale, into: &out, accumulate: accumulate)
          }
        case .parameters(let d):
          workspace.withUnitTangent(layer: l, unit: u, isLast: isLast) { out in
            unitParameters.tangent(
              dg, input: g, direction: d.layers[l][u], spec: unit, scale: scale, into: &out, accumulate: accumulate)
          }
        case .sgdStep(let rates, let gradients, let batch):
          // The batch that produced the gradients: this workspace, or the one it probes. Only the
          // two matrices are taken (never a copy of this workspace, whose buffers are written
          // below and would then be copied on write).
          let batchInput: Matrix<Scalar>?
          let dy: Matrix<Scalar>
          if let batch {
            batchInput = batch.activatedInput(layer: l, unit: u, spec: spec)
            dy = isLast ? batch.backward[l] : batch.unitBackward[l][u + 1]
          } else {
            batchInput = nil
            dy = isLast ? workspace.backward[l] : workspace.unitBackward[l][u + 1]
          }
          var gram = workspace.gram
          workspace.gram = Matrix(rows: 0, columns: 0)  // keep the buffer uniquely referenced
          workspace.withUnitTangent(layer: l, unit: u, isLast: isLast) { out in
            unitParameters.tangentAlongSGDStep(
              dg, input: g, batchInput: batchInput, batchOutputGradient: dy,
              gradient: gradients.layers[l][u], rates: rates.units[l][u], spec: unit, scale: scale, gram: &gram,
              into: &out, accumulate: accumulate)
          }
          workspace.gram = gram
        }
      }
    }
  }
}

/// A parameter direction for `Network.tangent`.
public enum TangentDirection<Scalar: BLASScalar>: Sendable {
  /// An arbitrary direction `δθ` with the structure of the parameters.
  case parameters(NetworkParameters<Scalar>)
  /// The SGD step `δθ_k = −η_k ∇_k ℒ` of the batch the workspace holds, after `backward` wrote
  /// `gradients` there. The weight terms go through the batch Gram matrix when that is cheaper
  /// (`DenseParameters.tangentAlongSGDStep`); no update buffer is needed.
  ///
  /// `batch` is `nil` when the tangent runs on the workspace of the batch that produced the
  /// gradients; for a probe of that batch (a workspace holding some of its rows), pass the batch's
  /// workspace: the weight terms then use the probe–batch Gram matrix `g_p gᵀ`.
  case sgdStep(LearningRates, gradients: NetworkParameters<Scalar>, batch: Workspace<Scalar>? = nil)
  /// No parameter moves: only a feature tangent given with `startingAt:` propagates (the
  /// layer-to-layer Jacobian product `J_{k→ℓ} v`, theory §4). Without a start the tangents are zero.
  case fixedParameters
}
