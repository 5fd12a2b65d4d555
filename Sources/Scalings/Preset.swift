import Networks
import NumericCore

/// The scaling rules of one tensor role in a preset: how tensors of that role are initialized,
/// their forward multiplier `a`, and their learning-rate multiplier `η_ℓ/η` per optimizer family
/// (theory §5.1).
public struct RoleRule: Codable, Equatable, Sendable {
  /// Distribution of the initial entries.
  public var initialization: InitializationKind
  /// `σ`: standard deviation (root-mean-square) of the initial entries, before `initScale`.
  public var initStandardDeviation: ScalingLaw
  /// `a`: the forward multiplier (`F = a · G Wᵀ`).
  public var forwardMultiplier: ScalingLaw
  /// `η_ℓ/η` under SGD.
  public var sgdLearningRate: ScalingLaw
  /// `η_ℓ/η` under Adam.
  public var adamLearningRate: ScalingLaw
  /// `η_ℓ/η` under spectral descent (the update's spectral norm per unit base rate, since the
  /// orthogonalized step has spectral norm 1): `√(fanOut/fanIn)` in every preset ([SC]).
  public var spectralLearningRate: ScalingLaw

  /// A rule; the forward multiplier defaults to 1, the initialization to Gaussian, and the
  /// spectral-descent rate to `√(fanOut/fanIn)`.
  public init(
    initialization: InitializationKind = .gaussian, initStandardDeviation: ScalingLaw,
    forwardMultiplier: ScalingLaw = .one, sgdLearningRate: ScalingLaw, adamLearningRate: ScalingLaw,
    spectralLearningRate: ScalingLaw = .spectralNormTarget
  ) {
    self.initialization = initialization
    self.initStandardDeviation = initStandardDeviation
    self.forwardMultiplier = forwardMultiplier
    self.sgdLearningRate = sgdLearningRate
    self.adamLearningRate = adamLearningRate
    self.spectralLearningRate = spectralLearningRate
  }

  private enum CodingKeys: String, CodingKey {
    case initialization, initStandardDeviation, forwardMultiplier, sgdLearningRate, adamLearningRate
    case spectralLearningRate
  }

  /// Decodes a rule; files written before the spectral family existed get `√(fanOut/fanIn)`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    initialization = try container.decode(InitializationKind.self, forKey: .initialization)
    initStandardDeviation = try container.decode(ScalingLaw.self, forKey: .initStandardDeviation)
    forwardMultiplier = try container.decode(ScalingLaw.self, forKey: .forwardMultiplier)
    sgdLearningRate = try container.decode(ScalingLaw.self, forKey: .sgdLearningRate)
    adamLearningRate = try container.decode(ScalingLaw.self, forKey: .adamLearningRate)
    spectralLearningRate =
      try container.decodeIfPresent(ScalingLaw.self, forKey: .spectralLearningRate) ?? .spectralNormTarget
  }

  /// The learning-rate law for `optimizer`.
  public func learningRate(for optimizer: OptimizerFamily) -> ScalingLaw {
    switch optimizer {
    case .sgd: sgdLearningRate
    case .adam: adamLearningRate
    case .spectral: spectralLearningRate
    }
  }

  /// Evaluates the rule for one tensor.
  ///
  /// - Parameters:
  ///   - fanIn, fanOut: the tensor's shape `[fanOut, fanIn]` (fanIn = 1 for a bias).
  ///   - depth: the network depth `L`.
  ///   - gain: the gain of the tensor's input activation (1 for a bias).
  ///   - optimizer: which learning-rate law to use.
  ///   - initScale: global factor on the init standard deviation (> 0).
  ///   - base: with mup-style base shapes (`BaseShapes`), the tensor's shape in the base network
  ///     and the rule every law equals there (`sp`'s for the same role); `nil` (default): the
  ///     absolute laws.
  public func scaling(
    fanIn: Int, fanOut: Int, depth: Int, gain: Double, optimizer: OptimizerFamily,
    initScale: Double = 1, base: (fanIn: Int, fanOut: Int, reference: RoleRule)? = nil
  ) -> LayerScaling {
    func evaluate(_ law: ScalingLaw, _ reference: (RoleRule) -> ScalingLaw) -> Double {
      guard let base else { return law.value(fanIn: fanIn, fanOut: fanOut, depth: depth, gain: gain) }
      return law.value(
        fanIn: fanIn, fanOut: fanOut, depth: depth, gain: gain, baseFanIn: base.fanIn, baseFanOut: base.fanOut,
        reference: reference(base.reference))
    }
    return LayerScaling(
      initialization: initialization,
      initStandardDeviation: initScale * evaluate(initStandardDeviation, \.initStandardDeviation),
      forwardMultiplier: evaluate(forwardMultiplier, \.forwardMultiplier),
      learningRateMultiplier: evaluate(learningRate(for: optimizer), { $0.learningRate(for: optimizer) }))
  }
}

