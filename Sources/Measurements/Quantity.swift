/// Whether a quantity is measured per layer, per weight matrix, or once for the whole network.
public enum QuantityScope: String, Codable, Sendable {
  /// One value per layer ℓ.
  case layer
  /// One value per weight matrix (in a two-matrix residual branch the second matrix's rows carry
  /// the slug suffix `_w2`).
  case weight
  /// One value per step for the whole network (`layer` is empty in CSV files).
  case network
}

/// The measured quantities, by stable slug (the `quantity` column of `measurements.csv`).
///
/// Each case documents its formula and theory section; `featurespeed quantities` prints this list
/// and the README's table is generated from it. Notation (theory §1, §3): `F_ℓ` feature, `b_ℓ`
/// backward signal, `C_k` contribution, `δF_ℓ` first-order feature update (tangent pass),
/// `ΔF_ℓ` actual change after the step, norms are Frobenius over batch and features,
/// `rms(A) = ‖A‖/√N`.
public enum Quantity: String, CaseIterable, Codable, Sendable {
  case featureRMS = "feature_rms"
  case backwardNorm = "backward_norm"
  case gradientNormSquared = "grad_norm_sq"
  case contribution = "contribution"
  case contributionShare = "contribution_share"
  case contributionCumulative = "contribution_cumulative"
  case lossDecayFirstOrder = "loss_decay_first_order"
  case featureUpdateRMS = "feature_update_rms"
  case bfaCos = "bfa_cos"
  case fsfResidual = "fsf_residual"
  case sensitivity = "sensitivity"
  case bafuRelative = "bafu_relative"
  case featureSpeedPerLossDecay = "feature_speed_per_loss_decay"
  case actualUpdateRMS = "actual_update_rms"
  case actualBFACos = "actual_bfa_cos"
  case lossDecayActual = "loss_decay_actual"
  case featureChangeRelative = "feature_change_relative"
  case weightSpectralNorm = "weight_spectral_norm"
  case updateSpectralNorm = "update_spectral_norm"
  case weightChangeSpectralNorm = "weight_change_spectral_norm"
  case weightChangeStableRank = "weight_change_stable_rank"
  case spectralTarget = "spectral_target"
  case weightFrobeniusNorm = "weight_frobenius_norm"
  case updateFrobeniusNorm = "update_frobenius_norm"
  case weightStableRank = "weight_stable_rank"
  case updateStableRank = "update_stable_rank"

  /// Per layer, per weight matrix, or per network.
  public var scope: QuantityScope {
    switch self {
    case .lossDecayFirstOrder, .lossDecayActual: .network
    case .weightSpectralNorm, .updateSpectralNorm, .weightChangeSpectralNorm, .weightChangeStableRank, .spectralTarget,
      .weightFrobeniusNorm, .updateFrobeniusNorm, .weightStableRank, .updateStableRank:
      .weight
    default: .layer
    }
  }

  /// The section of docs/theory.md that defines it.
  public var specSection: String {
    switch self {
    case .featureRMS, .backwardNorm, .gradientNormSquared, .contribution, .contributionShare,
      .contributionCumulative, .lossDecayFirstOrder:
      "§3.1"
    case .featureUpdateRMS, .bfaCos, .fsfResidual, .sensitivity, .bafuRelative,
      .featureSpeedPerLossDecay, .actualUpdateRMS, .actualBFACos, .lossDecayActual:
      "§3.2"
    case .featureChangeRelative, .weightSpectralNorm, .updateSpectralNorm, .weightChangeSpectralNorm,
      .weightChangeStableRank, .spectralTarget, .weightFrobeniusNorm, .updateFrobeniusNorm, .weightStableRank, .updateStableRank:
      "§3.4"
    }
  }

