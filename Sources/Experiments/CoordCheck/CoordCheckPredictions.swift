import Networks

/// The exponents a preset predicts for the coordinate check: `quantity ∝ width^p` (or `depth^p`),
/// as data (one edit changes a prediction). `nil` means no prediction: the slope is reported
/// without a verdict.
///
/// Width ([SC], Tensor Programs V): under μP-type presets (`mup`, `spectral`, `spectral-exact`, and
/// `mf-mup`, `fsc`, `resnet-*`, which reduce to μP at fixed depth) features, feature updates,
/// spectral update ratios and angles of input and hidden layers are width-independent (p = 0),
/// and so is the output's spectral update ratio; under `ntk` features stay Θ(1) while hidden and input feature
/// updates decay like width^−1/2 and the output still moves Θ(1) per step. `sp` has no entry.
/// Depth ([FSF], theory §4, §5.1 — partly **reconstructions**): in iid-initialized ReLU MLPs the
/// backward–feature angle of the last hidden layer decays like depth^−1/2, features stay Θ(1);
/// ResNets with β = 1/√L or 1/L keep features and the output angle depth-independent; the feature
/// speed per unit loss decay at layer L−1 is flat under `fsc` and grows like √L under `mf-mup`.
public enum CoordCheckPredictions {
  /// Where a layer sits, as far as predictions are concerned.
  public enum Position: String, Codable, Sendable {
    case input, hidden, output
  }

  static let muPFamily: Set<String> = ["mup", "spectral", "spectral-exact", "mf-mup", "fsc", "resnet-sqrt", "resnet-inv"]
  static let mlpPresets: Set<String> = ["sp", "ntk", "mup", "spectral", "spectral-exact", "mf-mup", "fsc"]

  /// The predicted exponent, or nil.
  public static func exponent(
    preset: String, architecture: ArchitectureKind, axis: CoordCheck.Axis, position: Position, quantity: String
  ) -> Double? {
    switch axis {
    case .width:
      if muPFamily.contains(preset) {
        // The output's features, updates and angle converge to width-independent values only as
        // the initial logits (Θ(width^−1/2)) vanish: at practical widths their slopes are still
        // visibly negative, so only the spectral update ratio is predicted there.
        if position == .output { return quantity == CheckedQuantity.updateSpectralRatio.rawValue ? 0 : nil }
        return 0
      }
      if preset == "ntk" {
        switch (position, quantity) {
        case (_, CheckedQuantity.featureRMS.rawValue): return 0
        case (.output, CheckedQuantity.featureUpdateRMS.rawValue): return 0
        case (.input, CheckedQuantity.featureUpdateRMS.rawValue), (.hidden, CheckedQuantity.featureUpdateRMS.rawValue): return -0.5
        default: return nil
        }
      }
      return nil
    case .depth:
      if architecture == .mlp && mlpPresets.contains(preset) && position == .hidden {
        switch quantity {
        case CheckedQuantity.featureRMS.rawValue: return 0
        case CheckedQuantity.bfaCos.rawValue: return -0.5
        case "feature_speed_per_loss_decay": return preset == "fsc" ? 0 : (preset == "mf-mup" ? 0.5 : nil)
        default: return nil
        }
      }
      if architecture == .resnet && (preset == "resnet-sqrt" || preset == "resnet-inv") {
        switch (position, quantity) {
        case (.hidden, CheckedQuantity.featureRMS.rawValue), (.output, CheckedQuantity.bfaCos.rawValue): return 0
        default: return nil
        }
      }
      return nil
    }
  }
}
