import Foundation
import Measurements
import Scalings
import Training
import Experiments

/// Shows a run on the terminal: the resolved configuration at start, one progress line (step,
/// loss, steps/s, ETA) on standard error, a compact per-layer table at measured steps on standard
/// output, test evaluations, and where the results are.
///
/// Deep networks get compact tables unless `showsAllLayers`: the scaling table merges identical
/// consecutive layers into one line (`2–31`), and a measured step shows the first and last
/// `ConsoleReporter.edgeRows` layers and one line summarizing the range of the others.
struct ConsoleReporter: RunReporter {
  let showsTables: Bool
  let showsAllLayers: Bool
  /// Layers shown at each end of a compact measurement table.
  static let edgeRows = 3
  private var lastProgressTime = -Double.infinity
  private var progressLineOpen = false
  private let isTerminal = standardErrorIsTerminal

  init(showsTables: Bool, showsAllLayers: Bool = false) {
    self.showsTables = showsTables
    self.showsAllLayers = showsAllLayers
  }

  mutating func runStarted(_ c: RunConfiguration, directory: URL) {
    var lines = [
      "Run \(c.run) → \(directory.path)",
      "  \(c.architecture.kind.rawValue), width \(c.architecture.width), depth \(c.architecture.depth), "
        + "\(c.architecture.activation.rawValue)\(c.architecture.hasBias ? ", biases" : "")"
        + (c.architecture.kind == .resnet ? ", β = \(formatNumber(c.architecture.branchScale))\(c.branchScaleRule.map { " (\($0))" } ?? "")" : "")
        + ", \(c.parameterCount) parameters, \(c.dtype.rawValue)",
      "  preset \(c.preset)\(c.presetIsReconstruction ? " (reconstruction)" : "")"
        + (c.request.baseWidth.map { " relative to base width \($0) (= sp there)" } ?? "")
        + (c.request.zeroReadout ? ", zero-initialized readout" : "")
        + ", \(c.optimizer), base learning rate \(formatNumber(c.training.baseLearningRate)), "
        + "loss \(c.request.loss.rawValue)",
      "  data \(c.data.source): \(c.data.trainCount) train / \(c.data.testCount) test samples, batch \(c.training.batchSize), \(c.training.steps) steps, seed \(c.training.seed)",
      "  measuring every \(c.training.measureEvery) steps"
        + (c.training.measurement.probeRows.map { ", tangent on a probe of \($0) rows" } ?? ", exact tangent pass on the whole batch")
        + ", \(c.threads) BLAS thread\(c.threads == 1 ? "" : "s")",
    ]
    if !c.training.schedule.isConstant { lines.append("  \(c.training.schedule.summary)") }
    if let control = c.training.control.summary { lines.append("  \(control)") }
    if c.request.zeroReadout && c.training.measureEvery > 0 {
      lines.append("  note: with a zero readout every hidden layer's backward signal is 0 at step 0, so cos θ and the "
        + "FSF residual are undefined there (NaN in measurements.csv); they are defined from step 1 on")
    }
    if let blas = c.blas { lines.append("  BLAS \(blas.summary)") }
    if let warning = c.blas?.warning { lines.append("  warning: \(warning)") }
    if showsTables { lines.append(renderTable(c.layers, mergingRepeatedLayers: !showsAllLayers)) }
    printOut(lines.joined(separator: "\n"))
  }

  mutating func stepCompleted(_ record: StepRecord, totalSteps: Int) {
    let done = record.step + 1
    let now = record.elapsedSeconds
    let interval = isTerminal ? 0.1 : 5.0
    guard done == totalSteps || now - lastProgressTime >= interval || done == 1 else { return }
    lastProgressTime = now
    let rate = now > 0 ? Double(done) / now : 0
    let eta = rate > 0 ? Double(totalSteps - done) / rate : .nan
    let text = "step \(done)/\(totalSteps)  loss \(formatNumber(record.loss))  batch acc \(String(format: "%.3f", record.accuracy))  "
      + "\(String(format: "%.1f", rate)) steps/s  ETA \(formatDuration(eta))"
    if isTerminal {
      writeError("\r\u{1B}[K" + text)
      progressLineOpen = true
    } else {
      printError(text)
    }
  }

