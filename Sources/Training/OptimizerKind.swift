import Scalings

/// The optimizers of `featurespeed train --optimizer` (theory §3.1, §5.1). Raw values are CLI
/// slugs and the `optimizer` of config.json.
public enum OptimizerKind: String, Codable, CaseIterable, Sendable {
  /// Plain gradient descent, `δθ = −η_k ∇_k` (`SGD`).
  case sgd
  /// Heavy-ball or Nesterov momentum (`MomentumSGD`).
  case momentum
  /// Adam (`Adam` with `weightDecay = 0`).
  case adam
  /// Adam with decoupled weight decay (`Adam` with `weightDecay > 0`).
  case adamw
  /// Spectral descent with Newton–Schulz orthogonalization (`SpectralDescent`).
  case spectral

  /// The learning-rate laws the presets use for this optimizer: `sgd`/`momentum` → `.sgd`,
  /// `adam`/`adamw` → `.adam`, `spectral` → `.spectral`.
  public var family: OptimizerFamily {
    switch self {
    case .sgd, .momentum: .sgd
    case .adam, .adamw: .adam
    case .spectral: .spectral
    }
  }
}
