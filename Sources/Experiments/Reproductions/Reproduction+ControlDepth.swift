import Foundation
import Measurements
import Scalings
import Training

/// The `control-depth` demonstration (theory §5.3): deep ReLU MLPs (sp initialization) on
/// Fashion-MNIST, trained by plain SGD with one global learning rate and by FSC-control, at
/// several depths with the same settings.
public enum ControlDepth {
  /// How a cell is trained.
  public enum Method: String, CaseIterable, Sendable {
    /// sp with the global rate that trains a shallow MLP well (the `train` default, 0.05).
    case spGlobal = "sp-global"
    /// sp with the global rate tuned by hand at depth 32 (best of 0.003, 0.01, 0.03, 0.1): a reference.
    case spTuned = "sp-tuned"
    /// sp initialization with FSC-control: per-layer rates calibrated on the first steps to a
    /// target feature speed at every layer.
    case fscControl = "fsc-control"
  }

  /// The global rate of `sp-global`.
  public static let globalLearningRate = 0.05
  /// The global rate of `sp-tuned`.
  public static let tunedLearningRate = 0.01
  /// FSC-control: the target relative feature speed `rms(δF_ℓ)/rms(F_ℓ)` of every layer per step.
  public static let featureSpeed = 0.05
  /// FSC-control: the factors are adapted during these first steps, then kept.
  public static let calibrationSteps = 10

  /// Depths of the default run (quick: two small ones).
  public static func depths(quick: Bool) -> [Int] { quick ? [3, 6] : [8, 16, 32, 64] }

  /// Sets up one cell: sp, ReLU, width 512, batch 128, 400 steps, test evaluation every 100 steps,
  /// a 32-row probe every 50 steps for the contribution shares (quick: width 32, 40 steps).
  static func configure(_ r: inout RunRequest, method: Method, depth: Int, quick: Bool) {
    r.preset = "sp"
    r.width = quick ? 32 : 512
    r.depth = depth
    r.batchSize = quick ? 32 : 128
    r.steps = quick ? 40 : 400
    r.evaluateEvery = quick ? 20 : 100
    r.measureEvery = quick ? 10 : 50
    r.probe = quick ? 8 : 32
    r.measuresSpectra = false
    r.measuresActualStep = false
    switch method {
    case .spGlobal:
      r.learningRate = globalLearningRate
    case .spTuned:
      r.learningRate = tunedLearningRate
    case .fscControl:
      r.learningRate = tunedLearningRate  // only the cap (1000 × this) depends on it
      r.controlFeatureSpeed = featureSpeed
      r.controlCalibration = calibrationSteps
    }
  }
}