  mutating func stepMeasured(_ m: StepMeasurement) {
    guard showsTables else { return }
    finishProgressLine()
    let spectral = Dictionary(m.spectral.filter { $0.unit == 0 }.map { ($0.layer, $0) }, uniquingKeysWith: { a, _ in a })
    let rows = m.layers.enumerated().map { i, s -> [String] in
      let actual = i < m.actual.count ? formatNumber(m.actual[i].updateRMS) : "-"
      let w = spectral[s.layer]
      return [
        "\(s.layer)", formatNumber(s.featureRMS), formatNumber(s.backwardNorm), String(format: "%.3f", s.contributionShare),
        s.bfaCos.isNaN ? "undef" : String(format: "%.3f", s.bfaCos), formatNumber(s.featureUpdateRMS), actual,
        s.fsfResidual.map { $0.isNaN ? "undef" : formatNumber($0) } ?? "-",
        w.map { formatNumber($0.updateSpectralNorm / $0.spectralTarget) } ?? "-",
      ]
    }
    let decay = "−δℒ = \(formatNumber(m.lossDecayFirstOrder))" + (m.lossDecayActual.map { ", actual \(formatNumber($0))" } ?? "")
    printOut("step \(m.step): loss \(formatNumber(m.lossBefore)), \(decay)")
    let header = ["layer", "rms F", "‖b‖", "C share", "cos θ", "rms δF", "rms ΔF", "FSF res", "‖δW‖*/√(o/i)"]
    let k = Self.edgeRows
    defer {
      if m.layers.contains(where: { $0.bfaCos.isNaN }) {
        printOut("undef: b_ℓ = 0 or δF_ℓ = 0 at this layer (e.g. a zero-initialized readout at step 0), so cos θ and the FSF are 0/0 (NaN in measurements.csv)")
      }
    }
    guard !showsAllLayers, rows.count > 2 * k + 2 else {
      printOut(renderTextTable(header: header, rows: rows))
      return
    }
    let hidden = m.layers[k..<(m.layers.count - k)]
    var gap = Array(repeating: "⋮", count: header.count)
    gap[0] = "\(hidden.first!.layer)–\(hidden.last!.layer)"
    printOut(renderTextTable(header: header, rows: rows.prefix(k) + [gap] + rows.suffix(k)))
    printOut("  layers \(gap[0]) (\(hidden.count), --all-layers shows them): " + Self.ranges(of: hidden))
  }

  /// The range of the main columns over some layers' measurements: `cos θ 0.41…0.62, C share …`.
  static func ranges(of layers: ArraySlice<FeatureSpeedStatistics>) -> String {
    func range(_ name: String, _ values: [Double], _ format: (Double) -> String) -> String? {
      let finite = values.filter(\.isFinite)
      guard let low = finite.min(), let high = finite.max() else { return nil }
      return "\(name) \(format(low))…\(format(high))"
    }
    let three = { (x: Double) in String(format: "%.3f", x) }
    var parts = [
      range("rms F", layers.map(\.featureRMS), formatNumber),
      range("C share", layers.map(\.contributionShare), three),
      range("cos θ", layers.map(\.bfaCos), three),
      range("rms δF", layers.map(\.featureUpdateRMS), formatNumber),
    ].compactMap { $0 }
    if let worst = layers.compactMap(\.fsfResidual).filter(\.isFinite).map(abs).max() {
      parts.append("max |FSF res| \(formatNumber(worst))")
    }
    return parts.joined(separator: ", ")
  }

  mutating func evaluated(_ e: Evaluation) {
    finishProgressLine()
    printOut("test after \(e.step) steps: loss \(formatNumber(e.loss)), accuracy \(String(format: "%.2f", 100 * e.accuracy)) % (\(e.count) samples)")
  }

  mutating func runEnded(_ c: RunConfiguration, directory: URL) {
    finishProgressLine()
    let time = c.elapsedSeconds.map { " in \(formatDuration($0))" } ?? ""
    printOut("Run \(c.status) after \(c.completedSteps) steps\(time). Results in \(directory.path): \(c.files.joined(separator: ", "))")
  }

  func shouldStop() -> Bool { Interruption.isRequested }

  /// Ends an in-place progress line so the next output starts on a fresh line.
  mutating func finishProgressLine() {
    if progressLineOpen {
      writeError("\n")
      progressLineOpen = false
    }
  }
}
