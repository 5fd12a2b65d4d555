import Foundation

/// Combines the cells of a sweep directory — written by one `featurespeed sweep` or by several
/// shards — into three tidy CSV files next to `sweep.json`:
/// - `sweep.csv`: `cell,<grid keys…>,step,layer,quantity,value`, every measurement of every cell;
/// - `sweep-metrics.csv`: `cell,<grid keys…>,step,split,loss,accuracy`;
/// - `cells.csv`: one row per cell with its status and final numbers.
/// Rows follow the grid order and each cell's file order, and wall-clock columns are left out, so
/// a sharded sweep merges into exactly the files of the same sweep run in one piece. Each file is
/// written atomically.
public enum SweepMerge {
  /// Header of `cells.csv` after the grid keys.
  static let cellColumns = ["status", "completed_steps", "final_train_loss", "test_loss", "test_accuracy", "diverged_at_step"]

  /// What a merge found.
  public struct Summary: Sendable, Equatable {
    public var cells: Int
    public var completed: Int
    public var diverged: Int
    public var pending: [String]
  }

  /// Merges the sweep in `directory`.
  /// - Parameter partial: merge even if some cells are not finished (they appear in `cells.csv`
  ///   with their status and contribute no rows).
  /// - Throws: `SweepError.notASweep`, `SweepError.pendingCells` (without `partial`), I/O errors.
  @discardableResult
  public static func merge(directory: URL, partial: Bool = false) throws -> Summary {
    let manifest = try SweepManifest.load(from: directory)
    let statuses = manifest.cells.map { SweepCellStatus.of(SweepRunner.cellDirectory($0.id, in: directory)) }
    let pending = zip(manifest.cells, statuses).filter { !$1.isFinished }.map(\.0.id)
    if !pending.isEmpty && !partial { throw SweepError.pendingCells(path: directory.path, ids: pending) }

    func line(_ fields: [String]) -> String { fields.joined(separator: ",") + "\n" }
    func prefix(_ cell: SweepCell) -> [String] { [CSVField.text(cell.id).encoded] + cell.values.map { CSVField.text($0.value).encoded } }
    let keys = manifest.keys.map { CSVField.text($0).encoded }

    try AtomicFile.write(to: directory.appendingPathComponent("sweep.csv")) { out in
      try out.write(Array(line(["cell"] + keys + ["step", "layer", "quantity", "value"]).utf8))
      for (cell, status) in zip(manifest.cells, statuses) where status.isFinished {
        let cellPrefix = prefix(cell).joined(separator: ",") + ","
        for fields in try dataRecords(SweepRunner.cellDirectory(cell.id, in: directory).appendingPathComponent("measurements.csv")) {
          // run,step,layer,quantity,value → drop the run (the cell id) and prepend the cell columns.
          guard fields.count == 5 else { continue }
          try out.write(Array((cellPrefix + fields.dropFirst().map { CSVField.text($0).encoded }.joined(separator: ",") + "\n").utf8))
        }
      }
    }
    try AtomicFile.write(to: directory.appendingPathComponent("sweep-metrics.csv")) { out in
      try out.write(Array(line(["cell"] + keys + ["step", "split", "loss", "accuracy"]).utf8))
      for (cell, status) in zip(manifest.cells, statuses) where status.isFinished {
        let cellPrefix = prefix(cell)
        for fields in try dataRecords(SweepRunner.cellDirectory(cell.id, in: directory).appendingPathComponent("metrics.csv")) {
          // run,step,split,loss,accuracy,seconds → step,split,loss,accuracy
          guard fields.count >= 5 else { continue }
          try out.write(Array(line(cellPrefix + fields[1...4].map { CSVField.text($0).encoded }).utf8))
        }
      }
    }
    var completed = 0, diverged = 0
    try AtomicFile.write(to: directory.appendingPathComponent("cells.csv")) { out in
      try out.write(Array(line(["index", "cell"] + keys + cellColumns).utf8))
      for (cell, status) in zip(manifest.cells, statuses) {
        var values: [CSVField] = [.text(status.rawValue), .empty, .empty, .empty, .empty, .empty]
        if status.isFinished,
          let config = try? JSONFile.read(RunConfiguration.self, from: SweepRunner.cellDirectory(cell.id, in: directory).appendingPathComponent("config.json")) {
          if status == .completed { completed += 1 } else { diverged += 1 }
          values = [
            .text(status.rawValue), .integer(config.completedSteps), CSVField(config.finalTrainLoss),
            CSVField(config.finalEvaluation?.loss), CSVField(config.finalEvaluation?.accuracy), CSVField(config.divergedAtStep),
          ]
        }
        try out.write(Array(line([String(cell.index)] + prefix(cell) + values.map(\.encoded)).utf8))
      }
    }
    return Summary(cells: manifest.cells.count, completed: completed, diverged: diverged, pending: pending)
  }

  /// The data lines (without header) of one of our CSV files.
  /// The records after the header, blank lines skipped.
  private static func dataRecords(_ url: URL) throws -> [[String]] {
    let text = try String(contentsOf: url, encoding: .utf8)
    return CSVRecords.parse(text).dropFirst().map(\.fields).filter { $0 != [""] }
  }
}
