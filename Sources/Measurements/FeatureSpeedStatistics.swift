/// The raw per-layer numbers of one step from which every quantity of theory §3.1–§3.2 follows.
///
/// Norms and inner products are Frobenius over batch and features. "Tangent rows" are the rows
/// the tangent pass ran on: the whole batch in exact mode, the first `probe` rows otherwise; the
/// key identity `−⟨b_ℓ, δF_ℓ⟩ = Σ_{k≤ℓ} C_k` holds exactly only in exact mode.
public struct FeatureSpeedStatistics: Codable, Equatable, Sendable {
  /// User-facing layer index.
  public var layer: Int
  /// `‖F_ℓ‖` on the batch.
  public var featureNorm: Double
  /// `N_ℓ = n·d_ℓ`.
  public var featureCount: Int
  /// `‖b_ℓ‖` on the batch.
  public var backwardNorm: Double
  /// `Σ ‖∇_θ ℒ‖²` over the layer's tensors.
  public var gradientNormSquared: Double
  /// `C_ℓ = −⟨∇_{θ_ℓ}ℒ, δθ_ℓ⟩`.
  public var contribution: Double
  /// `Σ_{k≤ℓ} C_k`.
  public var cumulativeContribution: Double
  /// `−δℒ = Σ_k C_k` over all layers.
  public var totalContribution: Double
  /// Whether the tangent ran on the whole batch.
  public var isExact: Bool
  /// Number of entries of `δF_ℓ` on the tangent rows.
  public var tangentCount: Int
  /// `‖b_ℓ‖` restricted to the tangent rows.
  public var tangentBackwardNorm: Double
  /// `−⟨b_ℓ, δF_ℓ⟩` on the tangent rows.
  public var alignment: Double
  /// `‖δF_ℓ‖` on the tangent rows.
  public var featureUpdateNorm: Double

  public init(
    layer: Int, featureNorm: Double, featureCount: Int, backwardNorm: Double, gradientNormSquared: Double,
    contribution: Double, cumulativeContribution: Double, totalContribution: Double, isExact: Bool,
    tangentCount: Int, tangentBackwardNorm: Double, alignment: Double, featureUpdateNorm: Double
  ) {
    self.layer = layer
    self.featureNorm = featureNorm
    self.featureCount = featureCount
    self.backwardNorm = backwardNorm
    self.gradientNormSquared = gradientNormSquared
    self.contribution = contribution
    self.cumulativeContribution = cumulativeContribution
    self.totalContribution = totalContribution
    self.isExact = isExact
    self.tangentCount = tangentCount
    self.tangentBackwardNorm = tangentBackwardNorm
    self.alignment = alignment
    self.featureUpdateNorm = featureUpdateNorm
  }

  /// `rms(F_ℓ)`.
  public var featureRMS: Double { featureNorm / Double(featureCount).squareRoot() }
  /// `rms(δF_ℓ)` on the tangent rows.
  public var featureUpdateRMS: Double { featureUpdateNorm / Double(tangentCount).squareRoot() }
  /// `S_ℓ = ‖b_ℓ‖·‖F_ℓ‖` (theory §3.2).
  public var sensitivity: Double { backwardNorm * featureNorm }
  /// `c_ℓ = C_ℓ / Σ_k C_k`.
  public var contributionShare: Double { contribution / totalContribution }
  /// `cos θ_ℓ = −⟨b_ℓ, δF_ℓ⟩ / (‖b_ℓ‖ ‖δF_ℓ‖)`; NaN — undefined, not an error — when either
  /// vector is zero, e.g. for every hidden layer at step 0 with a zero-initialized readout, where
  /// `b_ℓ = 0` and `δF_ℓ = 0` (no division by zero traps in floating point: 0/0 is NaN).
  public var bfaCos: Double { alignment / (tangentBackwardNorm * featureUpdateNorm) }
  /// `BAFU_ℓ/‖F_ℓ‖ = Σ_{k≤ℓ} C_k / S_ℓ`.
  public var bafuRelative: Double { cumulativeContribution / sensitivity }
  /// `rms(δF_ℓ) / (−δℒ)`.
  public var featureSpeedPerLossDecay: Double { featureUpdateRMS / totalContribution }
  /// Relative residual of the feature speed formula `‖δF_ℓ‖ = Σ_{k≤ℓ}C_k / (‖b_ℓ‖ cos θ_ℓ)`;
  /// `nil` outside exact mode, where the formula is not an identity; NaN where `cos θ_ℓ` is
  /// undefined (`b_ℓ = 0` or `δF_ℓ = 0`), where the formula reads 0 = 0/0.
  public var fsfResidual: Double? {
    guard isExact else { return nil }
    let predicted = cumulativeContribution / (backwardNorm * bfaCos)
    return abs(featureUpdateNorm - predicted) / featureUpdateNorm
  }
}

/// Per-layer result of the actual step: the change `ΔF_ℓ = F_ℓ(θ+δθ) − F_ℓ(θ)` on the batch.
public struct ActualUpdateStatistics: Codable, Equatable, Sendable {
  /// User-facing layer index.
  public var layer: Int
  /// `‖ΔF_ℓ‖`.
  public var updateNorm: Double
  /// `−⟨b_ℓ, ΔF_ℓ⟩`.
  public var alignment: Double
  /// `‖b_ℓ‖`.
  public var backwardNorm: Double
  /// Entries of `ΔF_ℓ`.
  public var count: Int

  /// `rms(ΔF_ℓ)`.
  public var updateRMS: Double { updateNorm / Double(count).squareRoot() }
  /// Angle cosine of `ΔF_ℓ` with `−b_ℓ`.
  public var bfaCos: Double { alignment / (backwardNorm * updateNorm) }
}

/// Spectral quantities of one weight matrix at one step (theory §3.4, [SC]).
public struct SpectralStatistics: Codable, Equatable, Sendable {
  /// User-facing layer index.
  public var layer: Int
  /// Unit within the layer (1 for the second matrix of a two-matrix branch).
  public var unit: Int
  public var fanIn: Int
  public var fanOut: Int
  /// `‖W‖_*`.
  public var weightSpectralNorm: Double
  /// `‖δW‖_*`.
  public var updateSpectralNorm: Double
  /// `‖W − W⁰‖_*`.
  public var weightChangeSpectralNorm: Double
  /// `‖W − W⁰‖`.
  public var weightChangeFrobeniusNorm: Double
  /// `‖W‖`.
  public var weightFrobeniusNorm: Double
  /// `‖δW‖`.
  public var updateFrobeniusNorm: Double

  /// `√(fanOut/fanIn)`.
  public var spectralTarget: Double { (Double(fanOut) / Double(fanIn)).squareRoot() }
  /// `‖W‖²/‖W‖_*²`.
  public var weightStableRank: Double { weightFrobeniusNorm * weightFrobeniusNorm / (weightSpectralNorm * weightSpectralNorm) }
  /// `‖W − W⁰‖²/‖W − W⁰‖_*²` (NaN at initialization).
  public var weightChangeStableRank: Double {
    weightChangeFrobeniusNorm * weightChangeFrobeniusNorm / (weightChangeSpectralNorm * weightChangeSpectralNorm)
  }
  /// `‖δW‖²/‖δW‖_*²`.
  public var updateStableRank: Double { updateFrobeniusNorm * updateFrobeniusNorm / (updateSpectralNorm * updateSpectralNorm) }
}
