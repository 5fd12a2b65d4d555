import Foundation
import Networks
import Measurements

/// A tidy table written as CSV (`data.csv`, `slopes.csv` of a reproduction).
public struct TidyTable: Sendable {
  public var columns: [String]
  public var rows: [[CSVField]]

  public init(columns: [String], rows: [[CSVField]] = []) {
    self.columns = columns
    self.rows = rows
  }

  /// The CSV text (header and rows, our formatting).
  public var csv: String {
    ([columns.map { CSVField.text($0).encoded }] + rows.map { $0.map(\.encoded) }).map { $0.joined(separator: ",") + "\n" }.joined()
  }

  /// Writes the CSV atomically.
  public func write(to url: URL) throws { try AtomicFile.write(Array(csv.utf8), to: url) }
}

/// What a reproduction measured: the data, fitted slopes where the claim is about a power law,
/// and findings (sentences with the key numbers) to put next to the paper's claim.
public struct ReproductionResult: Sendable {
  public var data: TidyTable
  public var slopes: TidyTable?
  /// The numbers of the "Measured" table of docs/reproductions.md (`summary.csv`), for the
  /// reproductions whose claim is not a slope (those use `slopes`); see `MeasuredTable`.
  public var summary: TidyTable?
  public var findings: [String]
  /// Whether the measured numbers agree with the claim (nil when the claim has no numeric test).
  public var agrees: Bool?

  /// A result.
  public init(data: TidyTable, slopes: TidyTable?, summary: TidyTable? = nil, findings: [String], agrees: Bool?) {
    self.data = data
    self.slopes = slopes
    self.summary = summary
    self.findings = findings
    self.agrees = agrees
  }
}

extension Reproduction {
  /// Reads every finished cell of `directory` (as `SweepRunner` left them) and analyzes them.
  /// - Throws: `MeasurementsFileError` for unreadable cells.
  public func analyze(directory: URL) throws -> ReproductionResult {
    var cells = [(job: SweepCell, rows: [LayerMeasurement])]()
    for job in jobs() {
      let url = SweepRunner.cellDirectory(job.id, in: directory).appendingPathComponent("measurements.csv")
      guard FileManager.default.fileExists(atPath: url.path) else { continue }
      cells.append((job, try MeasurementsFile.read(url)))
    }
    switch name {
    case .spectralWidth: return analyzeSpectralWidth(cells)
    case .spectralRank: return analyzeSpectralRank(cells)
    case .fig3: return analyzeFig3(cells)
    case .fsfTraining: return try analyzeFSFTraining(cells, directory: directory)
    case .fig2a: return analyzeFig2a(cells)
    case .fig2b: return analyzeFig2b(cells)
    case .fig2c: return analyzeFig2c(cells)
    case .controlDepth: return try analyzeControlDepth(cells, directory: directory)
    case .muTransfer, .depthTransfer: return try analyzeTransfer(directory: directory)
    }
  }

  func value(_ job: SweepCell, _ key: String) -> String { job.values.first { $0.key == key }?.value ?? "" }

  /// A pivot summary (`MeasuredTable.pivotColumns`) of values over seeds, in the order of `entries`.
  func pivotSummary(_ entries: [(row: String, column: String, values: [Double])]) -> TidyTable {
    var table = TidyTable(columns: MeasuredTable.pivotColumns)
    for entry in entries {
      let values = entry.values.filter(\.isFinite)
      guard !values.isEmpty else { continue }
      table.rows.append([
        .text(entry.row), .text(entry.column), .double(values.reduce(0, +) / Double(values.count)),
        .double(values.min()!), .double(values.max()!), .integer(values.count),
      ])
    }
    return table
  }

  func format(_ fit: SlopeFit) -> String {
    String(format: "%+.2f [%+.2f, %+.2f]", fit.slope, fit.lower, fit.upper)
  }

  func slopeRows(
    groups: [String: [(x: Double, seed: String, y: Double)]], keyColumns: [String], split: (String) -> [String]
  ) -> (TidyTable, [String: SlopeFit]) {
    var table = TidyTable(columns: keyColumns + ["slope", "lower", "upper", "seeds"])
    var fits = [String: SlopeFit]()
    for key in groups.keys.sorted() {
      let points = groups[key]!
      let xs = Array(Set(points.map(\.x))).sorted()
      let seeds = Array(Set(points.map(\.seed))).sorted()
      let repetitions = seeds.map { s in xs.map { x in points.first { $0.x == x && $0.seed == s }?.y ?? .nan } }
      guard let fit = SlopeFit.fit(x: xs, repetitions: repetitions) else { continue }
      fits[key] = fit
      table.rows.append(split(key).map { .text($0) } + [.double(fit.slope), .double(fit.lower), .double(fit.upper), .integer(fit.slopes.count)])
    }
    return (table, fits)
  }

  // MARK: §6.6

