import Foundation

/// The shape of a learning-rate schedule after its warmup (the `train` flag `--lr-schedule`).
/// Raw values are CLI slugs.
public enum LearningRateScheduleKind: String, Codable, CaseIterable, Sendable {
  /// Factor 1 after the warmup.
  case constant
  /// Linear decay from 1 to the final fraction.
  case linear
  /// Half-cosine decay from 1 to the final fraction.
  case cosine
}

/// A global factor `s_t` on every tensor's learning rate at step `t` (0-based, `t < steps`):
/// the applied rate of tensor k is `η_{k,t} = s_t · κ_{k,t} · η · m_k` with `m_k` the preset's
/// multiplier (theory §5.1) and `κ_{k,t}` the FSC-control factor (theory §5.3, 1 without control).
///
/// With `W = warmupSteps`, `T` the number of steps and `f = finalFraction`:
///
///     t < W:   s_t = (t + 1)/(W + 1)                     linear warmup from 1/(W + 1), never 0
///     t ≥ W:   p = (t − W)/(T − W) ∈ [0, 1)
///              constant  s_t = 1
///              linear    s_t = f + (1 − f)(1 − p)
///              cosine    s_t = f + (1 − f)(1 + cos πp)/2
///
/// The warmup line, continued to `t = W`, gives 1 = the decay's start, so `s` is continuous at
/// the end of the warmup and rises by the same `1/(W + 1)` at every warmup step. The decay reaches
/// `f` at `t = T`, just after the last update, so every step — the last one too — has `s_t > 0`,
/// and each measured step has a nonzero update (theory §3 identities stay meaningful).
///
/// Decoding accepts missing keys (their defaults: constant, no warmup).
public struct LearningRateSchedule: Codable, Equatable, Sendable {
  /// The decay after the warmup.
  public var kind: LearningRateScheduleKind
  /// Steps of linear warmup `W ≥ 0` (must be below the number of steps).
  public var warmupSteps: Int
  /// `f ∈ [0, 1]`, the factor the decay tends to; `nil` means 0 for `linear`/`cosine`. Only for
  /// the decaying kinds (see `validate`).
  public var finalFraction: Double?

  /// The schedule `kind` after `warmupSteps` warmup steps (default: constant, no warmup — the
  /// plain base rate at every step).
  public init(kind: LearningRateScheduleKind = .constant, warmupSteps: Int = 0, finalFraction: Double? = nil) {
    self.kind = kind
    self.warmupSteps = warmupSteps
    self.finalFraction = finalFraction
  }

  private enum CodingKeys: String, CodingKey { case kind, warmupSteps, finalFraction }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    kind = try c.decodeIfPresent(LearningRateScheduleKind.self, forKey: .kind) ?? .constant
    warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps) ?? 0
    finalFraction = try c.decodeIfPresent(Double.self, forKey: .finalFraction)
  }

  /// Whether `s_t = 1` at every step (constant, no warmup): the rates never change.
  public var isConstant: Bool { kind == .constant && warmupSteps == 0 }

  /// `f`: `finalFraction`, or 0 for the decaying kinds (1 for `constant`, which does not decay).
  public var resolvedFinalFraction: Double { kind == .constant ? 1 : finalFraction ?? 0 }

  /// `s_t`, the factor on every rate at step `step` of a run of `steps` steps (see the type).
  /// - Precondition: `0 ≤ step` and `validate(steps:)` passes (so `steps > warmupSteps`). Steps
  ///   past the end keep the last step's progress formula (`p ≥ 1` gives `f` for `linear`).
  public func factor(step: Int, steps: Int) -> Double {
    precondition(step >= 0 && steps > warmupSteps, "factor(step: \(step), steps: \(steps)) with \(warmupSteps) warmup steps")
    let w = warmupSteps
    if step < w { return Double(step + 1) / Double(w + 1) }
    // q = 1 − p = (T − t)/(T − W) from integers, and (1 + cos πp)/2 = sin²(πq/2): both stay > 0 at
    // the last step however long the run (1 + cos πp would round to 0 for T − W ≳ 1e8).
    let q = max(0, Double(steps - step) / Double(steps - w))
    let f = resolvedFinalFraction
    switch kind {
    case .constant: return 1
    case .linear: return f + (1 - f) * q
    case .cosine:
      let s = sin(Double.pi * q / 2)
      return f + (1 - f) * s * s
    }
  }

  /// One line for the run header, e.g. `learning-rate schedule cosine to 0.1 after 10 warmup steps`.
  public var summary: String {
    var text = "learning-rate schedule \(kind.rawValue)"
    if kind != .constant { text += " decay to \(String(format: "%g", resolvedFinalFraction))×η at the end" }
    if warmupSteps > 0 { text += ", linear warmup from η/\(warmupSteps + 1) over \(warmupSteps) steps" }
    return text
  }

  /// Checks the schedule for a run of `steps` steps.
  /// - Throws: `TrainingError.invalidSetting` naming the flag, the value and the fix.
  public func validate(steps: Int) throws {
    func require(_ condition: Bool, _ name: String, _ value: String, _ expectation: String) throws {
      if !condition { throw TrainingError.invalidSetting(name: name, value: value, expected: expectation) }
    }
    try require(warmupSteps >= 0, "warmup-steps", "\(warmupSteps)", "a whole number ≥ 0, e.g. --warmup-steps 10")
    try require(
      warmupSteps < steps, "warmup-steps", "\(warmupSteps) with --steps \(steps)",
      "fewer warmup steps than steps (at most \(max(steps - 1, 0))), or more --steps")
    if let f = finalFraction {
      try require(f.isFinite && f >= 0 && f <= 1, "lr-final-fraction", "\(f)", "a fraction in [0, 1], e.g. --lr-final-fraction 0.1")
      try require(
        kind != .constant, "lr-final-fraction", "\(f) with --lr-schedule constant",
        "--lr-schedule linear or cosine (a constant schedule does not decay), or drop --lr-final-fraction")
    }
  }
}
