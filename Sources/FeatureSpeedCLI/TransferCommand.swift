import ArgumentParser
import Foundation
import Experiments

extension TransferAxis: ExpressibleByArgument {}
extension TransferMetric: ExpressibleByArgument {}

/// `featurespeed transfer SWEEP_DIR`: does the best learning rate transfer across widths (or
/// depths)? A measured verdict per group (docs/transfer.md).
public struct TransferCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "transfer",
    abstract: "Check learning-rate transfer in a sweep: optimum per width, drift exponent, verdict.",
    discussion: """
      Reads a sweep directory whose grid varies learning-rate (≥ 3 rates) and width (or depth). \
      For every group (each combination of the other grid keys, e.g. preset), every width and \
      seed, it takes the loss after T steps against the base rate (diverged runs count as +∞), \
      fits a parabola to log loss against log₂ η around the grid minimum to locate η*, averages \
      log₂ η* over seeds with a 95 % Student-t interval, and fits the drift exponent p of \
      η* ∝ width^p per seed (mean ± t·sd/√seeds). Verdict: transfers when the interval of p \
      lies within ±tolerance, drifts when it excludes 0, inconclusive otherwise (one seed, an \
      optimum at the edge of the grid — then it says which rates to add — or a noisy interval). \
      Writes transfer.csv, optima.csv, verdict.json, figures, report.md and index.html into \
      SWEEP_DIR/transfer/ (see docs/transfer.md).

      Examples:
        featurespeed sweep examples/lr-transfer.yaml
        featurespeed transfer runs/lr-transfer
        featurespeed transfer runs/lr-transfer --metric train-loss --at-step 200
        featurespeed transfer runs/lr-transfer --fail-on-drift
      """)

  @Argument(help: "The sweep directory (the `output` of the sweep's YAML file).")
  public var directory: String

  @Option(help: "The grid key the rate should transfer along: width or depth.")
  public var axis: TransferAxis = .width

  @Option(help: "The loss: train-loss or test-loss (default: test-loss when the cells were evaluated, else train-loss).")
  public var metric: TransferMetric?

  @Option(parsing: .unconditional, help: "Read the loss at step T (default: each cell's last row of the metric).")
  public var atStep: Int?

  @Option(parsing: .unconditional, help: "Verdict tolerance τ: transfers when the 95 % interval of p lies within ±τ.")
  public var tolerance: Double = 0.2

  @Option(parsing: .unconditional, help: "Points in each parabola fit: 3 (minimum and its neighbours) or 5.")
  public var fitPoints: Int = 3

  @Option(help: "Output directory (default: SWEEP_DIR/transfer).")
  public var output: String?

  @Flag(help: "Exit with status 1 when a group expected to transfer (mup, mf-mup, spectral, spectral-exact; depth: resnet-sqrt, resnet-inv) drifts.")
  public var failOnDrift = false

  @Flag(help: "With --fail-on-drift: fail when any group drifts, whatever its preset.")
  public var anyGroup = false

  public init() {}

  public func validate() throws {
    guard tolerance > 0, tolerance.isFinite else { throw ValidationError("--tolerance must be a positive number, got \(tolerance).") }
    guard fitPoints == 3 || fitPoints == 5 else { throw ValidationError("--fit-points must be 3 or 5, got \(fitPoints).") }
    if let atStep, atStep < 0 { throw ValidationError("--at-step must be a step ≥ 0, got \(atStep).") }
    if anyGroup && !failOnDrift { throw ValidationError("--any-group only applies with --fail-on-drift; add --fail-on-drift.") }
  }

  public func run() throws {
    let sweep = URL(fileURLWithPath: directory)
    let outputURL = output.map { URL(fileURLWithPath: $0) } ?? sweep.appendingPathComponent("transfer")
    let data: TransferData
    let analysis: TransferAnalysis
    do {
      data = try TransferData.load(directory: sweep, axis: axis, metric: metric, step: atStep)
      analysis = try TransferAnalysis.analyze(data, tolerance: tolerance, fitPoints: fitPoints)
    } catch let error as TransferError {
      printError("\(error)")
      throw ExitCode(1)
    }
    var files = try TransferFiles.write(data, analysis, to: outputURL)
    files += try TransferReportOutput.write(data: data, analysis: analysis, to: outputURL, title: sweep.lastPathComponent)

    let f = TransferAnalysis.format
    printOut("Transfer along \(axis.key) in \(sweep.path): \(data.metric.rawValue) at \(atStep.map { "step \($0)" } ?? "the last step"), "
      + "\(data.points.count) cells (\(data.points.filter(\.diverged).count) diverged)\(data.skipped.isEmpty ? "" : ", \(data.skipped.count) skipped (not finished or no row)").")
    let rows = analysis.groups.flatMap { group in
      group.axisOptima.map { o -> [String] in
        let rate = o.learningRate.map(f) ?? "—"
        let interval = o.bracketedSeeds >= 2 ? "[\(o.lower.map(f) ?? "?"), \(o.upper.map(f) ?? "?")]" : "—"
        return [group.group, String(o.axisValue), "\(o.bracketedSeeds)/\(o.seeds)", rate, interval]
      }
    }
    printOut(renderTextTable(header: ["group", axis.key, "bracketed", "η* (mean)", "95 % interval"], rows: rows))
    for group in analysis.groups {
      let verdict = group.verdict == .drifts ? "drifts like \(axis.key)^\(f(group.drift?.slope ?? .nan))" : group.verdict.rawValue
      printOut("\(group.group): \(verdict) — \(group.reason)")
    }
    printOut("Wrote \(outputURL.path): \(files.joined(separator: ", "))")

    if failOnDrift {
      let failing = analysis.groups.filter { $0.verdict == .drifts && (anyGroup || $0.expectedToTransfer) }
      if !failing.isEmpty {
        printError("--fail-on-drift: \(failing.map(\.group).joined(separator: "; ")) drift\(failing.count == 1 ? "s" : "").")
        throw ExitCode(1)
      }
    }
  }
}
