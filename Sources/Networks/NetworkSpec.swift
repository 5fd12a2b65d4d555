import NumericCore

/// The scalings of one dense unit: its weight matrix and, when it has one, its bias vector.
public struct UnitScaling: Codable, Equatable, Sendable {
  /// Scaling of the weight matrix.
  public var weight: LayerScaling
  /// Scaling of the bias vector (`nil` for units without bias).
  public var bias: LayerScaling?

  public init(weight: LayerScaling, bias: LayerScaling?) {
    self.weight = weight
    self.bias = bias
  }
}

/// A dense unit `y = a · g Wᵀ + a_b · 1 cᵀ` with `g = α(z)` (or `α(ν(z))` when it normalizes
/// its input, theory §5.3): its layout and its scalings.
public struct DenseSpec: Codable, Equatable, Sendable {
  /// Position, role, fan-in/fan-out and input activation.
  public var layout: UnitLayout
  /// Init, forward multiplier and learning-rate multiplier of `W` (and `c`).
  public var scaling: UnitScaling

  public init(layout: UnitLayout, scaling: UnitScaling) {
    precondition(layout.hasBias == (scaling.bias != nil), "A unit has a bias scaling exactly when it has a bias")
    self.layout = layout
    self.scaling = scaling
  }

  @inlinable public var fanIn: Int { layout.fanIn }
  @inlinable public var fanOut: Int { layout.fanOut }
  @inlinable public var inputActivation: Activation { layout.inputActivation }
  /// Whether the input is RMS-normalized per sample before the activation, `g = α(ν(z))`
  /// (theory §5.3 item 1).
  @inlinable public var normalizesInput: Bool { layout.normalizesInput }
}

/// One layer: a chain of dense units, optionally residual (`F_ℓ = F_{ℓ−1} + β·chain(F_{ℓ−1})`).
public struct LayerSpec: Codable, Equatable, Sendable {
  /// Index as users see it (MLP 1…L, ResNet 0…L+1).
  public var index: Int
  /// The units of the chain, in order.
  public var units: [DenseSpec]
  /// `β` of a residual block, `nil` for a plain layer.
  public var residualScale: Double?

  /// Width of the layer's input feature.
  public var inputWidth: Int { units[0].fanIn }
  /// Width of the layer's output feature `F_ℓ`.
  public var outputWidth: Int { units[units.count - 1].fanOut }
}

/// Everything static about a network: its architecture, layers with scalings, and loss.
/// Parameters live separately in `NetworkParameters`, so one spec serves Float and Double.
public struct NetworkSpec: Codable, Equatable, Sendable {
  /// The architecture the layers were built from.
  public var architecture: Architecture
  /// The loss on the output `F_last`.
  public var loss: Loss
  /// Layers in forward order.
  public var layers: [LayerSpec]

  /// Builds the layers of `architecture` with the scaling returned by `scaling` for each unit.
  /// - Throws: rethrows the errors of `scaling`; `ArchitectureError` for an impossible shape.
  public init(
    architecture: Architecture, loss: Loss, scaling: (UnitLayout) throws -> UnitScaling
  ) throws {
    try architecture.validate()
    self.architecture = architecture
    self.loss = loss
    self.layers = try architecture.layout().map { layout in
      LayerSpec(
        index: layout.index,
        units: try layout.units.map { DenseSpec(layout: $0, scaling: try scaling($0)) },
        residualScale: layout.residualScale)
    }
  }

  /// Input dimension `d_0`.
  public var inputDimension: Int { layers[0].inputWidth }
  /// Output dimension.
  public var outputDimension: Int { layers[layers.count - 1].outputWidth }
  /// The user-facing index of every layer, in order.
  public var layerIndices: [Int] { layers.map(\.index) }
  /// Total number of trainable scalars.
  public var parameterCount: Int {
    layers.reduce(0) { total, layer in
      total + layer.units.reduce(0) { $0 + $1.fanIn * $1.fanOut + ($1.scaling.bias == nil ? 0 : $1.fanOut) }
    }
  }
}
