import NumericCore
import Networks
import Scalings

/// Which optimizer to train with and its constants (the `train` flags `--optimizer`,
/// `--momentum`, `--nesterov`, `--beta1`, `--beta2`, `--adam-epsilon`, `--weight-decay`,
/// `--newton-schulz-steps`, `--newton-schulz-variant`). Constants that do not belong to `kind`
/// are ignored, except `nesterov` and a positive `weightDecay`, which `validate()` rejects for
/// other optimizers than `momentum` and `adamw`. Per-tensor learning rates come from the network
/// spec (the preset resolved for `family`) and the base rate (theory §5.1).
///
/// Decoding accepts missing keys (their defaults), so hand-written files may give only `kind`.
public struct OptimizerSettings: Codable, Equatable, Sendable {
  /// The optimizer.
  public var kind: OptimizerKind
  /// Momentum `μ ∈ [0, 1)` (`momentum`; default 0.9).
  public var momentum: Double
  /// Nesterov momentum (`momentum`; default false).
  public var nesterov: Bool
  /// Adam's `β₁ ∈ [0, 1)` (default 0.9).
  public var beta1: Double
  /// Adam's `β₂ ∈ [0, 1)` (default 0.999).
  public var beta2: Double
  /// Adam's `ε > 0` (default 1e-8).
  public var epsilon: Double
  /// Decoupled weight decay `λ ≥ 0` (`adamw`); `nil` means 0.01 for `adamw`. See
  /// `resolvedWeightDecay`.
  public var weightDecay: Double?
  /// Newton–Schulz steps of `spectral`: quintic, the number of steps; cubic, their cap. `nil`
  /// means 5 (quintic) or 100 (cubic).
  public var newtonSchulzSteps: Int?
  /// The Newton–Schulz polynomial of `spectral` (default quintic).
  public var newtonSchulzVariant: NewtonSchulzVariant

  /// Settings with PyTorch's defaults (plain SGD unless `kind` says otherwise).
  public init(
    kind: OptimizerKind = .sgd, momentum: Double = 0.9, nesterov: Bool = false, beta1: Double = 0.9,
    beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double? = nil, newtonSchulzSteps: Int? = nil,
    newtonSchulzVariant: NewtonSchulzVariant = .quintic
  ) {
    self.kind = kind
    self.momentum = momentum
    self.nesterov = nesterov
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.newtonSchulzSteps = newtonSchulzSteps
    self.newtonSchulzVariant = newtonSchulzVariant
  }

  private enum CodingKeys: String, CodingKey {
    case kind, momentum, nesterov, beta1, beta2, epsilon, weightDecay, newtonSchulzSteps, newtonSchulzVariant
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = OptimizerSettings()
    kind = try c.decodeIfPresent(OptimizerKind.self, forKey: .kind) ?? d.kind
    momentum = try c.decodeIfPresent(Double.self, forKey: .momentum) ?? d.momentum
    nesterov = try c.decodeIfPresent(Bool.self, forKey: .nesterov) ?? d.nesterov
    beta1 = try c.decodeIfPresent(Double.self, forKey: .beta1) ?? d.beta1
    beta2 = try c.decodeIfPresent(Double.self, forKey: .beta2) ?? d.beta2
    epsilon = try c.decodeIfPresent(Double.self, forKey: .epsilon) ?? d.epsilon
    weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay)
    newtonSchulzSteps = try c.decodeIfPresent(Int.self, forKey: .newtonSchulzSteps)
    newtonSchulzVariant = try c.decodeIfPresent(NewtonSchulzVariant.self, forKey: .newtonSchulzVariant) ?? d.newtonSchulzVariant
  }

  /// The learning-rate laws of the presets for this optimizer (`kind.family`).
  public var family: OptimizerFamily { kind.family }

  /// `λ`: `weightDecay`, or 0.01 for `adamw` and 0 otherwise when not given.
  public var resolvedWeightDecay: Double { weightDecay ?? (kind == .adamw ? 0.01 : 0) }

  /// Checks the constants that `kind` uses.
  /// - Throws: `TrainingError.invalidSetting` naming the setting, the value and the fix.
  public func validate() throws {
    func require(_ condition: Bool, _ name: String, _ value: String, _ expectation: String) throws {
      if !condition { throw TrainingError.invalidSetting(name: name, value: value, expected: expectation) }
    }
    switch kind {
    case .momentum:
      try require(momentum >= 0 && momentum < 1, "momentum", "\(momentum)", "a number in [0, 1), e.g. --momentum 0.9")
      try require(!nesterov || momentum > 0, "nesterov", "true with momentum 0", "a positive --momentum with --nesterov")
    case .adam, .adamw:
      try require(beta1 >= 0 && beta1 < 1, "beta1", "\(beta1)", "a number in [0, 1), e.g. --beta1 0.9")
      try require(beta2 >= 0 && beta2 < 1, "beta2", "\(beta2)", "a number in [0, 1), e.g. --beta2 0.999")
      try require(epsilon.isFinite && epsilon > 0, "adam epsilon", "\(epsilon)", "a positive number, e.g. --adam-epsilon 1e-8")
    case .spectral:
      if let steps = newtonSchulzSteps {
        try require(steps >= 1, "newton-schulz-steps", "\(steps)", "a positive integer, e.g. --newton-schulz-steps 5")
      }
    case .sgd:
      break
    }
    try require(!nesterov || kind == .momentum, "nesterov", "true with --optimizer \(kind.rawValue)",
                "--optimizer momentum, or drop --nesterov")
    if let weightDecay {
      try require(weightDecay.isFinite && weightDecay >= 0, "weight decay", "\(weightDecay)",
                  "a number ≥ 0, e.g. --weight-decay 0.01")
      try require(weightDecay == 0 || kind == .adamw, "weight decay", "\(weightDecay) with --optimizer \(kind.rawValue)",
                  "--optimizer adamw for decoupled weight decay, or drop --weight-decay")
    }
  }

  /// The optimizer these settings describe, with per-tensor rates `η × learningRateMultiplier`
  /// from `spec` (resolve the preset with `family` first).
  /// - Precondition: `validate()` passes.
  public func makeOptimizer<Scalar: BLASScalar>(spec: NetworkSpec, baseLearningRate: Double) -> any Optimizer<Scalar> {
    switch kind {
    case .sgd:
      SGD<Scalar>(spec: spec, baseLearningRate: baseLearningRate)
    case .momentum:
      MomentumSGD<Scalar>(spec: spec, baseLearningRate: baseLearningRate, momentum: momentum, nesterov: nesterov)
    case .adam, .adamw:
      Adam<Scalar>(
        spec: spec, baseLearningRate: baseLearningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
        weightDecay: resolvedWeightDecay)
    case .spectral:
      SpectralDescent<Scalar>(
        spec: spec, baseLearningRate: baseLearningRate, variant: newtonSchulzVariant,
        newtonSchulzSteps: newtonSchulzSteps)
    }
  }
}
