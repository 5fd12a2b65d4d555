import Foundation
import Networks
import Measurements
import Scalings

/// A numeric coordinate check (issue 4, [SC], microsoft/mup's "coord check" made quantitative):
/// train the same model at several widths (and, separately, depths) for a few steps, and fit for
/// every layer the log–log slope of a quantity against the width (or depth), with a 95 % interval
/// over seeds, then judge it against the feature-learning desiderata (`CoordCheckDesiderata`,
/// the default) or against the exponent the preset predicts (`Mode.againstPreset`).
public struct CoordCheck: Codable, Equatable, Sendable {
  /// What is varied.
  public enum Axis: String, Codable, CaseIterable, Sendable {
    case width, depth
  }

  /// What decides the check's outcome.
  public enum Mode: String, Codable, CaseIterable, Sendable {
    /// The feature-learning desiderata: every layer must `learn` (`CoordCheckLayerVerdict`).
    case desiderata
    /// Each preset's own predicted exponents (`CoordCheckPredictions`).
    case againstPreset = "against-preset"
  }

  /// The run every cell starts from (preset, architecture, data, steps, …); width/depth and seed
  /// are set per cell.
  public var base: RunRequest
  /// Widths of the width axis (depth fixed at `base.depth`); empty to skip it.
  public var widths: [Int]
  /// Depths of the depth axis (width fixed at `base.width`); empty to skip it.
  public var depths: [Int]
  /// Seeds (repetitions for the slope intervals).
  public var seeds: [UInt64]
  /// `.againstPreset`: allowed distance between the predicted exponent and the 95 % interval of the fitted one.
  public var tolerance: Double
  /// `.againstPreset`: widest acceptable half-width of the 95 % interval; wider ones give `inconclusive`.
  public var maximumHalfWidth: Double
  /// User predictions, quantity slug → exponent, for the input and hidden layers; they replace the
  /// preset's for those quantities.
  public var expectations: [String: Double] = [:]
  /// What decides the outcome (both are always computed and written).
  public var mode: Mode = .desiderata
  /// Half-width of the tolerance band around exponent 0 used by the desiderata.
  public var band: Double = CoordCheckDesiderata.defaultBand

  public init(
    base: RunRequest, widths: [Int], depths: [Int], seeds: [UInt64], tolerance: Double = 0.1, maximumHalfWidth: Double = 0.25
  ) {
    self.base = base
    self.widths = widths
    self.depths = depths
    self.seeds = seeds
    self.tolerance = tolerance
    self.maximumHalfWidth = maximumHalfWidth
  }

  /// The quantities checked, with how each is read from a step's measurements.
  public static let quantities: [CheckedQuantity] = [.featureRMS, .featureUpdateRMS, .updateSpectralRatio, .bfaCos]

  /// The cells of one axis: every value × every seed, measured at every step (exact tangent).
  public func jobs(axis: Axis) -> [SweepCell] {
    let values = axis == .width ? widths : depths
    var jobs = [SweepCell]()
    for value in values {
      for seed in seeds {
        var r = base
        if axis == .width { r.width = value } else { r.depth = value }
        r.seed = seed
        r.measureEvery = 1
        r.probe = nil
        r.evaluateEvery = 0
        let id = "\(axis.rawValue)=\(value)_seed=\(seed)"
        r.name = id
        jobs.append(SweepCell(
          index: jobs.count,
          values: [SweepCell.Value(key: axis.rawValue, value: "\(value)"), SweepCell.Value(key: "seed", value: "\(seed)")],
          request: r, id: id))
      }
    }
    return jobs
  }
}

/// A quantity of the coordinate check and how to read it from `measurements.csv` rows.
public enum CheckedQuantity: String, Codable, CaseIterable, Sendable {
  /// `rms(F_ℓ)`.
  case featureRMS = "feature_rms"
  /// `rms(δF_ℓ)`.
  case featureUpdateRMS = "feature_update_rms"
  /// `a_ℓ‖δW_ℓ‖_* / √(fanOut/fanIn)`: the step's update of the layer's linear map `a_ℓ W_ℓ`
  /// (theory §2: `F = a·G Wᵀ`) against [SC]'s spectral scale. `a_ℓ` (the forward multiplier, 1
  /// except under `ntk`) is read from the cell's `config.json`; the ResNet branch scale β is not
  /// included (it does not depend on the width).
  case updateSpectralRatio = "update_spectral_ratio"
  /// `cos θ_ℓ`.
  case bfaCos = "bfa_cos"

  /// The key under which a cell's values carry the layer's forward multiplier `a_ℓ`.
  static let forwardMultiplierKey = "forward_multiplier"

  /// Its value from the quantities of one layer at one step (slug → value).
  func value(_ q: [String: Double]) -> Double? {
    switch self {
    case .updateSpectralRatio:
      guard let norm = q[Quantity.updateSpectralNorm.rawValue], let target = q[Quantity.spectralTarget.rawValue] else { return nil }
      return norm * (q[Self.forwardMultiplierKey] ?? 1) / target
    default:
      return q[rawValue]
    }
  }
}
