import Networks

/// mup-style base shapes (`--base-width B`; microsoft/mup's `set_base_shapes`): every
/// width-dependent factor of a preset is taken relative to the same network at hidden width `B`,
/// so that at width `B` the preset is exactly `sp` (theory §5.1) and a learning rate tuned in `sp`
/// at width `B` carries over to any width.
///
/// Per tensor, with shape `(fanIn, fanOut)` and base shape `(fanIn_B, fanOut_B)` — the same
/// tensor in the network of width `B`, so only the hidden widths change, not `d_0` or the
/// number of outputs — each law `P` of the preset (init std, forward multiplier, learning-rate
/// multiplier of the optimizer family) becomes
///
///     P_B = SP(fanIn_B, fanOut_B) · P̄(fanIn, fanOut) / P̄(fanIn_B, fanOut_B) · L^r
///
/// where `SP` is `sp`'s law for the same role and quantity, `P̄` is `P` without its depth factor
/// and `L^r` is that factor. So the preset's width exponents are kept as powers of the width
/// *ratio* `n/B`, its depth factors (`mf-mup`, `fsc`, `resnet-*`) are kept, and its constants
/// (coefficient, gain) are `sp`'s. At `n = B` the ratio is exactly 1, so every preset without
/// depth factors — `mup`, `ntk`, `spectral` — resolves to `sp`'s numbers exactly (σ, a, η_ℓ/η),
/// except where one side is 0: a law that is 0 stays 0, and a nonzero law whose `sp` counterpart
/// is 0 (the nonzero bias init of `spectral`, `spectral-exact`) is left as the preset has it.
/// The distribution (`semi-orthogonal` for `spectral-exact`) is the preset's. Under spectral
/// descent every preset's rate is already `sp`'s (`√(fanOut/fanIn)`), so it does not change.
///
/// μP with SGD, for example: input rate `η·fanOut/B`, hidden `η`, output `η·B/fanIn`, biases
/// `η·fanOut/B`; output init std `g·√B/fanIn`; input and hidden std `g/√fanIn` as in `sp`.
public struct BaseShapes: Codable, Equatable, Sendable {
  /// `B`, the hidden width at which the preset equals `sp`.
  public var width: Int

  /// Base shapes of hidden width `width` (≥ 1).
  public init(width: Int) {
    self.width = width
  }

  /// The base layout of every unit of `architecture`: the same network at hidden width `width`,
  /// in the order of `architecture.layout()`.
  /// - Throws: `PresetError.invalidBaseWidth` for a width below 1.
  public func baseUnits(of architecture: Architecture) throws -> [[UnitLayout]] {
    guard width >= 1 else { throw PresetError.invalidBaseWidth(width) }
    var base = architecture
    base.width = width
    return base.layout().map(\.units)
  }
}

extension ScalingLaw {
  /// The law without its depth factor `L^r`.
  public var withoutDepth: ScalingLaw {
    var law = self
    law.depthExponent = 0
    return law
  }

  /// The law relative to a base shape (see `BaseShapes`):
  /// `reference(base) · P̄(shape)/P̄(base) · L^r`, or the plain value when the law, its depth-free
  /// part at the base or the reference at the base is 0.
  ///
  /// - Parameters:
  ///   - fanIn, fanOut, depth, gain: as in `value(fanIn:fanOut:depth:gain:)`.
  ///   - baseFanIn, baseFanOut: the tensor's shape in the base network.
  ///   - reference: the law the result equals at the base shape (`sp`'s for the same role).
  public func value(
    fanIn: Int, fanOut: Int, depth: Int, gain: Double, baseFanIn: Int, baseFanOut: Int, reference: ScalingLaw
  ) -> Double {
    let own = value(fanIn: fanIn, fanOut: fanOut, depth: depth, gain: gain)
    let flat = withoutDepth
    let atBase = flat.value(fanIn: baseFanIn, fanOut: baseFanOut, depth: 1, gain: gain)
    let referenceAtBase = reference.value(fanIn: baseFanIn, fanOut: baseFanOut, depth: depth, gain: gain)
    guard own != 0, atBase != 0, referenceAtBase != 0 else { return own }
    // Written so that at the base shape the ratio is exactly 1 (same operands, same rounding).
    let ratio = flat.value(fanIn: fanIn, fanOut: fanOut, depth: 1, gain: gain) / atBase
    return referenceAtBase * ratio * ScalingLaw.depth(depthExponent).value(fanIn: 1, fanOut: 1, depth: depth, gain: 1)
  }
}
