import Foundation
import Experiments
import Plots

/// Writes a reproduction's files: `data.csv`, `slopes.csv`, its figures (SVG, drawn from
/// `data.csv` only), `report.md` and `index.html` with the claim next to the measured numbers.
enum ReproductionOutput {
  /// The figures of each reproduction, as specs over its `data.csv`.
  static func figures(_ name: ReproductionName) -> [(file: String, caption: String, spec: PlotSpec)] {
    switch name {
    case .spectralWidth:
      return [
        ("feature-change.svg", "Relative feature change ‖F − F⁰‖/‖F⁰‖ after training, against width, per layer; mean and min–max over seeds.",
         PlotSpec(x: "width", y: "value", series: ["preset"], over: "seed", facet: "layer", filters: [RowFilter("quantity", equals: "feature_change_relative")],
                  xScale: .log, yScale: .log, title: "Relative feature change vs width", yLabel: "‖F − F⁰‖/‖F⁰‖")),
        ("weight-change.svg", "Relative spectral weight change ‖W − W⁰‖_*/‖W⁰‖_* after training, against width, per layer.",
         PlotSpec(x: "width", y: "value", series: ["preset"], over: "seed", facet: "layer", filters: [RowFilter("quantity", equals: "weight_change_relative")],
                  xScale: .log, yScale: .log, title: "Relative spectral weight change vs width", yLabel: "‖W − W⁰‖_* / ‖W⁰‖_*")),
      ]
    case .spectralRank:
      return [
        ("stable-rank.svg", "Stable rank ‖A‖²/‖A‖_*² of the one-step update (mean over measured steps) and of the accumulated update W − W⁰, against batch size, per layer.",
         PlotSpec(x: "batch_size", y: "value", series: ["quantity"], over: "seed", facet: "layer", xScale: .log, yScale: .log,
                  title: "Stable rank of updates vs batch size", yLabel: "stable rank")),
      ]
    case .fig3:
      return [
        ("fig3.svg", "Feature speed per unit loss decay rms(δF_ℓ)/(−δℒ) at the last hidden layer at the first step, against depth; mean and min–max over seeds.",
         PlotSpec(x: "depth", y: "value", series: ["preset"], over: "seed", xScale: .log, yScale: .log,
                  title: "Feature speed per unit loss decay at ℓ = L−1 vs depth", yLabel: "rms(δF_{L−1}) / (−δℒ)")),
      ]
    case .fig2a:
      return [
        ("bfa-sqrt-layer.svg", "cos θ_ℓ·√ℓ against the layer ℓ for the He-initialized ReLU MLP at initialization, per batch size; mean and min–max over seeds. Theory §4 predicts ≈ 1.22 for n = 1 at large depth.",
         PlotSpec(x: "layer", y: "value", series: ["batch_size"], over: "seed",
                  filters: [RowFilter("quantity", equals: "bfa_cos_sqrt_layer"), RowFilter("architecture", equals: "mlp")],
                  xScale: .log, title: "cos θ_ℓ · √ℓ vs layer (ReLU MLP, He init)", xLabel: "layer ℓ", yLabel: "cos θ_ℓ · √ℓ")),
        ("bfa-layer.svg", "Backward–feature angle cosine cos θ_ℓ at initialization against the layer, MLP and ResNet (β = 1/√L), per batch size; mean and min–max over seeds.",
         PlotSpec(x: "layer", y: "value", series: ["architecture", "batch_size"], over: "seed", filters: [RowFilter("quantity", equals: "bfa_cos")],
                  xScale: .log, yScale: .log, title: "cos θ_ℓ at initialization vs layer", xLabel: "layer ℓ", yLabel: "cos θ_ℓ")),
      ]
    case .fig2b:
      return [
        ("output-bfa-depth.svg", "Backward–feature angle cosine at initialization of the last feature before the readout (ResNet: residual stream after block L; MLP: layer L − 1) against depth L; mean and min–max over seeds.",
         PlotSpec(x: "depth", y: "value", series: ["model"], over: "seed", xScale: .log, yScale: .log,
                  title: "cos θ of the last feature at initialization vs depth", xLabel: "depth L", yLabel: "cos θ (last feature)")),
      ]
    case .fig2c:
      return [
        ("output-bfa-beta.svg", "Backward–feature angle cosine at initialization of the last residual-stream feature against β̃ = √L·β, per depth; mean and min–max over seeds.",
         PlotSpec(x: "beta_tilde", y: "value", series: ["depth"], over: "seed", xScale: .log,
                  title: "cos θ of the last feature at initialization vs √L·β", xLabel: "β̃ = √L·β", yLabel: "cos θ (last feature)")),
      ]
    case .controlDepth:
      return [
        ("accuracy-depth.svg", "Test accuracy after training against depth, per method; mean and min–max over seeds (a diverged run counts as chance level, 10 %).",
         PlotSpec(x: "depth", y: "value", series: ["method"], over: "seed", filters: [RowFilter("quantity", equals: "final_test_accuracy")],
                  xScale: .log, title: "Test accuracy vs depth (Fashion-MNIST, ReLU MLP, sp init)", xLabel: "depth L", yLabel: "test accuracy")),
        ("loss-curves.svg", "Training loss (batch, before each update) per step, one panel per depth.",
         PlotSpec(x: "step", y: "value", series: ["method"], over: "seed", facet: "depth", filters: [RowFilter("quantity", equals: "train_loss")],
                  yScale: .log, title: "Training loss", yLabel: "batch loss")),
        ("contributions.svg", "Share c_k of the first-order loss decay contributed by each layer k at the first step, per method, one panel per depth.",
         PlotSpec(x: "layer", y: "value", series: ["method"], over: "seed", facet: "depth", filters: [RowFilter("quantity", equals: "contribution_share_step0")],
                  yScale: .log, title: "Contribution shares c_k at step 0", xLabel: "layer k", yLabel: "c_k")),
      ]
    case .fsfTraining:
      return [
        ("fsf-residual.svg", "Relative residual of the feature speed formula at every measured step and layer, float32 and float64.",
         PlotSpec(x: "step", y: "value", series: ["layer"], facet: "dtype", filters: [RowFilter("quantity", equals: "fsf_residual")],
                  yScale: .log, band: .none, title: "Feature speed formula residual during training", yLabel: "fsf_residual")),
        ("bfa.svg", "Backward–feature angle cosine cos θ_ℓ per layer during training.",
         PlotSpec(x: "step", y: "value", series: ["layer"], facet: "dtype", filters: [RowFilter("quantity", equals: "bfa_cos")],
                  band: .none, title: "Backward–feature angle during training", yLabel: "bfa_cos")),
        ("loss.svg", "Training loss (batch, before each update).",
         PlotSpec(x: "step", y: "value", series: ["dtype"], filters: [RowFilter("quantity", equals: "train_loss")],
                  band: .none, title: "Training loss", yLabel: "loss")),
      ]
    case .depthTransfer:
      return [
        ("transfer-loss.svg", "Test loss after training against log₂ η, one curve per depth (geometric mean over seeds, min–max band), one panel per model; diverged runs are not drawn (loss inf in data.csv). The fitted optima, η* against depth and the verdict are in transfer/ (see docs/transfer.md).",
         PlotSpec(x: "log2_learning_rate", y: "value", series: ["depth"], over: "seed", facet: "model",
                  filters: [RowFilter("quantity", equals: "loss"), RowFilter("diverged", equals: "false")], yScale: .log,
                  title: "Test loss vs log₂ η, by depth", xLabel: "log₂ η (base learning rate)", yLabel: "test loss")),
      ]
    case .muTransfer:
      return [
        ("transfer-loss.svg", "Test loss after training against log₂ η, one curve per width (geometric mean over seeds, min–max band), one panel per preset; diverged runs are not drawn (loss inf in data.csv). Under μP the minima line up; under sp they move. The fitted optima, η* against width and the verdict are in transfer/ (see docs/transfer.md).",
         PlotSpec(x: "log2_learning_rate", y: "value", series: ["width"], over: "seed", facet: "preset",
                  filters: [RowFilter("quantity", equals: "loss"), RowFilter("diverged", equals: "false")], yScale: .log,
                  title: "Test loss vs log₂ η, by width", xLabel: "log₂ η (base learning rate)", yLabel: "test loss")),
      ]
    }
  }

