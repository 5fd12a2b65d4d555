import NumericCore

/// The two network families of theory §2.
public enum ArchitectureKind: String, Codable, CaseIterable, Sendable {
  /// `F_ℓ = a_ℓ · φ(F_{ℓ−1}) W_ℓᵀ`, layers 1…L (no activation before layer 1).
  case mlp
  /// Embedding (layer 0), L residual blocks `F_ℓ = F_{ℓ−1} + β·branch(F_{ℓ−1})`, readout (L+1).
  case resnet

  /// Layer positions of a network of this kind and depth: MLP `L` (layers 1…L), ResNet `L + 2`
  /// (embedding, blocks, readout).
  public func layerCount(depth: Int) -> Int { self == .mlp ? depth : depth + 2 }
}

/// The shape of a network, before any scaling: family, widths, depth, activation, biases and,
/// for ResNets, the branch (theory §2). `layout()` turns it into layers of dense units.
public struct Architecture: Codable, Equatable, Sendable {
  /// MLP or ResNet.
  public var kind: ArchitectureKind
  /// `d_0`, the input dimension.
  public var inputDimension: Int
  /// Width of every hidden feature (and of the ResNet residual stream).
  public var width: Int
  /// `L`: number of weight matrices of an MLP (≥ 2), or number of residual blocks of a ResNet (≥ 1).
  public var depth: Int
  /// Output dimension (number of classes or regression targets).
  public var outputDimension: Int
  /// The nonlinearity `φ`.
  public var activation: Activation
  /// Whether every dense unit has a bias vector.
  public var hasBias: Bool
  /// `β`, the ResNet branch scale (ignored for MLPs).
  public var branchScale: Double
  /// Weight matrices per ResNet branch: 1 (`β a φ(F) Wᵀ`, default) or 2
  /// (`β a₂ φ(a₁ φ(F) W₁ᵀ) W₂ᵀ`). Ignored for MLPs.
  public var branchMatrices: Int
  /// Forward normalization (theory §5.3 item 1): every unit whose input is a feature `F_ℓ` (MLP
  /// layers 2…L, ResNet branches and readout; not the data, not the inner unit of a two-matrix
  /// branch) applies `g = α(ν(F_ℓ))` with the affine-free per-sample RMS normalization
  /// `ν(z) = z / rms_row(z)`, `rms_row(z)_i = √(mean_j z_ij² + ε)`, `ε =
  /// featureNormalizationEpsilon`. The features `F_ℓ` stay the raw layer outputs, so every
  /// identity of theory §3 holds with them. Default `false`; absent in files written before it.
  public var normalizesFeatures: Bool

  /// `ε` of the forward normalization: 0, so `ν` is exactly scale-invariant and every row of
  /// `ν(z)` has rms 1. A zero row (e.g. a sample whose ReLU inputs are all off) is guarded instead:
  /// its row rms is taken as 1, so `ν(0) = 0` and the VJP/JVP use `J = I` there. The VJP and JVP
  /// reuse the forward's row rms, so they stay exactly adjoint (and every identity of theory §3
  /// exact) for any `ε` and at guarded rows too.
  public static let featureNormalizationEpsilon = 0.0

  /// - Throws: `ArchitectureError` when a size is not positive or the depth is too small.
  public init(
    kind: ArchitectureKind, inputDimension: Int, width: Int, depth: Int, outputDimension: Int,
    activation: Activation = .relu, hasBias: Bool = false, branchScale: Double = 1,
    branchMatrices: Int = 1, normalizesFeatures: Bool = false
  ) throws {
    self.kind = kind
    self.inputDimension = inputDimension
    self.width = width
    self.depth = depth
    self.outputDimension = outputDimension
    self.activation = activation
    self.hasBias = hasBias
    self.branchScale = branchScale
    self.branchMatrices = branchMatrices
    self.normalizesFeatures = normalizesFeatures
    try validate()
  }