/// The four role rules of a preset (theory §5.1): MLP layer 1 / ResNet embedding are `input`,
/// MLP layers 2…L−1 / ResNet blocks are `hidden`, MLP layer L / ResNet readout are `output`, and
/// every bias vector is `bias` (evaluated as a weight with fanIn = 1 and gain 1).
public struct RoleRules: Codable, Equatable, Sendable {
  /// Rule of the input layer's weight.
  public var input: RoleRule
  /// Rule of hidden weights (MLP middle layers, ResNet branches).
  public var hidden: RoleRule
  /// Rule of the output layer's weight.
  public var output: RoleRule
  /// Rule of every bias vector.
  public var bias: RoleRule

  /// The four rules.
  public init(input: RoleRule, hidden: RoleRule, output: RoleRule, bias: RoleRule) {
    self.input = input
    self.hidden = hidden
    self.output = output
    self.bias = bias
  }

  /// The rule of `role`.
  public subscript(role: LayerRole) -> RoleRule {
    get {
      switch role {
      case .input: input
      case .hidden: hidden
      case .output: output
      case .bias: bias
      }
    }
    set {
      switch role {
      case .input: input = newValue
      case .hidden: hidden = newValue
      case .output: output = newValue
      case .bias: bias = newValue
      }
    }
  }
}

/// A parametrization preset: a table that maps (role, fanIn, fanOut, depth L, optimizer) to
/// (init std σ, forward multiplier a, learning-rate multiplier η_ℓ/η) (theory §5.1), plus what
/// a user needs to know about it. The catalog is `Presets`.
///
/// The base learning rate `η` lives with the optimizer; a global `initScale` multiplies every
/// init standard deviation. See `ScalingLaw` for the gain rule shared by all presets.
public struct Preset: Codable, Equatable, Sendable {
  /// Stable slug used on the command line and in files (`mup`, `fsc`, …).
  public var name: String
  /// One paragraph: what the preset does and what it predicts.
  public var summary: String
  /// The paper (or convention) it comes from.
  public var reference: String
  /// Whether some of its constants are our reconstruction rather than confirmed from the paper
  /// (theory: reconstructions must be flagged in user docs).
  public var isReconstruction: Bool
  /// Caveats: what is reconstructed, what lives elsewhere (e.g. spectral descent in the optimizer).
  public var note: String?
  /// The architecture families the preset may be used with.
  public var architectures: [ArchitectureKind]
  /// The ResNet branch scale β the preset prescribes, or `nil` when it leaves β free.
  public var branchScale: BranchScale?
  /// The per-role rules.
  public var rules: RoleRules

  /// A preset; see the properties for the meaning of each argument.
  public init(
    name: String, summary: String, reference: String, isReconstruction: Bool = false,
    note: String? = nil, architectures: [ArchitectureKind] = ArchitectureKind.allCases,
    branchScale: BranchScale? = nil, rules: RoleRules
  ) {
    self.name = name
    self.summary = summary
    self.reference = reference
    self.isReconstruction = isReconstruction
    self.note = note
    self.architectures = architectures
    self.branchScale = branchScale
    self.rules = rules
  }

  /// The rule of tensors with role `role`.
  public func rule(for role: LayerRole) -> RoleRule { rules[role] }

  /// The scalings of one dense unit: its weight by the rule of `unit.role` (with
  /// `g = unit.inputActivation.gain`), its bias, if any, by the `bias` rule with fanIn = 1,
  /// fanOut = `unit.fanOut` and gain 1.
  ///
  /// - Parameters:
  ///   - unit: layout of the unit (role, fanIn, fanOut, input activation, bias, depth).
  ///   - optimizer: which learning-rate laws to use.
  ///   - initScale: global factor on every init standard deviation (> 0, default 1).
  ///   - base: the unit in the base network of mup-style base shapes (`BaseShapes`: every law
  ///     relative to it, equal to `sp`'s there), or `nil` (default) for the absolute laws.
  public func unitScaling(
    for unit: UnitLayout, optimizer: OptimizerFamily, initScale: Double = 1, base: UnitLayout? = nil
  ) -> UnitScaling {
    let reference = Presets.standard.rules
    let weight = rules[unit.role].scaling(
      fanIn: unit.fanIn, fanOut: unit.fanOut, depth: unit.depth, gain: unit.inputActivation.gain,
      optimizer: optimizer, initScale: initScale,
      base: base.map { ($0.fanIn, $0.fanOut, reference[unit.role]) })
    let bias = unit.hasBias
      ? rules.bias.scaling(
        fanIn: 1, fanOut: unit.fanOut, depth: unit.depth, gain: 1, optimizer: optimizer,
        initScale: initScale, base: base.map { (1, $0.fanOut, reference.bias) })
      : nil
    return UnitScaling(weight: weight, bias: bias)
  }
}