  /// A field as shown in the report: numbers with three decimals and a sign (slopes and bounds),
  /// everything else as in the CSV file (which keeps full precision).
  static func displayed(_ field: CSVField) -> String {
    if case .double(let value) = field { return value.isFinite ? String(format: "%+.3f", value) : "—" }
    return field.encoded
  }

  /// The verdict sentence on the claim, or `nil` when the claim has no numeric test. A quick run's
  /// tiny sizes say nothing about the paper: it states that instead of a verdict.
  static func verdict(_ agrees: Bool?, quick: Bool) -> String? {
    guard let agrees else { return nil }
    if quick { return "none in quick mode, which checks the pipeline on tiny sizes, not the claim (run without --quick for a verdict)." }
    return agrees ? "the measurements agree with the claim." : "the measurements do not agree with the claim (see report.md)."
  }

  /// What a figure shows, in numbers computed from the rows it plots, or `nil`.
  ///
  /// `contributions.svg` of `control-depth`: FSC-control targets a feature speed, not equal
  /// shares, so the caption says that and gives, per depth, its largest share and the layer
  /// holding it, next to the range of shares under one global rate.
  static func dataSentence(_ file: String, reproduction: ReproductionName, table: CSVTable) throws -> String? {
    guard reproduction == .controlDepth, file == "contributions.svg" else { return nil }
    let rows = try table.filtered([RowFilter("quantity", equals: "contribution_share_step0")])
    guard rows.rowCount > 0 else { return nil }
    let methods = try rows.strings("method"), depths = try rows.strings("depth"), layers = try rows.strings("layer")
    let values = try rows.doubles("value")
    func percent(_ v: Double) -> String { String(format: v >= 0.1 ? "%.0f %%" : "%.2g %%", 100 * v) }
    var largest = [String]()
    for depth in try rows.distinctValues("depth") {
      let shares = (0..<rows.rowCount).filter { methods[$0] == ControlDepth.Method.fscControl.rawValue && depths[$0] == depth }
        .compactMap { i in values[i].map { (layers[i], $0) } }.filter { $0.1.isFinite }
      guard let top = shares.max(by: { $0.1 < $1.1 }) else { continue }
      largest.append("\(percent(top.1)) (layer \(top.0)) at depth \(depth)")
    }
    let global = (0..<rows.rowCount).filter { methods[$0] == ControlDepth.Method.spGlobal.rawValue }
      .compactMap { values[$0] }.filter { $0.isFinite }
    var sentence = "FSC-control here targets an equal feature speed rms(δF_ℓ)/rms(F_ℓ) in every layer, not equal shares"
    if !largest.isEmpty { sentence += "; its largest share is " + largest.joined(separator: ", ") }
    if let low = global.min(), let high = global.max() {
      sentence += "; under sp-global the shares range from \(percent(low)) to \(percent(high))"
    }
    return sentence + "."
  }