  /// Decodes an architecture; `normalizesFeatures` may be absent (files written before it: off).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    kind = try container.decode(ArchitectureKind.self, forKey: .kind)
    inputDimension = try container.decode(Int.self, forKey: .inputDimension)
    width = try container.decode(Int.self, forKey: .width)
    depth = try container.decode(Int.self, forKey: .depth)
    outputDimension = try container.decode(Int.self, forKey: .outputDimension)
    activation = try container.decode(Activation.self, forKey: .activation)
    hasBias = try container.decode(Bool.self, forKey: .hasBias)
    branchScale = try container.decode(Double.self, forKey: .branchScale)
    branchMatrices = try container.decode(Int.self, forKey: .branchMatrices)
    normalizesFeatures = try container.decodeIfPresent(Bool.self, forKey: .normalizesFeatures) ?? false
  }

  /// Checks sizes (also after decoding from a file).
  /// - Throws: `ArchitectureError`.
  public func validate() throws {
    for (name, value) in [("width", width), ("input dimension", inputDimension), ("output dimension", outputDimension)]
    where value < 1 {
      throw ArchitectureError.nonPositiveSize(name: name, value: value)
    }
    let minimumDepth = kind == .mlp ? 2 : 1
    if depth < minimumDepth { throw ArchitectureError.depthTooSmall(kind: kind, depth: depth, minimum: minimumDepth) }
    if kind == .resnet {
      if !(branchScale.isFinite && branchScale > 0) { throw ArchitectureError.invalidBranchScale(branchScale) }
      if branchMatrices != 1 && branchMatrices != 2 { throw ArchitectureError.invalidBranchMatrices(branchMatrices) }
    }
  }

  /// Index of the first layer as users see it: 1 for MLPs (layers 1…L), 0 for ResNets (0…L+1).
  public var firstLayerIndex: Int { kind == .mlp ? 1 : 0 }

  /// Number of layers: L for an MLP, L + 2 for a ResNet (embedding, blocks, readout).
  public var layerCount: Int { kind.layerCount(depth: depth) }

  /// The layers as chains of dense units, with roles and fan-in/fan-out, without scalings.
  public func layout() -> [LayerLayout] {
    switch kind {
    case .mlp:
      return (1...depth).map { l in
        let fanIn = l == 1 ? inputDimension : width
        let fanOut = l == depth ? outputDimension : width
        let role: LayerRole = l == 1 ? .input : (l == depth ? .output : .hidden)
        let unit = UnitLayout(
          layerIndex: l, unitIndex: 0, role: role, fanIn: fanIn, fanOut: fanOut,
          inputActivation: l == 1 ? .identity : activation, hasBias: hasBias, depth: depth,
          normalizesInput: normalizesFeatures && l > 1)
        return LayerLayout(index: l, units: [unit], residualScale: nil)
      }
    case .resnet:
      var layers = [LayerLayout]()
      layers.append(LayerLayout(index: 0, units: [UnitLayout(
        layerIndex: 0, unitIndex: 0, role: .input, fanIn: inputDimension, fanOut: width,
        inputActivation: .identity, hasBias: hasBias, depth: depth)], residualScale: nil))
      for l in 1...depth {
        let units = (0..<branchMatrices).map { u in
          UnitLayout(layerIndex: l, unitIndex: u, role: .hidden, fanIn: width, fanOut: width,
                     inputActivation: activation, hasBias: hasBias, depth: depth,
                     normalizesInput: normalizesFeatures && u == 0)
        }
        layers.append(LayerLayout(index: l, units: units, residualScale: branchScale))
      }
      layers.append(LayerLayout(index: depth + 1, units: [UnitLayout(
        layerIndex: depth + 1, unitIndex: 0, role: .output, fanIn: width, fanOut: outputDimension,
        inputActivation: .identity, hasBias: hasBias, depth: depth, normalizesInput: normalizesFeatures)],
        residualScale: nil))
      return layers
    }
  }
}

