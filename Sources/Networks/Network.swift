import NumericCore

/// A network (SPEC §2): its static `spec` and its trainable `parameters`, with the forward pass,
/// the loss, the backward pass (VJP) and the tangent pass (JVP) over a `Workspace`.
///
/// Every layer is a chain of dense units `y = s·(a · α(z) Wᵀ + a_b 1 cᵀ)`, optionally wrapped in a
/// residual connection `F_ℓ = F_{ℓ−1} + β·chain(F_{ℓ−1})`. The MLP and the ResNet (one- or
/// two-matrix branch) are both written this way, so the measurements of SPEC §3 need no
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

  /// Forward pass: writes every feature `F_ℓ` of the batch in `workspace.input`.
  public func forward(_ workspace: inout Workspace<Scalar>) {
    precondition(workspace.matches(spec), "Workspace was made for another network")
    for (l, layer) in spec.layers.enumerated() {
      let x = l == 0 ? workspace.input : workspace.features[l - 1]
      let lastUnit = layer.units.count - 1
      for (u, unit) in layer.units.enumerated() {
        let z = u == 0 ? x : workspace.unitInputs[l][u]
        if unit.inputActivation != .identity {
          workspace.activated[l][u].setActivation(unit.inputActivation, of: z)
        }
        let g = unit.inputActivation == .identity ? z : workspace.activated[l][u]
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

  /// Backward pass (SPEC §3.1), after `computeLoss(gradient: true)`: writes every `b_ℓ` into the
  /// workspace and every `∇_W ℒ`, `∇_c ℒ` into `gradients` (overwrites).
  ///
  /// Per unit, `∇_W = s·a·dyᵀ g`, `∂ℒ/∂g = s·a·dy W`, `∂ℒ/∂z = α'(z) ⊙ ∂ℒ/∂g`; a residual block
  /// adds the skip path, `b_{ℓ−1} = b_ℓ + β a φ'(F_{ℓ−1}) ⊙ (b_ℓ W)`.
  public func backward(_ workspace: inout Workspace<Scalar>, gradients: inout NetworkParameters<Scalar>) {
    precondition(workspace.hasBackward, "backward needs a workspace with backward buffers")
    for l in spec.layers.indices.reversed() {
      let layer = spec.layers[l]
      let x = l == 0 ? workspace.input : workspace.features[l - 1]
      let lastUnit = layer.units.count - 1
      for u in layer.units.indices.reversed() {
        let unit = layer.units[u]
        let dy = u == lastUnit ? workspace.backward[l] : workspace.unitBackward[l][u + 1]
        let scale = u == lastUnit ? (layer.residualScale ?? 1) : 1
        let z = u == 0 ? x : workspace.unitInputs[l][u]
        let g = unit.inputActivation == .identity ? z : workspace.activated[l][u]
        let unitParameters = parameters.layers[l][u]
        unitParameters.parameterGradient(dy, input: g, spec: unit, scale: scale, into: &gradients.layers[l][u])
        if l == 0 && u == 0 { continue }  // the data needs no gradient
        let skip: Matrix<Scalar>? = u == 0 && layer.residualScale != nil ? workspace.backward[l] : nil
        if unit.inputActivation == .identity {
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
    }
  }

  // MARK: Tangent (JVP)

  /// Tangent pass (SPEC §3.3): the first-order change `δF_ℓ` of every feature when the
  /// parameters move along `direction` (e.g. the update `δW = −η ∇ℒ`), on the batch of the last
  /// `forward`. Writes `workspace.featureTangents`.
  ///
  /// Per unit, `δy = s·a·(δg Wᵀ + g δWᵀ) + s·a_b·1 δcᵀ` with `δg = α'(z) ⊙ δz`; a residual block
  /// adds `δF_{ℓ−1}`. The data is fixed, so the first layer has no input tangent.
  public func tangent(_ direction: NetworkParameters<Scalar>, _ workspace: inout Workspace<Scalar>) {
    precondition(workspace.hasTangents, "tangent needs a workspace with tangent buffers")
    for l in spec.layers.indices {
      let layer = spec.layers[l]
      let x = l == 0 ? workspace.input : workspace.features[l - 1]
      let dx: Matrix<Scalar>? = l == 0 ? nil : workspace.featureTangents[l - 1]
      let lastUnit = layer.units.count - 1
      for u in layer.units.indices {
        let unit = layer.units[u]
        let z = u == 0 ? x : workspace.unitInputs[l][u]
        let dz: Matrix<Scalar>? = u == 0 ? dx : workspace.unitTangents[l][u]
        let g = unit.inputActivation == .identity ? z : workspace.activated[l][u]
        var dg: Matrix<Scalar>? = nil
        if let dz {
          if unit.inputActivation == .identity {
            dg = dz
          } else {
            workspace.scratch[l][u].setDerivativeProduct(unit.inputActivation, preactivation: z, dz)
            dg = workspace.scratch[l][u]
          }
        }
        let unitParameters = parameters.layers[l][u]
        let unitDirection = direction.layers[l][u]
        if u < lastUnit {
          unitParameters.tangent(
            dg, input: g, direction: unitDirection, spec: unit, scale: 1, into: &workspace.unitTangents[l][u + 1])
        } else if let beta = layer.residualScale {
          if let dx { workspace.featureTangents[l].copy(from: dx) }
          unitParameters.tangent(
            dg, input: g, direction: unitDirection, spec: unit, scale: beta, into: &workspace.featureTangents[l],
            accumulate: dx != nil)
        } else {
          unitParameters.tangent(
            dg, input: g, direction: unitDirection, spec: unit, scale: 1, into: &workspace.featureTangents[l])
        }
      }
    }
  }
}