  private func analyzeSpectralWidth(_ cells: [(job: SweepCell, rows: [LayerMeasurement])]) -> ReproductionResult {
    var data = TidyTable(columns: ["preset", "width", "seed", "layer", "quantity", "value"])
    var groups = [String: [(x: Double, seed: String, y: Double)]]()
    for (job, rows) in cells {
      guard let last = rows.map(\.step).max() else { continue }
      let preset = value(job, "preset"), width = Double(value(job, "width")) ?? 0, seed = value(job, "seed")
      for layer in Set(rows.compactMap(\.layer)).sorted() {
        func at(_ step: Int, _ q: Quantity) -> Double? { rows.first { $0.step == step && $0.layer == layer && $0.quantity == q.rawValue }?.value }
        var quantities = [(String, Double)]()
        if let change = at(last, .featureChangeRelative) { quantities.append(("feature_change_relative", change)) }
        if let change = at(last, .weightChangeSpectralNorm), let initial = at(0, .weightSpectralNorm) {
          quantities.append(("weight_change_relative", change / initial))
        }
        for (q, v) in quantities {
          data.rows.append([.text(preset), .double(width), .text(seed), .integer(layer), .text(q), .double(v)])
          groups["\(preset)|\(layer)|\(q)", default: []].append((width, seed, v))
        }
      }
    }
    let (slopes, fits) = slopeRows(groups: groups, keyColumns: ["preset", "layer", "quantity"]) { $0.split(separator: "|").map(String.init) }
    var findings = [String]()
    var agrees = true
    for q in ["feature_change_relative", "weight_change_relative"] {
      let parts = ["sp", "ntk", "mup", "spectral"].compactMap { preset in fits["\(preset)|2|\(q)"].map { "\(preset) \(format($0))" } }
      findings.append("Layer 2 (first hidden), \(q) ∝ width^p: " + parts.joined(separator: "; ") + ".")
      for preset in ["mup", "spectral"] { if let f = fits["\(preset)|2|\(q)"], abs(f.slope) > 0.15 { agrees = false } }
      if let f = fits["ntk|2|\(q)"], abs(f.slope + 0.5) > 0.2 { agrees = false }
    }
    return ReproductionResult(data: data, slopes: slopes, findings: findings, agrees: fits.isEmpty ? nil : agrees)
  }

  // MARK: §6.7

  private func analyzeSpectralRank(_ cells: [(job: SweepCell, rows: [LayerMeasurement])]) -> ReproductionResult {
    var data = TidyTable(columns: ["batch_size", "seed", "layer", "quantity", "value"])
    var summary = [String: [Double]]()
    for (job, rows) in cells {
      guard let last = rows.map(\.step).max() else { continue }
      let batch = Double(value(job, "batch-size")) ?? 0, seed = value(job, "seed")
      for layer in Set(rows.compactMap(\.layer)).sorted() {
        let oneStep = rows.filter { $0.layer == layer && $0.quantity == Quantity.updateStableRank.rawValue && $0.value.isFinite }.map(\.value)
        let accumulated = rows.first { $0.step == last && $0.layer == layer && $0.quantity == Quantity.weightChangeStableRank.rawValue }?.value
        if !oneStep.isEmpty {
          let mean = oneStep.reduce(0, +) / Double(oneStep.count)
          data.rows.append([.double(batch), .text(seed), .integer(layer), .text("update_stable_rank"), .double(mean)])
          if layer == 2 { summary["one-step|\(Int(batch))", default: []].append(mean) }
        }
        if let accumulated, accumulated.isFinite {
          data.rows.append([.double(batch), .text(seed), .integer(layer), .text("weight_change_stable_rank"), .double(accumulated)])
          if layer == 2 { summary["accumulated|\(Int(batch))", default: []].append(accumulated) }
        }
      }
    }
    let batches = Array(Set(summary.keys.compactMap { Int($0.split(separator: "|")[1]) })).sorted()
    func mean(_ k: String) -> Double? { summary[k].map { $0.reduce(0, +) / Double($0.count) } }
    let oneStep = batches.compactMap { b in mean("one-step|\(b)").map { String(format: "B=%d: %.2f", b, $0) } }
    let accumulated = batches.compactMap { b in mean("accumulated|\(b)").map { String(format: "B=%d: %.2f", b, $0) } }
    var agrees = true
    for b in batches { if let r = mean("one-step|\(b)"), r > Double(b) + 1e-6 { agrees = false } }
    let largest = batches.last.flatMap { mean("one-step|\($0)") }
    if let largest, let b = batches.last, largest > 0.25 * Double(b), b >= 16 { agrees = false }
    let table = pivotSummary(
      batches.map { ("layer 2: one-step update (mean over steps)", "B = \($0)", summary["one-step|\($0)"] ?? []) }
        + batches.map { ("layer 2: W − W⁰ at the end", "B = \($0)", summary["accumulated|\($0)"] ?? []) })
    return ReproductionResult(
      data: data, slopes: nil, summary: table,
      findings: [
        "Layer 2, stable rank of the one-step update (mean over measured steps): " + oneStep.joined(separator: "; ") + ".",
        "Layer 2, stable rank of the accumulated update W − W⁰ at the end: " + accumulated.joined(separator: "; ") + ".",
      ], agrees: batches.isEmpty ? nil : agrees)
  }

