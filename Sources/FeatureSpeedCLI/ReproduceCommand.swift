import ArgumentParser
import Foundation
import Training
import Experiments

extension ReproductionName: ExpressibleByArgument {}

/// `featurespeed reproduce NAME`: one published result, end to end.
public struct ReproduceCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "reproduce",
    abstract: "Reproduce a published result (theory §6): runs, CSV, figures, report.md and index.html.",
    discussion: """
      Names: fig2a (§6.1), fig2b (§6.2), fig2c (§6.3), fig3 (§6.4), fsf-training (§6.5), \
      spectral-width (§6.6), spectral-rank (§6.7), control-depth (§5.3: FSC-control against one \
      global learning rate in deep MLPs), mu-transfer (§6.8: the best learning rate across \
      widths, sp against mup), depth-transfer (§6.8 along depth: ResNets with β = 1/√L against \
      β = 1). \
      The default sizes finish in under 10 minutes on 2 cores; --quick runs a tiny version on \
      synthetic data in seconds (what the tests run): a check of the pipeline, which gives no \
      verdict on the claim. Resumable: rerunning reuses finished runs. \
      docs/reproductions.md compares the default results with the papers' claims.

      Examples:
        featurespeed reproduce spectral-width
        featurespeed reproduce fig3 --quick --output /tmp/fig3
      """)

  @Argument(help: "fig2a, fig2b, fig2c, fig3, fsf-training, spectral-width, spectral-rank, control-depth, mu-transfer or depth-transfer.")
  public var name: ReproductionName

  @Flag(help: "A tiny version on synthetic data: checks the pipeline, gives no verdict on the claim.")
  public var quick = false

  @Option(help: "Directory (default: runs/reproduce-<name>, or runs/reproduce-<name>-quick).")
  public var output: String?

  @Option(help: "Override the data (as for train); fig2a/b/c and fig3 ignore it (Gaussian inputs and targets).")
  public var data: String?

  public init() {}

  public func validate() throws {
    if let data { do { _ = try DataSource(parsing: data) } catch { throw ValidationError("\(error)") } }
  }

  public func run() throws {
    let reproduction = Reproduction(name, quick: quick, data: try data.map { try DataSource(parsing: $0) })
    let directory = URL(fileURLWithPath: output ?? "runs/reproduce-\(name.rawValue)\(quick ? "-quick" : "")")
    printOut("Reproducing \(reproduction.title) (\(reproduction.source)) in \(directory.path)")
    Interruption.install()
    let printer = SweepProgressPrinter(label: name.rawValue)
    let runner = SweepRunner(directory: directory, jobs: reproduction.jobs())
    defer { printer.finish() }
    _ = try runner.run(progress: { printer.show($0) }, shouldStop: { Interruption.isRequested })
    printer.finish()
    let result = try reproduction.analyze(directory: directory)
    var files = try ReproductionOutput.write(result, reproduction: reproduction, to: directory)
    if reproduction.isTransfer {
      // The full transfer report (optima, η* against width, verdict.json), as `featurespeed transfer` writes it.
      let (data, analysis) = try reproduction.transferCheck(directory: directory)
      let transfer = directory.appendingPathComponent("transfer")
      files += try (TransferFiles.write(data, analysis, to: transfer)
        + TransferReportOutput.write(data: data, analysis: analysis, to: transfer, title: name.rawValue)).map { "transfer/\($0)" }
    }
    printOut("Claim: \(reproduction.claim)")
    for finding in result.findings { printOut("Measured: \(finding)") }
    if let line = ReproductionOutput.verdict(result.agrees, quick: reproduction.quick) { printOut("→ " + line) }
    printOut("Files: " + files.map { directory.appendingPathComponent($0).path }.joined(separator: ", "))
  }
}
