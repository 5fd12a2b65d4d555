/// The role of a parameter tensor in a parametrization table (theory §5.1).
///
/// MLP: layer 1 is `input`, layers 2…L−1 are `hidden`, layer L is `output`. ResNet: the embedding
/// (layer 0) is `input`, the blocks 1…L are `hidden`, the readout (layer L+1) is `output`. Every
/// bias vector has role `bias`, whatever its layer.
public enum LayerRole: String, Codable, CaseIterable, Sendable {
  case input, hidden, output, bias
}

/// How a parameter tensor is drawn at initialization.
public enum InitializationKind: String, Codable, CaseIterable, Sendable {
  /// Independent entries `N(0, σ²)`.
  case gaussian
  /// A random matrix whose singular values all equal `σ·√max(fanIn, fanOut)`, so that its entries
  /// have root-mean-square `σ` (theory §5.1, the exact spectral-norm initialization of [SC]).
  case semiOrthogonal = "semi-orthogonal"
}

/// The scaling of one parameter tensor: how it is initialized, how it multiplies its input in the
/// forward pass, and how its learning rate relates to the base learning rate (theory §2, §5.1).
///
/// A preset maps (role, fanIn, fanOut, depth, optimizer) to one of these; the network carries it.
public struct LayerScaling: Codable, Equatable, Sendable {
  /// Distribution of the initial entries.
  public var initialization: InitializationKind
  /// `σ_ℓ`: standard deviation (root-mean-square) of the initial entries. 0 starts at zero.
  public var initStandardDeviation: Double
  /// `a_ℓ`: the forward multiplier (`F = a · G Wᵀ`), default 1.
  public var forwardMultiplier: Double
  /// `η_ℓ / η`: this tensor's learning rate divided by the global base learning rate.
  public var learningRateMultiplier: Double

  /// - Parameters:
  ///   - initialization: distribution of the initial entries (default Gaussian).
  ///   - initStandardDeviation: `σ ≥ 0`.
  ///   - forwardMultiplier: `a > 0`.
  ///   - learningRateMultiplier: `≥ 0`.
  public init(
    initialization: InitializationKind = .gaussian, initStandardDeviation: Double,
    forwardMultiplier: Double = 1, learningRateMultiplier: Double = 1
  ) {
    self.initialization = initialization
    self.initStandardDeviation = initStandardDeviation
    self.forwardMultiplier = forwardMultiplier
    self.learningRateMultiplier = learningRateMultiplier
  }
}