  // MARK: §6.4

  private func analyzeFig3(_ cells: [(job: SweepCell, rows: [LayerMeasurement])]) -> ReproductionResult {
    var data = TidyTable(columns: ["preset", "architecture", "depth", "seed", "layer", "value"])
    var groups = [String: [(x: Double, seed: String, y: Double)]]()
    for (job, rows) in cells {
      let preset = value(job, "preset"), depth = Int(value(job, "depth")) ?? 0, seed = value(job, "seed")
      let layer = job.request.architecture == .mlp ? depth - 1 : depth  // the last hidden feature
      guard let v = rows.first(where: { $0.step == 0 && $0.layer == layer && $0.quantity == Quantity.featureSpeedPerLossDecay.rawValue })?.value
      else { continue }
      data.rows.append([.text(preset), .text(job.request.architecture.rawValue), .integer(depth), .text(seed), .integer(layer), .double(v)])
      groups[preset, default: []].append((Double(depth), seed, v))
    }
    let (slopes, fits) = slopeRows(groups: groups, keyColumns: ["preset"]) { [$0] }
    let parts = ["ntk", "mf-mup", "fsc", "resnet-sqrt", "resnet-inv"].compactMap { p in fits[p].map { "\(p) \(format($0))" } }
    var agrees: Bool? = nil
    if let fsc = fits["fsc"], let mf = fits["mf-mup"] { agrees = abs(fsc.slope) <= 0.2 && abs(mf.slope - 0.5) <= 0.2 }
    return ReproductionResult(
      data: data, slopes: slopes,
      findings: ["Feature speed per unit loss decay at the last hidden layer ∝ depth^p: " + parts.joined(separator: "; ") + "."],
      agrees: agrees)
  }

  // MARK: §6.5

  private func analyzeFSFTraining(_ cells: [(job: SweepCell, rows: [LayerMeasurement])], directory: URL) throws -> ReproductionResult {
    var data = TidyTable(columns: ["dtype", "step", "layer", "quantity", "value"])
    var findings = [String]()
    var entries = [(row: String, column: String, values: [Double])]()
    var agrees = true
    let kept: Set<String> = [Quantity.fsfResidual.rawValue, Quantity.bfaCos.rawValue, Quantity.featureUpdateRMS.rawValue,
                             Quantity.contributionShare.rawValue, Quantity.actualBFACos.rawValue]
    for (job, rows) in cells {
      let dtype = value(job, "dtype")
      for row in rows where row.layer != nil && kept.contains(row.quantity) {
        data.rows.append([.text(dtype), .integer(row.step), .integer(row.layer!), .text(row.quantity), .double(row.value)])
      }
      let residuals = rows.filter { $0.quantity == Quantity.fsfResidual.rawValue }.map(\.value)
      let worst = residuals.max() ?? .nan
      let cosines = rows.filter { $0.quantity == Quantity.bfaCos.rawValue }.map(\.value)
      findings.append(String(
        format: "%@: largest FSF residual over %d layer-steps %.1e; BFA cosine between %.3f and %.3f.",
        dtype, residuals.count, worst, cosines.min() ?? .nan, cosines.max() ?? .nan))
      let limit = dtype == DType.float64.rawValue ? 1e-10 : 1e-3
      if !(worst <= limit) { agrees = false }
      let final = (try? JSONFile.read(RunConfiguration.self, from: SweepRunner.cellDirectory(job.id, in: directory).appendingPathComponent("config.json")))?
        .finalEvaluation?.accuracy
      entries += [
        (dtype, "largest FSF residual", [worst]), (dtype, "BFA cos min", [cosines.min() ?? .nan]),
        (dtype, "BFA cos max", [cosines.max() ?? .nan]), (dtype, "test accuracy", [final ?? .nan]),
      ]
      // The loss curve, from metrics.csv, as rows of layer-less "loss" quantity.
      let metrics = SweepRunner.cellDirectory(job.id, in: directory).appendingPathComponent("metrics.csv")
      if let text = try? String(contentsOf: metrics, encoding: .utf8) {
        for record in CSVRecords.parse(text).dropFirst() {
          let f = record.fields
          guard f.count >= 5, f[2] == "train", let step = Int(f[1]), let loss = Double(f[3]) else { continue }
          data.rows.append([.text(dtype), .integer(step), .empty, .text("train_loss"), .double(loss)])
        }
      }
    }
    return ReproductionResult(data: data, slopes: nil, summary: pivotSummary(entries), findings: findings, agrees: cells.isEmpty ? nil : agrees)
  }
}
