import ArgumentParser
import Foundation
import Experiments

/// `featurespeed sweep CONFIG`: a grid of runs, resumable, shardable.
public struct SweepCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Run a grid of training runs from a YAML file, resumably (see docs/sweeps.md).",
    discussion: """
      Every cell is a run directory under <output>/cells/<cell id>/. Cells already finished with the \
      same settings (completed or diverged) are never redone, so after any interruption — Ctrl-C, \
      a killed job, a node failure — running the same command again continues where it stopped. \
      With --shard i/n only a deterministic subset of the cells runs (Slurm job arrays, Kubernetes \
      indexed jobs); `featurespeed merge DIR` then combines the shards. Without --shard the sweep \
      merges itself at the end into sweep.csv, sweep-metrics.csv and cells.csv, and writes figures, \
      report.md and index.html.

      Small cells run in parallel with one BLAS thread each, large ones one at a time with all \
      cores, so BLAS threads are never oversubscribed (--jobs overrides).

      Examples:
        featurespeed sweep examples/width-sp-mup.yaml
        featurespeed sweep sweep.yaml --shard ${SLURM_ARRAY_TASK_ID}/4
      """)

  @Argument(help: "The sweep's YAML file.")
  public var config: String

  @Option(help: "Run only shard i of n (0-based), e.g. 0/4.")
  public var shard: String?

  @Option(parsing: .unconditional, help: "Cells run in parallel (default: chosen from the cell size and the cores).")
  public var jobs: Int?

  @Flag(help: "List the cells (and their shard) without running them.")
  public var dryRun = false

  public init() {}

  public func validate() throws {
    if let shard { do { _ = try SweepShard(parsing: shard) } catch { throw ValidationError("\(error)") } }
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be a positive integer, got \(jobs).") }
  }

  public func run() throws {
    let sweep = try SweepConfig.load(from: URL(fileURLWithPath: config))
    let shard = try shard.map { try SweepShard(parsing: $0) } ?? .whole
    let cells = sweep.cells(in: shard)
    let directory = URL(fileURLWithPath: sweep.output)
    if dryRun {
      for cell in sweep.cells {
        let mark = shard.contains(cell) ? "*" : " "
        printOut("\(mark) \(cell.index)\t\(cell.id)")
      }
      printOut("\(sweep.cells.count) cells; \(cells.count) in shard \(shard) (marked *); output \(directory.path)")
      return
    }
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try JSONFile.write(
      SweepManifest(name: sweep.name, keys: sweep.axes.flatMap(\.keys), cells: sweep.cells), to: SweepManifest.url(in: directory))
    try AtomicFile.write(Array(sweep.source.utf8), to: directory.appendingPathComponent("sweep.yaml"))

    Interruption.install()
    let runner = SweepRunner(directory: directory, jobs: cells, parallelism: jobs)
    printOut("Sweep \(sweep.name): \(cells.count) of \(sweep.cells.count) cells\(shard == .whole ? "" : " (shard \(shard))") → \(directory.path); "
      + "\(runner.parallelism) at a time with \(runner.threadsPerCell) BLAS thread\(runner.threadsPerCell == 1 ? "" : "s") each")
    let printer = SweepProgressPrinter(label: sweep.name)
    let progress: SweepProgress
    do {
      progress = try runner.run(progress: { printer.show($0) }, shouldStop: { Interruption.isRequested })
      printer.finish()
    } catch let error as SweepError {
      printer.finish()
      printError("\(error)")
      if case .interrupted = error { throw ExitCode(130) }
      throw ExitCode(1)
    }
    printOut("\(progress.done) cells run (\(progress.diverged) diverged), \(progress.skipped) already finished.")
    if shard == .whole {
      let summary = try SweepMerge.merge(directory: directory)
      printOut("Merged \(summary.completed) completed and \(summary.diverged) diverged cells into "
        + "\(directory.appendingPathComponent("sweep.csv").path), sweep-metrics.csv and cells.csv.")
      let files = try SweepReportOutput.write(directory: directory, title: sweep.name)
      printOut("Report: \(directory.appendingPathComponent("index.html").path) (\(files.joined(separator: ", ")))")
    } else {
      printOut("Shard \(shard) done. When every shard is, run: featurespeed merge \(directory.path)")
    }
  }
}

/// `featurespeed merge DIR`: combine the cells of a (sharded) sweep.
public struct MergeCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Combine the cells of a sweep (all shards) into sweep.csv, sweep-metrics.csv and cells.csv, with figures and a report.")

  @Argument(help: "The sweep directory (the `output` of the config).")
  public var directory: String

  @Flag(help: "Merge even if some cells are not finished (they are listed in cells.csv).")
  public var partial = false

  public init() {}

  public func run() throws {
    let url = URL(fileURLWithPath: directory)
    do {
      let summary = try SweepMerge.merge(directory: url, partial: partial)
      printOut("\(summary.cells) cells: \(summary.completed) completed, \(summary.diverged) diverged, \(summary.pending.count) not finished. "
        + "Wrote \(url.appendingPathComponent("sweep.csv").path), sweep-metrics.csv, cells.csv.")
      let files = try SweepReportOutput.write(directory: url, title: url.lastPathComponent)
      printOut("Report: \(url.appendingPathComponent("index.html").path) (\(files.joined(separator: ", ")))")
    } catch let error as SweepError {
      printError("\(error)")
      throw ExitCode(1)
    }
  }
}
