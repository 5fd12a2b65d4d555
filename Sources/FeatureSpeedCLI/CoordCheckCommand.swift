import ArgumentParser
import Foundation
import Networks
import Training
import Experiments
import Scalings

/// `featurespeed coordcheck`: a numeric coordinate check with pass/fail against the preset.
public struct CoordCheckCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "coordcheck",
    abstract: "Fit per-layer log–log slopes against width and depth, and check that every layer learns features.",
    discussion: """
      Trains the model at every width (and, with --depths, every depth) for every seed, a few steps \
      each, measuring every step. For every layer it fits the exponent p of quantity ∝ width^p \
      (depth^p) with a 95 % interval over seeds, for feature_rms, feature_update_rms, \
      ‖a·δW‖_*/√(fanOut/fanIn) (update_spectral_ratio) and bfa_cos (and, against depth, \
      feature_speed_per_loss_decay).

      By default it judges the feature-learning desiderata ([SC], [FSF]; docs/coordcheck.md): \
      against width every layer's feature size must not blow up and its feature update and \
      spectral update ratio must stay Θ(1) (|p| ≤ --band); against depth the last hidden layer's \
      bfa_cos must not vanish and its feature speed per unit loss decay must stay Θ(1). Each \
      layer gets a verdict — learns, lazy (vanishes like size^p) or unstable (blows up like \
      size^p) — or inconclusive when an interval straddles a band edge. With --against-preset \
      it compares the slopes with the preset's own predicted exponents instead (μP-type \
      presets: 0; ntk: −½ for hidden feature updates). Prints the tables and writes \
      coordcheck.csv and coordcheck-layers.csv; exits with status 1 if a layer is lazy, unstable \
      or inconclusive (--against-preset: if a prediction fails or is inconclusive), so it can run \
      in CI. Resumable: rerunning reuses finished cells.

      Examples:
        featurespeed coordcheck --preset mup --widths 64,128,256,512 --seeds 3
        featurespeed coordcheck --preset ntk --widths 128,256,512,1024 --steps 3
        featurespeed coordcheck --preset ntk --against-preset --seeds 8
        featurespeed coordcheck --preset resnet-sqrt --arch resnet --width 128 \\
          --depths 4,8,16,32 --widths ""
      """)

  @OptionGroup public var model: ModelOptions

  @Option(help: "Widths of the width axis, comma-separated (empty: skip the width axis).")
  public var widths: String = "64,128,256,512"

  @Option(help: "Depths of the depth axis, comma-separated (default: no depth axis).")
  public var depths: String = ""

  @Option(parsing: .unconditional, help: "Number of seeds (repetitions for the intervals).")
  public var seeds: Int = 6

  @Option(parsing: .unconditional, help: "Training steps per cell; slopes use the last one.")
  public var steps: Int = 5

  @Option(parsing: .unconditional, help: "Base learning rate.")
  public var learningRate: Double = 0.05

  @Option(help: "Data (as for train).")
  public var data: String = "synthetic"

  @Option(parsing: .unconditional, help: "Samples per step.")
  public var batchSize: Int = 64

  @Option(parsing: .unconditional, help: ArgumentHelp(
    "Tolerance band of the desiderata: exponents within ±band of 0 count as size-independent.",
    valueName: "b"))
  public var band: Double = CoordCheckDesiderata.defaultBand

  @Flag(help: "Judge each preset's own predicted exponents instead of the feature-learning desiderata.")
  public var againstPreset = false

  @Option(parsing: .unconditional, help: "--against-preset: largest allowed distance between the predicted exponent and the 95 % interval.")
  public var tolerance: Double = 0.1

  @Option(parsing: .unconditional, help: "--against-preset: widest acceptable half-width of a 95 % interval; wider ones are inconclusive (and fail).")
  public var maxInterval: Double = 0.25

  @Option(name: .customLong("expect"), help: ArgumentHelp(
    "Your own prediction for the input and hidden layers, quantity=exponent (repeatable), e.g. feature_update_rms=0; implies --against-preset.",
    valueName: "quantity=p"))
  public var expectations: [String] = []

  @Option(help: ArgumentHelp(
    "A preset given as JSON (a Preset: name, summary, reference, rules, …) instead of --preset, e.g. a deliberately broken one.",
    valueName: "file"))
  public var presetDefinition: String?

  @Option(help: "Directory for the cells and results (default: runs/coordcheck-<preset>-<arch>).")
  public var output: String?

  public init() {}

  public func validate() throws {
    let w = try parseList(widths, flag: "--widths"), d = try parseList(depths, flag: "--depths")
    if w.count == 1 || d.count == 1 { throw ValidationError("An axis needs at least two values to fit a slope.") }
    if w.isEmpty && d.isEmpty { throw ValidationError("Give --widths or --depths (two values or more).") }
    if seeds < 1 || steps < 1 || batchSize < 1 { throw ValidationError("--seeds, --steps and --batch-size must be positive.") }
    if !(tolerance >= 0) { throw ValidationError("--tolerance must be a non-negative number.") }
    if !(band >= 0 && band.isFinite) { throw ValidationError("--band must be a non-negative number, found \(band).") }
    _ = try parsedExpectations()
    if let path = presetDefinition { _ = try Self.readPreset(path) }
  }

  /// `--expect` values as quantity → exponent.
  func parsedExpectations() throws -> [String: Double] {
    var result = [String: Double]()
    let known = CheckedQuantity.allCases.map(\.rawValue) + ["feature_speed_per_loss_decay"]
    for item in expectations {
      let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, known.contains(parts[0]), let p = Double(parts[1]) else {
        throw ValidationError("--expect wants quantity=exponent with quantity one of \(known.joined(separator: ", ")), found '\(item)'.")
      }
      result[parts[0]] = p
    }
    return result
  }

  /// The preset in the JSON file at `path`.
  static func readPreset(_ path: String) throws -> Preset {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ValidationError("--preset-definition: cannot read '\(path)'. Expected a JSON file holding one preset.")
    }
    do {
      return try JSONFile.makeDecoder().decode(Preset.self, from: data)
    } catch {
      throw ValidationError(
        "--preset-definition: '\(path)' is not a preset (\(error)). Expected the JSON encoding of a Preset: "
          + "name, summary, reference, isReconstruction, architectures and rules (input, hidden, output, bias).")
    }
  }

  /// The check this command describes.
  public func check() throws -> CoordCheck {
    var base = RunRequest()
    try model.apply(to: &base)
    if let path = presetDefinition {
      let definition = try Self.readPreset(path)
      base.preset = definition.name
      base.presetDefinition = definition
    }
    base.learningRate = learningRate
    base.data = try DataSource(parsing: data)
    base.batchSize = batchSize
    base.steps = steps
    base.trainSize = max(4 * batchSize, 512)
    base.testSize = 0
    base.measuresActualStep = false
    try base.validate()
    var check = CoordCheck(
      base: base, widths: try parseList(widths, flag: "--widths"), depths: try parseList(depths, flag: "--depths"),
      seeds: (0..<seeds).map(UInt64.init), tolerance: tolerance, maximumHalfWidth: maxInterval)
    check.expectations = try parsedExpectations()
    check.mode = againstPreset || !expectations.isEmpty ? .againstPreset : .desiderata
    check.band = band
    return check
  }

  public func run() throws {
    let check = try check()
    let directory = URL(fileURLWithPath: output ?? "runs/coordcheck-\(check.base.preset)-\(model.arch.rawValue)")
    Interruption.install()
    var results = [CoordCheckResult]()
    var data = TidyTable(columns: ["axis", "size", "seed", "layer", "quantity", "value"])
    for axis in CoordCheck.Axis.allCases where !(axis == .width ? check.widths : check.depths).isEmpty {
      let axisDirectory = directory.appendingPathComponent(axis.rawValue)
      let printer = SweepProgressPrinter(label: "coordcheck \(axis.rawValue)")
      let runner = SweepRunner(directory: axisDirectory, jobs: check.jobs(axis: axis))
      defer { printer.finish() }
      _ = try runner.run(progress: { printer.show($0) }, shouldStop: { Interruption.isRequested })
      printer.finish()
      results += try check.analyze(axis: axis, directory: axisDirectory)
      data.rows += try check.data(axis: axis, directory: axisDirectory).rows
    }
    try CoordCheckReport.write(results, check: check, to: directory)
    try data.write(to: directory.appendingPathComponent("coordcheck-data.csv"))
    try CoordCheckFigures.writeReport(results: results, check: check, directory: directory)
    switch check.mode {
    case .desiderata:
      let verdicts = CoordCheckLayerVerdict.verdicts(results)
      printOut(CoordCheckReport.table(results, mode: .desiderata) + "\n")
      printOut(CoordCheckReport.layerTable(verdicts) + "\n")
      printOut("\(check.base.preset): " + CoordCheckReport.summary(verdicts) + " Results in \(directory.path)/coordcheck.csv")
      if verdicts.contains(where: { $0.kind == .inconclusive }) {
        printError("Some intervals straddle the band ±\(band): add seeds (--seeds) or widen the range of sizes to decide.")
      }
    case .againstPreset:
      printOut(CoordCheckReport.table(results))
      let failures = results.filter { $0.verdict == .fail }
      let inconclusive = results.filter { $0.verdict == .inconclusive }
      printOut("\(results.filter { $0.verdict == .pass }.count) pass, \(failures.count) fail, \(inconclusive.count) inconclusive, "
        + "\(results.filter { $0.verdict == .noPrediction }.count) without prediction. Results in \(directory.path)/coordcheck.csv")
      if !inconclusive.isEmpty {
        printError("Some intervals are wider than ±\(maxInterval): add seeds (--seeds) or widen the range of sizes to decide.")
      }
    }
    if !CoordCheckReport.passes(results, check: check) { throw ExitCode(1) }
  }
}
