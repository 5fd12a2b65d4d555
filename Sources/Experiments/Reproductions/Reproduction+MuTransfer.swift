import Foundation
import Training

/// The `mu-transfer` reproduction (theory §6.8; Tensor Programs V, "μTransfer"): an MLP on
/// Fashion-MNIST at several widths under `sp` and `mup`, trained by SGD over a grid of base
/// learning rates, and the transfer check of `TransferAnalysis` on the test loss at the end.
public enum MuTransfer {
  /// Widths of the default run (quick: two tiny ones).
  public static func widths(quick: Bool) -> [Int] { quick ? [16, 32] : [64, 128, 256] }
  /// Base learning rates, a factor √10 apart (quick: a factor 10).
  public static func learningRates(quick: Bool) -> [Double] { quick ? [0.01, 0.1, 1, 10] : [0.01, 0.03, 0.1, 0.3, 1] }
  /// The presets compared.
  public static let presets = ["sp", "mup"]
  /// Grid keys of the cells (the `TransferData` groups are by preset).
  static let keys = ["preset", "width", "learning-rate", "seed"]

  /// Sets up one cell: depth 3, batch 128, 100 SGD steps, test loss at the end, nothing else
  /// measured (quick: batch 32, 12 steps).
  static func configure(_ r: inout RunRequest, preset: String, width: Int, learningRate: Double, seed: UInt64, quick: Bool) {
    r.preset = preset
    r.width = width
    r.depth = 3
    r.learningRate = learningRate
    r.seed = seed
    r.batchSize = quick ? 32 : 128
    r.steps = quick ? 12 : 100
    r.measureEvery = 0
    r.evaluateEvery = 0
    r.measuresSpectra = false
  }
}

extension Reproduction {
  /// The transfer check (`TransferData`, `TransferAnalysis` with the default tolerance 0.2 and
  /// 3-point fits) of the `mu-transfer` cells in `directory`, on the test loss at the end.
  /// - Throws: `TransferError` (e.g. no finished cell).
  public func transferCheck(directory: URL) throws -> (TransferData, TransferAnalysis) {
    precondition(name == .muTransfer, "transferCheck is the analysis of mu-transfer, not \(name.rawValue)")
    let data = try TransferData.load(cells: jobs(), keys: MuTransfer.keys, directory: directory, axis: .width, metric: .testLoss)
    return (data, try TransferAnalysis.analyze(data))
  }

  /// The transfer check of the cells: `data.csv` holds every cell's test loss (`quantity = loss`,
  /// `inf` when diverged) and every curve's optimum (`quantity = learning_rate_opt`, bracketed
  /// only); `slopes.csv` the drift exponent per preset.
  func analyzeMuTransfer(directory: URL) throws -> ReproductionResult {
    let (data, analysis) = try transferCheck(directory: directory)
    var table = TidyTable(columns: ["preset", "width", "seed", "learning-rate", "log2_learning_rate", "diverged", "quantity", "value"])
    for p in data.points {
      table.rows.append([
        .text(p.preset), .integer(p.axisValue), .text(String(p.seed)), .double(p.learningRate), .double(Foundation.log2(p.learningRate)),
        CSVField(p.diverged), .text("loss"), .double(p.loss),
      ])
    }
    let presets = Dictionary(analysis.groups.map { ($0.group, $0.preset) }, uniquingKeysWith: { a, _ in a })
    for o in analysis.optima where o.optimum.isBracketed {
      table.rows.append([
        .text(presets[o.group] ?? o.group), .integer(o.axisValue), .text(String(o.seed)), .empty, .empty, .empty,
        .text("learning_rate_opt"), CSVField(o.optimum.learningRate),
      ])
    }
    var slopes = TidyTable(columns: ["preset", "slope", "lower", "upper", "seeds", "verdict"])
    var findings = [String]()
    let f = TransferAnalysis.format
    for group in analysis.groups {
      if let drift = group.drift {
        slopes.rows.append([.text(group.preset), .double(drift.slope), .double(drift.lower), .double(drift.upper), .integer(drift.slopes.count), .text(group.verdict.rawValue)])
      }
      let optima = group.axisOptima.map { o in "\(o.axisValue): \(o.learningRate.map(f) ?? "—")" }.joined(separator: ", ")
      findings.append("\(group.preset): η* (mean over seeds) per width \(optima); verdict \(group.verdict.rawValue) — \(group.reason)")
    }
    let verdicts = Dictionary(analysis.groups.map { ($0.preset, $0) }, uniquingKeysWith: { a, _ in a })
    // Agrees: mup transfers and sp drifts downwards. Disagrees as soon as one verdict contradicts
    // the claim (sp transfers, mup drifts, sp drifts upwards); otherwise no verdict.
    var agrees: Bool?
    if let mup = verdicts["mup"], let sp = verdicts["sp"] {
      let spDown = sp.verdict == .drifts && (sp.drift?.slope ?? 0) < 0
      if mup.verdict == .drifts || sp.verdict == .transfers || (sp.verdict == .drifts && !spDown) {
        agrees = false
      } else if mup.verdict == .transfers && spDown {
        agrees = true
      }
    }
    return ReproductionResult(data: table, slopes: slopes, findings: findings, agrees: agrees)
  }
}
