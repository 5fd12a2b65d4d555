/// The pointwise nonlinearity `φ` of a network (theory §1–§2), with its derivative next to it.
///
/// Raw values are the stable CLI/config slugs. The formulas (forward, derivative) are implemented
/// once in `Kernels.swift` and reached through `BLASScalar.activate` and
/// `BLASScalar.multiplyByDerivative`.
public enum Activation: String, Codable, CaseIterable, Sendable {
  /// `φ(x) = x`, `φ'(x) = 1`.
  case identity
  /// `φ(x) = max(x, 0)`, `φ'(x) = 1[x > 0]` (0 at the kink, as in PyTorch).
  case relu
  /// `φ(x) = tanh x`, `φ'(x) = 1 − tanh² x`.
  case tanh
  /// Exact GELU `φ(x) = x Φ(x)` with the standard normal CDF `Φ`, `φ'(x) = Φ(x) + x·ϕ(x)`.
  case gelu

  /// The initialization gain `g` of a weight whose input has passed through this activation:
  /// presets multiply their init standard deviation by it (He init for ReLU: `g = √2`).
  /// Values follow PyTorch's `calculate_gain` (ReLU √2, tanh 5/3, linear 1); GELU takes ReLU's
  /// gain, a choice of ours (PyTorch defines none).
  public var gain: Double {
    switch self {
    case .identity: 1
    case .relu, .gelu: 2.0.squareRoot()
    case .tanh: 5.0 / 3.0
    }
  }
}
