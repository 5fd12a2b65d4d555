import Foundation

/// The outputs of a coordinate check: `coordcheck.csv` (one row per axis, layer and quantity),
/// `coordcheck-layers.csv` (one verdict per axis and layer), `coordcheck.json` (settings and
/// layer verdicts) and plain-text tables.
public enum CoordCheckReport {
  /// Header of `coordcheck.csv`: the fit, the verdict against the preset's prediction, then the
  /// desideratum (`rule`, `band`), its `judgement` and the layer's verdict.
  public static let header = [
    "axis", "layer", "position", "quantity", "slope", "lower", "upper", "seeds", "predicted", "verdict",
    "rule", "band", "judgement", "layer_verdict",
  ]

  /// Header of `coordcheck-layers.csv`.
  public static let layerHeader = ["axis", "layer", "position", "verdict", "quantities", "text"]

  /// The settings and the layer verdicts, as written to `coordcheck.json`: the keys of
  /// `CoordCheck` plus `layers` and `passes`.
  struct Record: Encodable {
    var check: CoordCheck
    var layers: [CoordCheckLayerVerdict]
    var passes: Bool
    enum Keys: String, CodingKey { case layers, passes }
    func encode(to encoder: any Encoder) throws {
      try check.encode(to: encoder)
      var container = encoder.container(keyedBy: Keys.self)
      try container.encode(layers, forKey: .layers)
      try container.encode(passes, forKey: .passes)
    }
  }

  /// Writes `coordcheck.csv`, `coordcheck-layers.csv` and `coordcheck.json` into `directory`, atomically.
  public static func write(_ results: [CoordCheckResult], check: CoordCheck, to directory: URL) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let verdicts = CoordCheckLayerVerdict.verdicts(results)
    let byLayer = Dictionary(verdicts.map { ("\($0.axis.rawValue)/\($0.layer)", $0) }, uniquingKeysWith: { a, _ in a })
    var text = header.joined(separator: ",") + "\n"
    for r in results {
      let fields: [CSVField] = [
        .text(r.axis.rawValue), .text(r.layer), .text(r.position.rawValue), .text(r.quantity), CSVField(r.fit?.slope),
        CSVField(r.fit?.lower), CSVField(r.fit?.upper), CSVField(r.fit?.slopes.count), CSVField(r.predicted), .text(r.verdict.rawValue),
        CSVField(r.rule?.rawValue), r.rule == nil ? .empty : .double(check.band), CSVField(r.judgement?.rawValue),
        CSVField(byLayer["\(r.axis.rawValue)/\(r.layer)"]?.kind.rawValue),
      ]
      text += fields.map(\.encoded).joined(separator: ",") + "\n"
    }
    try AtomicFile.write(Array(text.utf8), to: directory.appendingPathComponent("coordcheck.csv"))
    var layers = layerHeader.joined(separator: ",") + "\n"
    for v in verdicts {
      let fields: [CSVField] = [
        .text(v.axis.rawValue), .text(v.layer), .text(v.position.rawValue), .text(v.kind.rawValue),
        .text(v.quantities.joined(separator: " ")), .text(v.text),
      ]
      layers += fields.map(\.encoded).joined(separator: ",") + "\n"
    }
    try AtomicFile.write(Array(layers.utf8), to: directory.appendingPathComponent("coordcheck-layers.csv"))
    try JSONFile.write(
      Record(check: check, layers: verdicts, passes: passes(results, check: check)), to: directory.appendingPathComponent("coordcheck.json"))
  }

  /// Whether the check passes in its mode: every layer `learns` (or is not judged) under the
  /// desiderata; every prediction passes (none fails or is inconclusive) against the preset.
  public static func passes(_ results: [CoordCheckResult], check: CoordCheck) -> Bool {
    switch check.mode {
    case .desiderata: !CoordCheckLayerVerdict.verdicts(results).contains { $0.isFailure }
    case .againstPreset: !results.contains { $0.verdict == .fail || $0.verdict == .inconclusive }
    }
  }

  /// A plain-text table, one row per axis, layer and quantity: slope with interval, then the
  /// desideratum and its judgement (`.desiderata`) or the prediction and its verdict (`.againstPreset`).
  public static func table(_ results: [CoordCheckResult], mode: CoordCheck.Mode = .againstPreset) -> String {
    let rows: [[String]] = results.map { r in
      let slope = r.fit.map { "\(format($0.slope)) [\(format($0.lower)), \(format($0.upper))]" } ?? "—"
      switch mode {
      case .againstPreset: return [r.axis.rawValue, r.layer, r.quantity, slope, r.predicted.map(format) ?? "—", r.verdict.rawValue]
      case .desiderata: return [r.axis.rawValue, r.layer, r.quantity, slope, r.rule?.rawValue ?? "—", r.judgement?.rawValue ?? "—"]
      }
    }
    let header = mode == .againstPreset
      ? ["axis", "layer", "quantity", "slope [95 % interval]", "predicted", "verdict"]
      : ["axis", "layer", "quantity", "slope [95 % interval]", "rule", "judgement"]
    return render(header: header, rows: rows)
  }

  /// A plain-text table of the layer verdicts: axis, layer, position, verdict in words.
  public static func layerTable(_ verdicts: [CoordCheckLayerVerdict]) -> String {
    render(header: ["axis", "layer", "position", "verdict"], rows: verdicts.map { [$0.axis.rawValue, $0.layer, $0.position.rawValue, $0.text] })
  }

  /// One line: how many layers learn, are lazy, unstable or inconclusive, and which fail.
  public static func summary(_ verdicts: [CoordCheckLayerVerdict]) -> String {
    func count(_ kind: CoordCheckLayerVerdict.Kind) -> Int { verdicts.filter { $0.kind == kind }.count }
    let failing = verdicts.filter(\.isFailure).map { "\($0.axis.rawValue) layer \($0.layer) (\($0.kind.rawValue))" }
    return "\(count(.learns)) learn, \(count(.lazy)) lazy, \(count(.unstable)) unstable, \(count(.inconclusive)) inconclusive"
      + (failing.isEmpty ? ": every layer learns." : ": fails at " + failing.joined(separator: ", ") + ".")
  }

  private static func format(_ x: Double) -> String { String(format: "%+.2f", x) }

  private static func render(header: [String], rows: [[String]]) -> String {
    let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }
    return ([line(header)] + rows.map(line)).joined(separator: "\n")
  }
}
