import ArgumentParser
import Training
import Experiments

/// The learning-rate schedule options of `train`: `--lr-schedule`, `--warmup-steps`,
/// `--lr-final-fraction` (`LearningRateSchedule`: a global factor on every tensor's rate, applied
/// after the preset's multipliers and FSC-control's factors).
public struct ScheduleOptions: ParsableArguments {
  @Option(help: ArgumentHelp(
    "Learning-rate schedule after the warmup: constant, linear or cosine (decay to --lr-final-fraction × η at the end).",
    valueName: "name"))
  public var lrSchedule: LearningRateScheduleKind = .constant

  @Option(parsing: .unconditional, help: "Linear warmup over the first N steps, from η/(N+1) up to η (0: none; fewer than --steps).")
  public var warmupSteps: Int = 0

  @Option(parsing: .unconditional, help: "Fraction of η that --lr-schedule linear or cosine decays to, in [0, 1] (default 0).")
  public var lrFinalFraction: Double?

  public init() {}

  /// Sets the schedule fields of `request`; `RunRequest.validate()` checks them against `--steps`.
  public func apply(to request: inout RunRequest) {
    request.learningRateSchedule = lrSchedule
    request.warmupSteps = warmupSteps
    request.learningRateFinalFraction = lrFinalFraction
  }
}
