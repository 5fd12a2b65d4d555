import Networks

/// The branch scale β a ResNet gets from a preset and an optional user request (theory §2, §5.1).
///
/// - A preset restricted to some architectures (`resnet-*`) must be used with one of them.
/// - MLP: no branch scale (`nil`); requesting one is an error.
/// - ResNet, preset prescribes β (`resnet-sqrt`, `resnet-inv`): that β; a request is accepted only
///   if it gives the same value at `depth`.
/// - ResNet, other presets: the request, or `1/√L` by default.
///
/// - Parameters:
///   - preset: the parametrization.
///   - requested: the user's `--branch-scale`, or `nil`.
///   - kind: MLP or ResNet.
///   - depth: L, used to compare a request with the preset's β.
/// - Throws: `PresetError.architectureNotSupported`, `.branchScaleForMLP`, `.conflictingBranchScale`.
public func resolveBranchScale(
  preset: Preset, requested: BranchScale?, kind: ArchitectureKind, depth: Int
) throws -> BranchScale? {
  guard preset.architectures.contains(kind) else {
    throw PresetError.architectureNotSupported(preset: preset.name, allowed: preset.architectures, found: kind)
  }
  switch kind {
  case .mlp:
    if let requested { throw PresetError.branchScaleForMLP(requested) }
    return nil
  case .resnet:
    guard let prescribed = preset.branchScale else { return requested ?? .inverseSqrt }
    if let requested {
      let a = prescribed.value(depth: depth), b = requested.value(depth: depth)
      if abs(a - b) > 1e-12 * max(abs(a), abs(b)) {
        throw PresetError.conflictingBranchScale(
          preset: preset.name, prescribed: prescribed, requested: requested, depth: depth)
      }
    }
    return prescribed
  }
}

/// An architecture, preset and optimizer family combined into a `NetworkSpec` (theory §5.1): the
/// resolved configuration a run prints at start and writes into its config.json.
public struct PresetResolution: Codable, Equatable, Sendable {
  /// The parametrization.
  public var preset: Preset
  /// Which learning-rate laws were used.
  public var optimizer: OptimizerFamily
  /// Global factor on every init standard deviation.
  public var initScale: Double
  /// The resolved branch-scale rule (`nil` for MLPs); its value is `spec.architecture.branchScale`.
  public var branchScale: BranchScale?
  /// mup-style base shapes: every law relative to the network at this hidden width (`nil`: the
  /// absolute laws).
  public var baseShapes: BaseShapes?
  /// Whether the readout (the output layer's weight and bias) starts at 0.
  public var zeroReadout: Bool
  /// The network with every unit scaled by the preset (and β set for ResNets).
  public var spec: NetworkSpec

  /// Resolves the branch scale (see `resolveBranchScale`), sets it on the architecture and
  /// builds the spec with `preset.unitScaling(for:optimizer:initScale:)` for every unit.
  ///
  /// - Parameters:
  ///   - architecture: the network shape; its `branchScale` is replaced by the resolved β.
  ///   - loss: the training loss.
  ///   - preset: the parametrization.
  ///   - optimizer: SGD or Adam learning-rate laws.
  ///   - branchScale: the user's `--branch-scale`, or `nil`.
  ///   - initScale: global factor on every init std (> 0, default 1).
  ///   - baseShapes: mup-style base shapes (`--base-width`), or `nil` (default).
  ///   - zeroReadout: start the output layer's weight and bias at 0 (`--zero-readout`, mup's
  ///     `readout_zero_init`; default false). Then at step 0 every hidden layer's backward signal
  ///     `b_ℓ` is 0, so only the readout learns at that step.
  /// - Throws: `PresetError` (architecture mismatch, branch scale, init scale, base width) or
  ///   `ArchitectureError`.
  public init(
    architecture: Architecture, loss: Loss, preset: Preset, optimizer: OptimizerFamily,
    branchScale requested: BranchScale? = nil, initScale: Double = 1, baseShapes: BaseShapes? = nil,
    zeroReadout: Bool = false
  ) throws {
    guard initScale.isFinite && initScale > 0 else { throw PresetError.invalidInitScale(initScale) }
    let resolved = try resolveBranchScale(
      preset: preset, requested: requested, kind: architecture.kind, depth: architecture.depth)
    var architecture = architecture
    if let resolved { architecture.branchScale = resolved.value(depth: architecture.depth) }
    self.preset = preset
    self.optimizer = optimizer
    self.initScale = initScale
    self.branchScale = resolved
    self.baseShapes = baseShapes
    self.zeroReadout = zeroReadout
    let baseUnits = try baseShapes?.baseUnits(of: architecture)
    self.spec = try NetworkSpec(architecture: architecture, loss: loss) { unit in
      let position = unit.layerIndex - architecture.firstLayerIndex
      let base = baseUnits?[position][unit.unitIndex]
      var scaling = preset.unitScaling(for: unit, optimizer: optimizer, initScale: initScale, base: base)
      if zeroReadout && unit.role == .output {
        scaling.weight.initStandardDeviation = 0
        scaling.bias?.initStandardDeviation = 0
      }
      return scaling
    }
  }

  /// The per-tensor table of the resolved scalings for base learning rate `baseLearningRate`.
  public func table(baseLearningRate: Double) -> [ScalingTableRow] {
    scalingTable(for: spec, baseLearningRate: baseLearningRate)
  }
}