  /// One line: what it is and its formula.
  public var summary: String {
    switch self {
    case .featureRMS: "rms(F_ℓ): size of the feature (forward pass) per entry"
    case .backwardNorm: "‖b_ℓ‖ with b_ℓ = ∂ℒ/∂F_ℓ: the backward signal (carries the 1/n of the batch mean)"
    case .gradientNormSquared: "Σ ‖∇_θ ℒ‖² over the layer's weights and biases"
    case .contribution: "C_ℓ = −⟨∇_{θ_ℓ}ℒ, δθ_ℓ⟩ (= η_ℓ‖∇‖² under SGD): the layer's share of the first-order loss decrease"
    case .contributionShare: "c_ℓ = C_ℓ / Σ_k C_k"
    case .contributionCumulative: "Σ_{k≤ℓ} C_k, which equals −⟨b_ℓ, δF_ℓ⟩ (the key identity)"
    case .lossDecayFirstOrder: "−δℒ = Σ_k C_k, the first-order loss decrease of the step (network-wide)"
    case .featureUpdateRMS: "rms(δF_ℓ): first-order feature update of the step, by the tangent pass (probe rows if --probe)"
    case .bfaCos: "cos θ_ℓ = −⟨b_ℓ, δF_ℓ⟩/(‖b_ℓ‖‖δF_ℓ‖): backward–feature angle (probe rows if --probe; nan, undefined, where b_ℓ = 0 or δF_ℓ = 0, e.g. hidden layers at step 0 with --zero-readout)"
    case .fsfResidual: "abs(‖δF_ℓ‖ − Σ_{k≤ℓ}C_k/(‖b_ℓ‖cos θ_ℓ)) / ‖δF_ℓ‖: residual of the feature speed formula (exact mode only; rounding level; nan where cos θ_ℓ is)"
    case .sensitivity: "S_ℓ = ‖b_ℓ‖·‖F_ℓ‖: loss change per unit relative feature change in the worst direction"
    case .bafuRelative: "BAFU_ℓ/‖F_ℓ‖ = Σ_{k≤ℓ}C_k / S_ℓ: backward-aligned feature update, relative (contributions over sensitivity)"
    case .featureSpeedPerLossDecay: "rms(δF_ℓ)/(−δℒ): feature speed per unit first-order loss decay ([FSF] Fig. 3)"
    case .actualUpdateRMS: "rms(ΔF_ℓ) with ΔF_ℓ = F_ℓ(θ+δθ) − F_ℓ(θ) by one extra forward on the same rows (probe rows if --probe)"
    case .actualBFACos: "−⟨b_ℓ, ΔF_ℓ⟩/(‖b_ℓ‖‖ΔF_ℓ‖): angle of the actual feature change with −b_ℓ (probe rows if --probe)"
    case .lossDecayActual: "ℒ(θ) − ℒ(θ+δθ) on the same rows (network-wide; the probe rows' mean loss if --probe); compare with loss_decay_first_order"
    case .featureChangeRelative: "‖F_ℓ − F_ℓ⁰‖/‖F_ℓ⁰‖ on a fixed probe batch, after the step's update: relative feature change since initialization"
    case .weightSpectralNorm: "‖W_ℓ‖_*: largest singular value (power iteration, warm-started)"
    case .updateSpectralNorm: "‖δW_ℓ‖_*: spectral norm of this step's update"
    case .weightChangeSpectralNorm: "‖W_ℓ − W_ℓ⁰‖_*: spectral norm of the change since initialization"
    case .weightChangeStableRank: "‖W_ℓ − W_ℓ⁰‖²/‖W_ℓ − W_ℓ⁰‖_*²: stable rank of the accumulated updates (NaN at step 0)"
    case .spectralTarget: "√(fanOut/fanIn): the scale [SC] asks ‖W‖_* and ‖δW‖_* to follow"
    case .weightFrobeniusNorm: "‖W_ℓ‖: Frobenius norm of the weight"
    case .updateFrobeniusNorm: "‖δW_ℓ‖: Frobenius norm of this step's update"
    case .weightStableRank: "‖W_ℓ‖²/‖W_ℓ‖_*²: stable rank of the weight"
    case .updateStableRank: "‖δW_ℓ‖²/‖δW_ℓ‖_*²: stable rank of this step's update"
    }
  }
}