extension Reproduction {
  /// Final test accuracy and loss per depth, method and seed, the loss curves, and the
  /// contribution shares per layer at the first step; the summary (`summary.csv`) gives the final
  /// test accuracy per depth and method over the seeds (mean, min, max, diverged runs), and the
  /// checks of the claim use the means.
  func analyzeControlDepth(_ cells: [(job: SweepCell, rows: [LayerMeasurement])], directory: URL) throws -> ReproductionResult {
    var data = TidyTable(columns: ["method", "depth", "seed", "step", "layer", "quantity", "value"])
    var accuracies = [String: [Int: [Double]]]()
    var diverged = [String: [Int: Int]]()
    var findings = [String]()
    for (job, rows) in cells {
      let method = value(job, "method")
      let depth = Int(value(job, "depth")) ?? 0
      let seed = CSVField.integer(Int(job.request.seed))
      let cell = SweepRunner.cellDirectory(job.id, in: directory)
      for row in rows where row.quantity == Quantity.contributionShare.rawValue && row.step == 0 {
        data.rows.append([.text(method), .integer(depth), seed, .integer(row.step), CSVField(row.layer), .text("contribution_share_step0"), .double(row.value)])
      }
      var finalTest: (loss: Double, accuracy: Double)?
      if let text = try? String(contentsOf: cell.appendingPathComponent("metrics.csv"), encoding: .utf8) {
        for record in CSVRecords.parse(text).dropFirst() {
          let f = record.fields
          guard f.count >= 5, let step = Int(f[1]), let loss = Double(f[3]), let acc = Double(f[4]) else { continue }
          if f[2] == "train" {
            data.rows.append([.text(method), .integer(depth), seed, .integer(step), .empty, .text("train_loss"), .double(loss)])
          } else if f[2] == "test" {
            data.rows.append([.text(method), .integer(depth), seed, .integer(step), .empty, .text("test_accuracy"), .double(acc)])
            finalTest = (loss, acc)
          }
        }
      }
      let config = try? JSONFile.read(RunConfiguration.self, from: cell.appendingPathComponent("config.json"))
      if config?.status == "diverged" {
        // A diverged run ends at chance level: 10 classes.
        accuracies[method, default: [:]][depth, default: []].append(0.1)
        diverged[method, default: [:]][depth, default: 0] += 1
        data.rows.append([.text(method), .integer(depth), seed, .empty, .empty, .text("final_test_accuracy"), .double(0.1)])
        findings.append("\(method), depth \(depth), seed \(job.request.seed): diverged at step \(config?.divergedAtStep ?? -1) (counted as chance level, 10 %).")
      } else if let finalTest {
        accuracies[method, default: [:]][depth, default: []].append(finalTest.accuracy)
        data.rows.append([.text(method), .integer(depth), seed, .empty, .empty, .text("final_test_accuracy"), .double(finalTest.accuracy)])
        data.rows.append([.text(method), .integer(depth), seed, .empty, .empty, .text("final_test_loss"), .double(finalTest.loss)])
      }
    }
    let depths = ControlDepth.depths(quick: quick)
    var summary = TidyTable(columns: ["depth", "method", "mean", "min", "max", "seeds", "diverged"])
    var accuracy = [String: [Int: Double]]()
    for depth in depths {
      for method in ControlDepth.Method.allCases {
        guard let values = accuracies[method.rawValue]?[depth], !values.isEmpty else { continue }
        let mean = values.reduce(0, +) / Double(values.count)
        accuracy[method.rawValue, default: [:]][depth] = mean
        summary.rows.append([
          .integer(depth), .text(method.rawValue), .double(mean), .double(values.min()!), .double(values.max()!),
          .integer(values.count), .integer(diverged[method.rawValue]?[depth] ?? 0),
        ])
      }
    }
    for method in ControlDepth.Method.allCases {
      let values = depths.map { d in accuracy[method.rawValue]?[d].map { String(format: "%.1f %%", 100 * $0) } ?? "—" }
      findings.append("\(method.rawValue): final test accuracy (mean over \(seeds.count) seed\(seeds.count == 1 ? "" : "s")) at depths \(depths.map(String.init).joined(separator: ", ")): \(values.joined(separator: ", ")).")
    }
    // The claim, made numeric on the means over seeds: at the largest two depths control beats one
    // global rate by ≥ 5 points; at every depth it is within 3 points of the best method; its
    // spread over depths is ≤ 8 points.
    var agrees: Bool?
    let control = accuracy[ControlDepth.Method.fscControl.rawValue] ?? [:]
    let global = accuracy[ControlDepth.Method.spGlobal.rawValue] ?? [:]
    if !quick, depths.allSatisfy({ control[$0] != nil && global[$0] != nil }) {
      let deep = depths.suffix(2)
      let beatsGlobal = deep.allSatisfy { control[$0]! >= global[$0]! + 0.05 }
      let nearBest = depths.allSatisfy { d in
        control[d]! >= (ControlDepth.Method.allCases.compactMap { accuracy[$0.rawValue]?[d] }.max() ?? 0) - 0.03
      }
      let values = depths.map { control[$0]! }
      let spread = values.max()! - values.min()!
      agrees = beatsGlobal && nearBest && spread <= 0.08
      findings.append(String(
        format: "Checks on the means: control ≥ sp-global + 5 points at depths %@: %@; control within 3 points of the best method at every depth: %@; spread of control over depths %.1f points (≤ 8: %@).",
        deep.map(String.init).joined(separator: " and "), beatsGlobal ? "yes" : "no", nearBest ? "yes" : "no", 100 * spread, spread <= 0.08 ? "yes" : "no"))
    }
    return ReproductionResult(data: data, slopes: nil, summary: summary, findings: findings, agrees: agrees)
  }
}
