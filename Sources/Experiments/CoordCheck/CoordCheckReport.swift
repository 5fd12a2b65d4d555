import Foundation

/// The outputs of a coordinate check: `coordcheck.csv` (one row per axis, layer and quantity) and
/// a plain-text table.
public enum CoordCheckReport {
  /// Header of `coordcheck.csv`.
  public static let header = ["axis", "layer", "position", "quantity", "slope", "lower", "upper", "seeds", "predicted", "verdict"]

  /// Writes `coordcheck.csv` and `coordcheck.json` (the check's settings) into `directory`, atomically.
  public static func write(_ results: [CoordCheckResult], check: CoordCheck, to directory: URL) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var text = header.joined(separator: ",") + "\n"
    for r in results {
      let fields: [CSVField] = [
        .text(r.axis.rawValue), .text(r.layer), .text(r.position.rawValue), .text(r.quantity), CSVField(r.fit?.slope),
        CSVField(r.fit?.lower), CSVField(r.fit?.upper), CSVField(r.fit?.slopes.count), CSVField(r.predicted), .text(r.verdict.rawValue),
      ]
      text += fields.map(\.encoded).joined(separator: ",") + "\n"
    }
    try AtomicFile.write(Array(text.utf8), to: directory.appendingPathComponent("coordcheck.csv"))
    try JSONFile.write(check, to: directory.appendingPathComponent("coordcheck.json"))
  }

  /// A plain-text table: axis, layer, quantity, slope with interval, prediction, verdict.
  public static func table(_ results: [CoordCheckResult]) -> String {
    func format(_ x: Double) -> String { String(format: "%+.2f", x) }
    let rows: [[String]] = results.map { r in
      [
        r.axis.rawValue, r.layer, r.quantity,
        r.fit.map { "\(format($0.slope)) [\(format($0.lower)), \(format($0.upper))]" } ?? "—",
        r.predicted.map(format) ?? "—", r.verdict.rawValue,
      ]
    }
    let header = ["axis", "layer", "quantity", "slope [95 % interval]", "predicted", "verdict"]
    let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }
    return ([line(header)] + rows.map(line)).joined(separator: "\n")
  }
}