  /// Where the numbers come from, in one line: version, date, CPU, BLAS core and threads, runs
  /// and their summed compute time (from the cells' `config.json`).
  static func provenance(of reproduction: Reproduction, in directory: URL) -> String {
    let configs = reproduction.jobs().compactMap { job in
      try? JSONFile.read(RunConfiguration.self, from: SweepRunner.cellDirectory(job.id, in: directory).appendingPathComponent("config.json"))
    }
    let seconds = configs.compactMap(\.elapsedSeconds).reduce(0, +)
    let date = ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withFullDate])
    var parts = ["FeatureSpeed \(featureSpeedVersion)", date]
    if let blas = configs.first?.blas {
      parts.append(blas.cpu)
      parts.append("\(blas.library)\(blas.core.map { " core \($0)" } ?? "")")
    }
    if let threads = configs.first?.threads { parts.append("\(threads) thread\(threads == 1 ? "" : "s") per run") }
    parts.append("\(configs.count) runs, \(formatDuration(seconds)) of training")
    return parts.joined(separator: "; ")
  }

  /// - Returns: the names of the files written.
  static func write(_ result: ReproductionResult, reproduction: Reproduction, to directory: URL) throws -> [String] {
    var files = ["data.csv"]
    let dataURL = directory.appendingPathComponent("data.csv")
    try result.data.write(to: dataURL)
    if let slopes = result.slopes {
      try slopes.write(to: directory.appendingPathComponent("slopes.csv"))
      files.append("slopes.csv")
    }
    if let summary = result.summary {
      try summary.write(to: directory.appendingPathComponent("summary.csv"))
      files.append("summary.csv")
    }
    if let source = MeasuredTable.sourceFile(for: reproduction.name), let table = source == "summary.csv" ? result.summary : result.slopes {
      let markdown = try MeasuredTable.markdown(reproduction.name, header: table.columns, rows: table.rows.map { $0.map(\.encoded) })
      let block = MeasuredTable.block(
        reproduction.name, quick: reproduction.quick, provenance: provenance(of: reproduction, in: directory), table: markdown,
        findings: result.findings, verdict: reproduction.quick ? nil : result.agrees.map { $0 ? "agrees." : "does not agree." })
      try AtomicFile.write(Array(block.utf8), to: directory.appendingPathComponent("measured.md"))
      files.append("measured.md")
    }
    let table = try CSVTable(contentsOf: dataURL)
    var report = Report(title: "\(reproduction.name.rawValue): \(reproduction.title)")
    report.add(.paragraph("Source: \(reproduction.source). Command: `featurespeed reproduce \(reproduction.name.rawValue)\(reproduction.quick ? " --quick" : "")` (data: `\(reproduction.data)`)."
      + (reproduction.quick ? " Quick mode: tiny sizes on synthetic data, a check of the pipeline, not of the claim." : "")))
    report.add(.heading("Claim"))
    report.add(.paragraph(reproduction.claim))
    report.add(.heading("Measured"))
    for finding in result.findings { report.add(.paragraph(finding)) }
    if let line = verdict(result.agrees, quick: reproduction.quick) { report.add(.paragraph("Verdict: " + line)) }
    if let slopes = result.slopes {
      report.add(.table(ReportTable(
        caption: "Fitted exponents (log–log least squares per seed; mean and 95 % interval over seeds) — slopes.csv",
        header: slopes.columns, rows: slopes.rows.map { $0.map(displayed) })))
    }
    report.add(.heading("Figures"))
    for figure in figures(reproduction.name) {
      let drawn = try figure.spec.makeFigure(from: table)
      let caption = figure.caption + (try dataSentence(figure.file, reproduction: reproduction.name, table: table).map { " " + $0 } ?? "")
      report.add(.figure(ReportFigure(fileName: figure.file, caption: caption, figure: drawn)))
      files.append(figure.file)
    }
    try report.write(to: directory)
    return files + ["report.md", "index.html"]
  }
}
