import ArgumentParser
import Foundation
import Networks
import Scalings
import Training
import Experiments

/// `featurespeed diagnose`: the FSC criteria of theory §5.2 per layer after a short calibration,
/// with hints and suggested per-layer learning-rate multipliers.
public struct DiagnoseCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "diagnose",
    abstract: "Check the FSC criteria per layer (forward, sensitivity, contribution, alignment) and suggest per-layer learning rates.",
    discussion: """
      Trains the network exactly as `train` would (same flags) for --steps calibration steps, \
      measuring every step, then reports per layer (theory §5.2): F = rms(F_ℓ), S = ‖b_ℓ‖‖F_ℓ‖/ℒ \
      (sensitivity per unit loss), C = the layer's share of the first-order loss decay against its \
      target (--control-profile, uniform by default) and A = cos θ_ℓ, each with a pass/warn verdict \
      and, for every warning, a hint in plain words. The pass ranges are a reconstruction (see \
      docs/control.md). For every layer whose contribution is off it suggests a learning-rate \
      multiplier (target share / measured share; the other layers keep theirs) and checks it: \
      --check-seeds paired runs of --check-steps steps from the same initialization, with and \
      without the multipliers. Only when they lower the loss in every seed are they written to \
      DIR/lr-multipliers.json, which `train --preset-file` loads; otherwise, and when the warnings \
      are not about contributions, it suggests FSC-control. When every criterion passes it \
      recommends no change. diagnosis.csv/.json, advice.json and the check's runs (DIR/check/) \
      are written next to the calibration run's files.

      Examples:
        featurespeed diagnose --preset sp --depth 16 --width 256 --learning-rate 0.05
        featurespeed diagnose --data fashion-mnist --preset sp --depth 32 \\
          --width 512 --output runs/diag32
        featurespeed diagnose --preset sp --depth 8 --width 128 --check-seeds 5 \\
          --check-steps 200 --output runs/diag8
        featurespeed train --preset sp --depth 8 --width 128 \\
          --preset-file runs/diag8/lr-multipliers.json   # if it wrote one
      """)

  @OptionGroup public var model: ModelOptions

  @OptionGroup public var dataOptions: DataOptions

  @OptionGroup public var optimizerOptions: OptimizerOptions

  @Option(help: "Loss: cross-entropy or mse.")
  public var loss: Loss = .crossEntropy

  @Option(parsing: .unconditional, help: "Base learning rate η; each tensor uses η × its preset multiplier.")
  public var learningRate: Double = RunRequest().learningRate

  @Option(parsing: .unconditional, help: "Calibration steps K (every one is measured).")
  public var steps: Int = 10

  @Option(parsing: .unconditional, help: "Run the tangent pass on the first N rows of each batch (default: the whole batch, exact).")
  public var probe: Int?

  @Option(help: ArgumentHelp("Per-layer learning-rate multipliers to diagnose (a previous lr-multipliers.json).", valueName: "file"))
  public var presetFile: String?

  @Option(help: ArgumentHelp("Target contribution shares: uniform, or one positive weight per layer (1,1,2,…).", valueName: "profile"))
  public var controlProfile: String = "uniform"

  @Option(parsing: .unconditional, help: "Paired runs that check the suggested multipliers (0: recommend them unchecked).")
  public var checkSeeds: Int = AdviceCheckSettings().seeds

  @Option(parsing: .unconditional, help: "Steps of each check run.")
  public var checkSteps: Int = AdviceCheckSettings().steps

  @Option(help: "Directory of the calibration run and the diagnosis files (default: runs/diagnose-<run name>).")
  public var output: String?

  @Flag(help: "Replace an existing diagnosis in --output.")
  public var overwrite = false

  @Option(parsing: .unconditional, help: "BLAS threads (default: all cores).")
  public var threads: Int?

  public init() {}

  public func validate() throws {
    do { _ = try request() } catch { throw ValidationError("\(error)") }
    guard checkSeeds >= 0 else { throw ValidationError("--check-seeds must be 0 (no check) or a positive number of seeds, not \(checkSeeds).") }
    guard checkSteps >= 1 else { throw ValidationError("--check-steps must be a positive number of steps, not \(checkSteps).") }
  }

  /// The calibration run these options describe.
  public func request() throws -> RunRequest {
    var r = RunRequest()
    try model.apply(to: &r)
    try dataOptions.apply(to: &r)
    try optimizerOptions.apply(to: &r)
    r.loss = loss
    r.learningRate = learningRate
    r.steps = steps
    r.testSize = 0
    r.measureEvery = 1
    r.probe = probe
    r.measuresActualStep = false
    r.measuresSpectra = false
    r.presetFile = presetFile
    r.controlProfile = try ContributionProfile(parsing: controlProfile)
    r.output = output ?? "runs/diagnose-\(r.runName)"
    r.overwrite = overwrite
    r.threads = threads
    try r.validate()
    return r
  }

  public func run() throws {
    let request = try request()
    Interruption.install()
    var reporter = ConsoleReporter(showsTables: false)
    let result: DiagnosisResult
    do {
      result = try DiagnosisRun.execute(
        request, check: AdviceCheckSettings(seeds: checkSeeds, steps: checkSteps), reporter: &reporter,
        progress: { printError($0) })
    } catch let error as RunError {
      reporter.finishProgressLine()
      printError(error.description)
      throw ExitCode(error.exitCode)
    }
    printOut(Self.render(result.diagnosis))
    printOut("")
    printOut(Self.render(result.advice, result: result))
  }

  /// The FSC-control command suggested when fixed multipliers do not help (the setting of
  /// docs/control.md's demonstration).
  static let controlSuggestion = "featurespeed train <the same flags> --control-feature-speed 0.05 --control-calibration 10"

  /// The recommendation, as printed.
  public static func render(_ advice: DiagnosisAdvice, result: DiagnosisResult) -> String {
    switch advice {
    case .noChange:
      return "All criteria pass: no change recommended (no multiplier file written)."
    case .noMultipliers:
      return "No contribution is off, so per-layer multipliers cannot fix these warnings (no multiplier file written); "
        + "the hints above say what to change. To steer the per-layer rates while training, try FSC-control:\n  \(controlSuggestion)"
    case .multipliers(let check):
      var lines = [String]()
      if let check {
        lines.append("Checked: with the multipliers, \(describe(check)).")
      } else {
        lines.append("Not checked (--check-seeds 0): the multipliers correct the first-order contributions of the calibration only.")
      }
      lines.append("Multipliers written to \(result.multipliersURL.path). Train with them:")
      lines.append("  featurespeed train <the same flags> --preset-file \(result.multipliersURL.path)")
      return lines.joined(separator: "\n")
    case .rejected(let check):
      let verdict = check.trials.allSatisfy({ !($0.adjusted < $0.unchanged) }) ? "they do not lower it in any seed" : "they do not lower it in every seed"
      return "Checked: with the multipliers, \(describe(check)): \(verdict), so they are not recommended "
        + "(kept as \(result.candidateURL.path)). Try FSC-control instead, which sets the per-layer rates from the measured signals:\n  \(controlSuggestion)"
    }
  }

  /// `the test loss after 100 steps goes from 0.612 to 0.540 (−11.8 %; seeds 0, 1, 2: −10.2 %, −12.9 %, −12.3 %)`.
  static func describe(_ check: AdviceCheck) -> String {
    func loss(_ x: Double) -> String { x.isFinite ? formatNumber(x) : "diverged" }
    func change(_ x: Double) -> String { x.isFinite ? String(format: "%+.1f %%", 100 * x).replacingOccurrences(of: "-", with: "−") : "diverged" }
    let mean = { (xs: [Double]) in xs.reduce(0, +) / Double(max(1, xs.count)) }
    let seeds = check.trials.map { "\($0.seed)" }.joined(separator: ", ")
    return "the \(check.metric) goes from \(loss(mean(check.trials.map(\.unchanged)))) to \(loss(mean(check.trials.map(\.adjusted)))) "
      + "(\(change(check.meanRelativeChange)); seed\(check.trials.count == 1 ? "" : "s") \(seeds): "
      + check.trials.map { change($0.relativeChange) }.joined(separator: ", ") + ")"
  }

  /// The table and the hints, as printed.
  public static func render(_ d: FSCDiagnosis) -> String {
    func cell(_ s: String, _ n: Int) -> String { s.padding(toLength: n, withPad: " ", startingAt: 0) }
    func num(_ x: Double) -> String {
      guard x.isFinite else { return x.isNaN ? "nan" : "∞" }
      return abs(x) >= 1e3 || (abs(x) < 1e-2 && x != 0) ? String(format: "%.2e", x) : String(format: "%.3f", x)
    }
    let t = d.thresholds
    func g(_ x: Double) -> String { String(format: "%g", x) }
    var lines = ["FSC criteria after \(d.steps) calibration steps (theory §5.2; pass: F rms in [\(g(t.featureRMS.lowerBound)), "
      + "\(g(t.featureRMS.upperBound))], S/ℒ in [\(g(t.sensitivityPerLoss.lowerBound)), \(g(t.sensitivityPerLoss.upperBound))], "
      + "C share within ×\(g(t.contributionFactor)) of its target, A cos θ ≥ \(g(t.minimumAlignment)))", ""]
    lines.append([cell("layer", 6), cell("F rms", 12), cell("S/ℒ", 12), cell("C share", 10), cell("target", 9), cell("A cos θ", 9),
                  cell("F S C A", 20), "multiplier"].joined())
    for l in d.layers {
      let verdicts = FSCCriterion.allCases.map { l.verdict($0) }.joined(separator: " ")
      lines.append([cell("\(l.layer)", 6), cell(num(l.featureRMS), 12), cell(num(l.sensitivityPerLoss), 12),
                    cell(String(format: "%.2f%%", 100 * l.share), 10), cell(String(format: "%.2f%%", 100 * l.targetShare), 9),
                    cell(num(l.alignment), 9), cell(verdicts, 20), "×" + num(l.suggestedMultiplier)].joined())
    }
    let hints = d.groupedHints
    if !hints.isEmpty {
      lines.append("")
      lines.append("Warnings:")
      lines += hints.map { "  - " + $0 }
    }
    return lines.joined(separator: "\n")
  }
}
