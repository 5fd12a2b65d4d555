import Foundation
import Networks
import Measurements
import Scalings

/// A numeric coordinate check (issue 4, [SC], microsoft/mup's "coord check" made quantitative):
/// train the same model at several widths (and, separately, depths) for a few steps, and fit for
/// every layer the log–log slope of a quantity against the width (or depth), with a 95 % interval
/// over seeds, then compare it with the exponent the preset predicts.
public struct CoordCheck: Codable, Equatable, Sendable {
  /// What is varied.
  public enum Axis: String, Codable, CaseIterable, Sendable {
    case width, depth
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
  /// Allowed distance between the predicted exponent and the 95 % interval of the fitted one.
  public var tolerance: Double
  /// Widest acceptable half-width of the 95 % interval; wider ones give `inconclusive`.
  public var maximumHalfWidth: Double
  /// User predictions, quantity slug → exponent, for the input and hidden layers; they replace the
  /// preset's for those quantities.
  public var expectations: [String: Double] = [:]

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
  /// `‖δW_ℓ‖_* / √(fanOut/fanIn)`: the step's update against [SC]'s spectral scale.
  case updateSpectralRatio = "update_spectral_ratio"
  /// `cos θ_ℓ`.
  case bfaCos = "bfa_cos"

  /// Its value from the quantities of one layer at one step (slug → value).
  func value(_ q: [String: Double]) -> Double? {
    switch self {
    case .updateSpectralRatio:
      guard let norm = q[Quantity.updateSpectralNorm.rawValue], let target = q[Quantity.spectralTarget.rawValue] else { return nil }
      return norm / target
    default:
      return q[rawValue]
    }
  }
}