/// Where a dense unit sits and what it maps: the inputs of a parametrization preset.
public struct UnitLayout: Codable, Equatable, Sendable {
  /// The layer's index as users see it (MLP 1…L, ResNet 0…L+1).
  public var layerIndex: Int
  /// Position in the layer's chain (0, or 0/1 in a two-matrix residual branch).
  public var unitIndex: Int
  /// Role of the weight matrix (its bias, if any, has role `bias`).
  public var role: LayerRole
  /// Input width of the weight matrix.
  public var fanIn: Int
  /// Output width of the weight matrix.
  public var fanOut: Int
  /// The activation applied to the unit's input (identity for MLP layer 1, embedding, readout).
  public var inputActivation: Activation
  /// Whether the unit has a bias vector.
  public var hasBias: Bool
  /// The network depth `L` (presets may scale with it).
  public var depth: Int
  /// Whether the unit's input (a feature `z = F_ℓ`) is RMS-normalized per sample before the input
  /// activation: `g = α(ν(z))` (theory §5.3 item 1, see `Architecture.normalizesFeatures`).
  public var normalizesInput: Bool

  public init(
    layerIndex: Int, unitIndex: Int, role: LayerRole, fanIn: Int, fanOut: Int, inputActivation: Activation,
    hasBias: Bool, depth: Int, normalizesInput: Bool = false
  ) {
    self.layerIndex = layerIndex
    self.unitIndex = unitIndex
    self.role = role
    self.fanIn = fanIn
    self.fanOut = fanOut
    self.inputActivation = inputActivation
    self.hasBias = hasBias
    self.depth = depth
    self.normalizesInput = normalizesInput
  }

  /// Decodes a unit layout; `normalizesInput` may be absent (files written before it: off).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    layerIndex = try container.decode(Int.self, forKey: .layerIndex)
    unitIndex = try container.decode(Int.self, forKey: .unitIndex)
    role = try container.decode(LayerRole.self, forKey: .role)
    fanIn = try container.decode(Int.self, forKey: .fanIn)
    fanOut = try container.decode(Int.self, forKey: .fanOut)
    inputActivation = try container.decode(Activation.self, forKey: .inputActivation)
    hasBias = try container.decode(Bool.self, forKey: .hasBias)
    depth = try container.decode(Int.self, forKey: .depth)
    normalizesInput = try container.decodeIfPresent(Bool.self, forKey: .normalizesInput) ?? false
  }
}

/// One layer as a chain of dense units, optionally wrapped in a residual connection.
public struct LayerLayout: Codable, Equatable, Sendable {
  /// Index as users see it (MLP 1…L, ResNet 0…L+1).
  public var index: Int
  /// The dense units applied in sequence, each preceded by its input activation.
  public var units: [UnitLayout]
  /// `β` for a residual block `F_ℓ = F_{ℓ−1} + β·chain(F_{ℓ−1})`; nil for a plain layer.
  public var residualScale: Double?
}

/// Why an architecture is impossible, with what was expected and how to fix it.
public enum ArchitectureError: Error, Equatable, CustomStringConvertible {
  case nonPositiveSize(name: String, value: Int)
  case depthTooSmall(kind: ArchitectureKind, depth: Int, minimum: Int)
  case invalidBranchScale(Double)
  case invalidBranchMatrices(Int)

  public var description: String {
    switch self {
    case .nonPositiveSize(let name, let value):
      "The \(name) must be a positive integer, got \(value). Pass a value ≥ 1."
    case .depthTooSmall(let kind, let depth, let minimum):
      kind == .mlp
        ? "An MLP needs depth ≥ \(minimum) (input and output layers), got \(depth). Pass --depth \(minimum) or more."
        : "A ResNet needs depth ≥ \(minimum) residual blocks, got \(depth). Pass --depth \(minimum) or more."
    case .invalidBranchScale(let value):
      "The ResNet branch scale β must be a positive finite number, got \(value). Use e.g. --branch-scale inv-sqrt, inv, or 0.5."
    case .invalidBranchMatrices(let value):
      "A residual branch has 1 or 2 weight matrices, got \(value)."
    }
  }
}
