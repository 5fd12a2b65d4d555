import NumericCore

/// Backward normalization (theory §5.3 item 2, part of FSC-control): an identity-forward layer after
/// every normalized feature position ℓ that, during the backward recursion (top to bottom),
/// rescales the incoming backward signal `b_ℓ` (`n × d_ℓ`, already rescaled by the layers above)
/// by the scalar `s_ℓ = target / (√N_ℓ ‖b_ℓ‖)`, `N_ℓ = n·d_ℓ`, so that `√N_ℓ ‖b̂_ℓ‖ = target`,
/// before it is used for the gradients of layer ℓ and propagated further. A zero (or non-finite)
/// signal keeps `s_ℓ = 1`.
///
/// The backward pass is linear, so the rescaled signal is `b̂_ℓ = P_ℓ b_ℓ` with
/// `P_ℓ = Π_{j≥ℓ} s_j` (`cumulativeFactors`), and every unit of layer position `k` (both matrices
/// of a two-matrix branch, the bias, and the first layer, fed by `b̂_0`) gets `P_k ∇ℒ`: SGD with
/// the rescaled gradients is exactly plain SGD with rates `η_k · P_k` (`equivalentLearningRates`),
/// so every identity of theory §3 still holds with those rates.
public struct BackwardNormalization: Codable, Equatable, Sendable {
  /// The value of `√N_ℓ ‖b̂_ℓ‖` after normalization; positive and finite. Default 1.
  public var target: Double
  /// The layer positions (0-based forward order, as in `Workspace.backward`) whose signal is
  /// normalized; `nil` (the default): all of them, the output included.
  public var positions: Set<Int>?

  /// - Throws: `BackwardNormalizationError.invalidTarget` unless `target` is positive and finite.
  public init(target: Double = 1, positions: Set<Int>? = nil) throws {
    guard target.isFinite && target > 0 else { throw BackwardNormalizationError.invalidTarget(target) }
    self.target = target
    self.positions = positions
  }

  /// Whether the signal at layer position `position` is normalized.
  public func normalizes(position: Int) -> Bool { positions?.contains(position) ?? true }

  /// `s = target / (√N ‖b‖)` for a signal `b` with `N` entries; 1 when `‖b‖` is 0 or not finite.
  public func factor<Scalar: BLASScalar>(for b: Matrix<Scalar>) -> Double {
    let scaledNorm = (Double(b.count) * b.squaredNorm).squareRoot()
    return scaledNorm > 0 && scaledNorm.isFinite ? target / scaledNorm : 1
  }

  /// `P_ℓ = Π_{j≥ℓ} s_j` for the per-position factors `s` returned by the backward pass: the
  /// factor by which the gradient of every unit at position ℓ was multiplied.
  public static func cumulativeFactors(_ factors: [Double]) -> [Double] {
    var result = factors
    var product = 1.0
    for l in factors.indices.reversed() {
      product *= factors[l]
      result[l] = product
    }
    return result
  }

  /// The rates `η_k · P_k` under which plain SGD takes the step that SGD with rates `rates` takes
  /// on the backward-normalized gradients (theory §5.3 item 2); `factors` are the per-position
  /// `s_ℓ` returned by the backward pass.
  public static func equivalentLearningRates(_ rates: LearningRates, factors: [Double]) -> LearningRates {
    precondition(factors.count == rates.units.count, "equivalentLearningRates: \(factors.count) factors for \(rates.units.count) layer positions")
    return rates.scaled(byLayer: cumulativeFactors(factors))
  }
}

/// Why a backward normalization is impossible, and how to fix it.
public enum BackwardNormalizationError: Error, Equatable, CustomStringConvertible {
  case invalidTarget(Double)

  public var description: String {
    switch self {
    case .invalidTarget(let value):
      "The backward-normalization target √N‖b‖ must be a positive finite number, got \(value). Use e.g. 1."
    }
  }
}

extension Network {
  /// Backward pass with backward normalization (theory §5.3 item 2), after
  /// `computeLoss(gradient: true)`: like `backward(_:gradients:)`, but the signal at every
  /// normalized position ℓ is rescaled to `√N_ℓ ‖b̂_ℓ‖ = normalization.target` on the way down.
  /// `workspace.backward[ℓ]` then holds `b̂_ℓ = P_ℓ b_ℓ` and `gradients` the rescaled gradients
  /// `P_k ∇_k ℒ` (overwritten).
  /// - Returns: the applied factors `s_ℓ`, one per layer position (1 where not normalized); see
  ///   `BackwardNormalization.cumulativeFactors` and `.equivalentLearningRates`.
  @discardableResult
  public func backward(
    _ workspace: inout Workspace<Scalar>, gradients: inout NetworkParameters<Scalar>, normalization: BackwardNormalization
  ) -> [Double] {
    var network = self  // shares storage; the pass below does not write parameters
    var sink: NetworkParameters<Scalar>? = gradients
    gradients = NetworkParameters(layers: [])  // keep `sink` uniquely referenced
    let factors = network.backwardPass(&workspace, gradients: &sink, learningRates: nil, normalization: normalization)
    gradients = sink!
    return factors
  }

  /// Backward pass with backward normalization fused with the SGD step: the step
  /// `W_k ← W_k − η_k P_k ∇_k ℒ` (see `backwardApplyingSGD(_:learningRates:)`), i.e. plain SGD
  /// with `BackwardNormalization.equivalentLearningRates(learningRates, factors:)`.
  /// - Returns: the applied factors `s_ℓ`, one per layer position.
  @discardableResult
  public mutating func backwardApplyingSGD(
    _ workspace: inout Workspace<Scalar>, learningRates: LearningRates, normalization: BackwardNormalization
  ) -> [Double] {
    var none: NetworkParameters<Scalar>? = nil
    return backwardPass(&workspace, gradients: &none, learningRates: learningRates, normalization: normalization)
  }
}
