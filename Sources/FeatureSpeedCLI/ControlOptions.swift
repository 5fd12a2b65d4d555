import ArgumentParser
import Scalings
import Experiments

/// FSC-control and learning-rate-file options of `train` (theory §5.2–5.3); the same names without
/// `--` are sweep config keys.
public struct ControlOptions: ParsableArguments {
  @Option(help: ArgumentHelp(
    "Per-layer learning-rate multipliers on top of the preset, from `featurespeed diagnose` (its lr-multipliers.json).",
    valueName: "file"))
  public var presetFile: String?

  @Option(parsing: .unconditional, help: ArgumentHelp(
    "Backward normalization: rescale each layer's backward signal so √N‖b‖ equals this target (GD with rescaled per-layer rates).",
    valueName: "target"))
  public var controlBackwardNorm: Double?

  @Option(parsing: .unconditional, help: ArgumentHelp(
    "Adaptive per-layer rates: every step, layer k gets the rate that makes its contribution c_k·ρ·loss (ρ = this fraction, e.g. 0.05).",
    valueName: "rho"))
  public var controlDecay: Double?

  @Option(help: ArgumentHelp(
    "Target contribution shares c_k for --control-decay and diagnose: uniform, or one positive weight per layer (1,1,2,…).",
    valueName: "profile"))
  public var controlProfile: String = "uniform"

  @Option(parsing: .unconditional, help: ArgumentHelp(
    "Adaptive per-layer rates aiming at this relative feature speed rms(δF)/rms(F) at every layer, through the feature speed formula.",
    valueName: "speed"))
  public var controlFeatureSpeed: Double?

  @Option(parsing: .unconditional, help: "Cap on the control factor (the adapted rate is at most this × the preset rate).")
  public var controlCap: Double = 1e3

  @Option(parsing: .unconditional, help: "Weight of the newest factor in the moving average of the control factors (1: no smoothing).")
  public var controlSmoothing: Double = 1

  @Option(parsing: .unconditional, help: "A layer whose squared gradient norm is at or below this keeps its previous control factor.")
  public var controlFloor: Double = 1e-30

  @Option(parsing: .unconditional, help: "Adapt during the first K steps only, then keep the factors (0: adapt throughout).")
  public var controlCalibration: Int = 0

  public init() {}

  /// Sets the control fields of `request`.
  /// - Throws: `ControlError.invalidProfile`.
  public func apply(to request: inout RunRequest) throws {
    request.presetFile = presetFile
    request.controlBackwardNorm = controlBackwardNorm
    request.controlDecay = controlDecay
    request.controlProfile = try ContributionProfile(parsing: controlProfile)
    request.controlFeatureSpeed = controlFeatureSpeed
    request.controlCap = controlCap
    request.controlSmoothing = controlSmoothing
    request.controlFloor = controlFloor
    request.controlCalibration = controlCalibration
  }
}
