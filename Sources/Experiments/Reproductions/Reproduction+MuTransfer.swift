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

/// The `depth-transfer` reproduction (theory §6.8 along depth; depth-μP, Yang et al. 2023,
/// arXiv 2310.02244, and Bordelon et al. 2023): ResNets on Fashion-MNIST at several depths, the
/// depth-scaled `resnet-sqrt` (β = 1/√L with its rates) against β = 1 (the `mup` preset with
/// `--branch-scale 1`), over a grid of base learning rates, judged by `TransferAnalysis` along depth.
public enum DepthTransfer {
  /// Depths of the default run (quick: two small ones).
  public static func depths(quick: Bool) -> [Int] { quick ? [2, 4] : [4, 8, 16, 32, 64] }
  /// Base learning rates, a factor √10 apart from 0.001 (β = 1 needs small rates at depth) to 1
  /// (quick: a factor 10).
  public static func learningRates(quick: Bool) -> [Double] { quick ? [0.01, 0.1, 1, 10] : [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1] }
  /// The models compared: the depth-scaled ResNet and the unscaled one.
  public static let models = ["resnet-sqrt", "beta-1"]
  /// Grid keys of the cells (the `TransferData` groups are by model).
  static let keys = ["model", "depth", "learning-rate", "seed"]

  /// Sets up one cell: a ResNet of width 64 (quick: 16), batch 128, 100 SGD steps, test loss at
  /// the end, nothing else measured (quick: batch 32, 12 steps).
  static func configure(_ r: inout RunRequest, model: String, depth: Int, learningRate: Double, seed: UInt64, quick: Bool) {
    r.architecture = .resnet
    if model == "resnet-sqrt" {
      r.preset = "resnet-sqrt"
    } else {
      r.preset = "mup"
      r.branchScale = .constant(1)
    }
    r.width = quick ? 16 : 64
    r.depth = depth
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
    precondition(isTransfer, "transferCheck is the analysis of mu-transfer and depth-transfer, not \(name.rawValue)")
    let data = name == .muTransfer
      ? try TransferData.load(cells: jobs(), keys: MuTransfer.keys, directory: directory, axis: .width, metric: .testLoss)
      : try TransferData.load(cells: jobs(), keys: DepthTransfer.keys, directory: directory, axis: .depth, metric: .testLoss)
    return (data, try TransferAnalysis.analyze(data))
  }

  /// Whether this is one of the learning-rate transfer reproductions.
  public var isTransfer: Bool { name == .muTransfer || name == .depthTransfer }

  /// The transfer check of the cells: `data.csv` holds every cell's test loss (`quantity = loss`,
  /// `inf` when diverged) and every curve's optimum (`quantity = learning_rate_opt`, bracketed
  /// only); `slopes.csv` the drift exponent per preset.
  /// The transfer check of the cells of `mu-transfer` (groups: presets, along width) or
  /// `depth-transfer` (groups: models, along depth): `data.csv` holds every cell's test loss
  /// (`quantity = loss`, `inf` when diverged) and every curve's optimum (`quantity =
  /// learning_rate_opt`, bracketed only); `slopes.csv` the drift exponent per group.
  func analyzeTransfer(directory: URL) throws -> ReproductionResult {
    let (data, analysis) = try transferCheck(directory: directory)
    let depth = name == .depthTransfer
    let groupColumn = depth ? "model" : "preset", axisColumn = depth ? "depth" : "width"
    // The group's label: the model key along depth (both models use ResNet presets), the preset along width.
    let labels = Dictionary(analysis.groups.map { g in
      (g.group, depth ? String(g.group.split(separator: "=").last ?? Substring(g.group)) : g.preset)
    }, uniquingKeysWith: { a, _ in a })
    var table = TidyTable(columns: [groupColumn, axisColumn, "seed", "learning-rate", "log2_learning_rate", "diverged", "quantity", "value"])
    for p in data.points {
      table.rows.append([
        .text(labels[p.group] ?? p.preset), .integer(p.axisValue), .text(String(p.seed)), .double(p.learningRate),
        .double(Foundation.log2(p.learningRate)), CSVField(p.diverged), .text("loss"), .double(p.loss),
      ])
    }
    for o in analysis.optima where o.optimum.isBracketed {
      table.rows.append([
        .text(labels[o.group] ?? o.group), .integer(o.axisValue), .text(String(o.seed)), .empty, .empty, .empty,
        .text("learning_rate_opt"), CSVField(o.optimum.learningRate),
      ])
    }
    var slopes = TidyTable(columns: [groupColumn, "slope", "lower", "upper", "seeds", "verdict"])
    var findings = [String]()
    let f = TransferAnalysis.format
    var verdicts = [String: TransferAnalysis.GroupResult]()
    for group in analysis.groups {
      let label = labels[group.group] ?? group.preset
      verdicts[label] = group
      if let drift = group.drift {
        let half = group.driftHalfWidth ?? drift.halfWidth
        slopes.rows.append([
          .text(label), .double(drift.slope), .double(drift.slope - half), .double(drift.slope + half), .integer(drift.slopes.count),
          .text(group.verdict.rawValue),
        ])
      }
      let optima = group.axisOptima.map { o in "\(o.axisValue): \(o.learningRate.map(f) ?? "—")" }.joined(separator: ", ")
      findings.append("\(label): η* (mean over seeds) per \(axisColumn) \(optima); verdict \(group.verdict.rawValue) — \(group.reason)")
    }
    // Agrees: the scaled group transfers and the unscaled one drifts downwards. Disagrees as soon
    // as one verdict contradicts the claim (the unscaled transfers, the scaled drifts, the
    // unscaled drifts upwards); otherwise no verdict.
    let (scaled, unscaled) = depth ? ("resnet-sqrt", "beta-1") : ("mup", "sp")
    var agrees: Bool?
    if let good = verdicts[scaled], let plain = verdicts[unscaled] {
      let plainDown = plain.verdict == .drifts && (plain.drift?.slope ?? 0) < 0
      if good.verdict == .drifts || plain.verdict == .transfers || (plain.verdict == .drifts && !plainDown) {
        agrees = false
      } else if good.verdict == .transfers && plainDown {
        agrees = true
      }
    }
    return ReproductionResult(data: table, slopes: slopes, findings: findings, agrees: agrees)
  }
}
