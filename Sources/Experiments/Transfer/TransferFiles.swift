import Foundation

/// The tables of a transfer check (docs/transfer.md, "Files"), each written atomically:
/// - `transfer.csv`: one row per point, `group,preset,<axis>,seed,learning-rate,log2_learning_rate,loss,diverged,step,cell`
///   (`loss` is `inf` when diverged);
/// - `optima.csv`: one row per (group, axis value, seed) curve,
///   `group,preset,<axis>,seed,status,learning_rate_opt,loss_opt,grid_best,method,fit_points,suggested_rates`
///   (`suggested_rates` separated by `;`);
/// - `verdict.json`: the `TransferAnalysis`.
public enum TransferFiles {
  /// Header of `transfer.csv` for `axis`.
  public static func pointColumns(_ axis: TransferAxis) -> [String] {
    ["group", "preset", axis.key, "seed", "learning-rate", "log2_learning_rate", "loss", "diverged", "step", "cell"]
  }

  /// Header of `optima.csv` for `axis`.
  public static func optimumColumns(_ axis: TransferAxis) -> [String] {
    ["group", "preset", axis.key, "seed", "status", "learning_rate_opt", "loss_opt", "grid_best", "method", "fit_points", "suggested_rates"]
  }

  /// Writes the three files into `directory` (created if needed).
  /// - Returns: their names.
  /// - Throws: file-system errors.
  @discardableResult
  public static func write(_ data: TransferData, _ analysis: TransferAnalysis, to directory: URL) throws -> [String] {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var points = [pointColumns(data.axis).map { CSVField.text($0) }]
    for p in data.points {
      points.append([
        .text(p.group), .text(p.preset), .integer(p.axisValue), .text(String(p.seed)), .double(p.learningRate),
        .double(Foundation.log2(p.learningRate)), .double(p.loss), CSVField(p.diverged), .integer(p.step), .text(p.cell),
      ])
    }
    let presets = Dictionary(analysis.groups.map { ($0.group, $0.preset) }, uniquingKeysWith: { a, _ in a })
    var optima = [optimumColumns(data.axis).map { CSVField.text($0) }]
    for o in analysis.optima {
      optima.append([
        .text(o.group), .text(presets[o.group] ?? ""), .integer(o.axisValue), .text(String(o.seed)), .text(o.optimum.status.rawValue),
        CSVField(o.optimum.learningRate), CSVField(o.optimum.loss), CSVField(o.optimum.gridBest), .text(o.optimum.method.rawValue),
        .integer(o.optimum.fitPoints), .text(o.optimum.suggestedRates.map { CSVField.double($0).encoded }.joined(separator: ";")),
      ])
    }
    for (name, rows) in [("transfer.csv", points), ("optima.csv", optima)] {
      let bytes = rows.flatMap { CSVWriter.line($0) }
      try AtomicFile.write(bytes, to: directory.appendingPathComponent(name))
    }
    try JSONFile.write(analysis, to: directory.appendingPathComponent("verdict.json"))
    return ["transfer.csv", "optima.csv", "verdict.json"]
  }
}
