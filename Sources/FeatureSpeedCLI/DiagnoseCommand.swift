import ArgumentParser
import Foundation
import Networks
import Scalings
import Training
import Experiments

/// `featurespeed diagnose`: the FSC criteria of SPEC §5.2 per layer after a short calibration,
/// with hints and suggested per-layer learning-rate multipliers.
public struct DiagnoseCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "diagnose",
    abstract: "Check the FSC criteria per layer (forward, sensitivity, contribution, alignment) and suggest per-layer learning rates.",
    discussion: """
      Trains the network exactly as `train` would (same flags) for --steps calibration steps, \
      measuring every step, then reports per layer (SPEC §5.2): F = rms(F_ℓ), S = ‖b_ℓ‖‖F_ℓ‖/ℒ \
      (sensitivity per unit loss), C = the layer's share of the first-order loss decay against its \
      target (--control-profile, uniform by default) and A = cos θ_ℓ, each with a pass/warn verdict \
      and, for every warning, a hint in plain words. The pass ranges are a reconstruction (see \
      docs/control.md). It writes the suggested multipliers (target share / measured share) to \
      DIR/lr-multipliers.json, which `train --preset-file` loads, and diagnosis.csv/.json next to \
      the calibration run's files.

      Examples:
        featurespeed diagnose --preset sp --depth 16 --width 256 --learning-rate 0.05
        featurespeed diagnose --data fashion-mnist --preset sp --depth 32 --width 512 --output runs/diag32
        featurespeed train --data fashion-mnist --preset sp --depth 32 --width 512 --preset-file runs/diag32/lr-multipliers.json
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

  @Option(help: "Directory of the calibration run and the diagnosis files (default: runs/diagnose-<run name>).")
  public var output: String?

  @Flag(help: "Replace an existing diagnosis in --output.")
  public var overwrite = false

  @Option(parsing: .unconditional, help: "BLAS threads (default: all cores).")
  public var threads: Int?

  public init() {}

  public func validate() throws {
    do { _ = try request() } catch { throw ValidationError("\(error)") }
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
      result = try DiagnosisRun.execute(request, reporter: &reporter)
    } catch let error as RunError {
      reporter.finishProgressLine()
      printError(error.description)
      throw ExitCode(error.exitCode)
    }
    printOut(Self.render(result.diagnosis))
    printOut("Suggested multipliers: \(result.multipliersURL.path). Train with them:")
    printOut("  featurespeed train <the same flags> --preset-file \(result.multipliersURL.path)")
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
    var lines = ["FSC criteria after \(d.steps) calibration steps (SPEC §5.2; pass: F rms in [\(g(t.featureRMS.lowerBound)), "
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
    lines.append("")
    if hints.isEmpty {
      lines.append("All criteria pass.")
    } else {
      lines.append("Warnings:")
      lines += hints.map { "  - " + $0 }
    }
    return lines.joined(separator: "\n")
  }
}
