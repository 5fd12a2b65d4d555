import Foundation
import Networks
import Measurements

/// The analyses of [FSF] Fig. 2 (theory §6.1–§6.3): backward–feature angles at initialization,
/// read from the step-0 `bfa_cos` rows of each run.
extension Reproduction {
  typealias Cells = [(job: SweepCell, rows: [LayerMeasurement])]

  /// `layer → cos θ_ℓ` at step 0.
  private func angles(_ rows: [LayerMeasurement]) -> [Int: Double] {
    var result = [Int: Double]()
    for row in rows where row.step == 0 && row.quantity == Quantity.bfaCos.rawValue {
      if let layer = row.layer { result[layer] = row.value }
    }
    return result
  }

  /// The "output" feature of [FSF] Fig. 2b/2c: the last feature before the scalar readout — the
  /// residual stream after block L of a ResNet, layer L − 1 of an MLP. (The readout itself is
  /// one-dimensional per sample, so its angle is trivially 1 for n = 1.)
  private func outputLayer(_ job: SweepCell) -> Int {
    job.request.architecture == .mlp ? job.request.depth - 1 : job.request.depth
  }

  /// The arithmetic mean (0 for no values).
  private func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

  // MARK: §6.1

  func analyzeFig2a(_ cells: Cells) -> ReproductionResult {
    var data = TidyTable(columns: ["architecture", "batch_size", "seed", "layer", "quantity", "value"])
    // (architecture|batch) → seed → layer → cos
    var curves = [String: [String: [Int: Double]]]()
    for (job, rows) in cells {
      let architecture = value(job, "architecture"), batch = value(job, "batch-size"), seed = value(job, "seed")
      let cosines = angles(rows)
      for (layer, cosine) in cosines.sorted(by: { $0.key < $1.key }) {
        data.rows.append([.text(architecture), .text(batch), .text(seed), .integer(layer), .text("bfa_cos"), .double(cosine)])
        // The scalar readout (MLP layer L, ResNet L + 1) is left out: its angle is trivially 1 for n = 1.
        if layer >= 1 && layer < (job.request.architecture == .mlp ? job.request.depth : job.request.depth + 1) {
          data.rows.append([.text(architecture), .text(batch), .text(seed), .integer(layer), .text("bfa_cos_sqrt_layer"),
                            .double(cosine * Double(layer).squareRoot())])
        }
      }
      curves["\(architecture)|\(batch)", default: [:]][seed] = cosines
    }
    var slopes = TidyTable(columns: ["architecture", "batch_size", "layers", "slope", "lower", "upper", "seeds"])
    var findings = [String]()
    var agrees: Bool? = curves.isEmpty ? nil : true
    for key in curves.keys.sorted() {
      let parts = key.split(separator: "|").map(String.init)
      let (architecture, batch) = (parts[0], parts[1])
      let perSeed = curves[key]!.keys.sorted().map { curves[key]![$0]! }
      let depth = cells.first { value($0.job, "architecture") == architecture }?.job.request.depth ?? 0
      // Hidden features: MLP layers 1…L−1 from ℓ = 2 on; ResNet blocks 1…L.
      let layers = architecture == "mlp" ? Array(2..<max(depth, 3)) : Array(1...max(depth, 1))
      let usable = layers.filter { layer in perSeed.allSatisfy { ($0[layer] ?? 0) > 0 } }
      guard usable.count >= 2,
        let fit = SlopeFit.fit(x: usable.map(Double.init), repetitions: perSeed.map { curve in usable.map { curve[$0]! } })
      else { continue }
      slopes.rows.append([.text(architecture), .text(batch), .text("\(usable.first!)–\(usable.last!)"), .double(fit.slope),
                          .double(fit.lower), .double(fit.upper), .integer(fit.slopes.count)])
      if architecture == "mlp" {
        let tail = usable.filter { $0 >= max(2, depth / 4) }
        let normalized = mean(perSeed.flatMap { curve in tail.map { curve[$0]! * Double($0).squareRoot() } })
        findings.append(String(
          format: "MLP, n = %@: cos θ_ℓ ∝ ℓ^p with p = %@ over layers %d–%d; cos θ_ℓ·√ℓ averages %.2f over ℓ = %d…%d.",
          batch, format(fit), usable.first!, usable.last!, normalized, tail.first ?? 0, tail.last ?? 0))
        if abs(fit.slope + 0.5) > 0.2 { agrees = false }
      } else {
        let level = mean(perSeed.flatMap { curve in usable.map { curve[$0]! } })
        findings.append(String(
          format: "ResNet β = 1/√L, n = %@: cos θ_ℓ ∝ ℓ^p with p = %@ over blocks %d–%d (mean cos θ %.3f).",
          batch, format(fit), usable.first!, usable.last!, level))
        // "Roughly level": much flatter than the MLP's ℓ^−1/2.
        if abs(fit.slope) > 0.2 { agrees = false }
      }
    }
    return ReproductionResult(data: data, slopes: slopes, findings: findings, agrees: agrees)
  }

  // MARK: §6.2

  func analyzeFig2b(_ cells: Cells) -> ReproductionResult {
    var data = TidyTable(columns: ["model", "depth", "seed", "layer", "value"])
    var groups = [String: [(x: Double, seed: String, y: Double)]]()
    for (job, rows) in cells {
      let model = value(job, "model"), depth = Double(value(job, "depth")) ?? 0, seed = value(job, "seed")
      let layer = outputLayer(job)
      guard let cosine = angles(rows)[layer] else { continue }
      data.rows.append([.text(model), .double(depth), .text(seed), .integer(layer), .double(cosine)])
      groups[model, default: []].append((depth, seed, cosine))
    }
    let (slopes, fits) = slopeRows(groups: groups, keyColumns: ["model"]) { [$0] }
    func extreme(_ model: String, deepest: Bool) -> Double? {
      guard let points = groups[model], let depth = deepest ? points.map(\.x).max() : points.map(\.x).min() else { return nil }
      return mean(points.filter { $0.x == depth }.map(\.y))
    }
    var findings = [String]()
    var agrees: Bool? = fits.isEmpty ? nil : true
    let names = ["mlp": "MLP", "resnet-beta-1": "ResNet β = 1", "resnet-beta-inv-sqrt": "ResNet β = 1/√L", "resnet-beta-inv": "ResNet β = 1/L"]
    for model in ["mlp", "resnet-beta-1", "resnet-beta-inv-sqrt", "resnet-beta-inv"] {
      guard let fit = fits[model], let shallow = extreme(model, deepest: false), let deep = extreme(model, deepest: true) else { continue }
      findings.append(String(format: "%@: last-feature cos θ ∝ L^p with p = %@; %.3f at the smallest depth, %.3f at the largest.",
                             names[model]!, format(fit), shallow, deep))
      switch model {
      case "mlp", "resnet-beta-1": if !(deep < 0.5 * shallow) { agrees = false }
      case "resnet-beta-inv-sqrt": if abs(fit.slope) > 0.15 { agrees = false }
      default: if !(deep > 0.9 && deep >= shallow - 0.02) { agrees = false }
      }
    }
    return ReproductionResult(data: data, slopes: slopes, findings: findings, agrees: agrees)
  }

  // MARK: §6.3

  func analyzeFig2c(_ cells: Cells) -> ReproductionResult {
    var data = TidyTable(columns: ["depth", "beta_tilde", "seed", "layer", "value"])
    // depth → β̃ → cosines over seeds
    var curves = [Int: [Double: [Double]]]()
    for (job, rows) in cells {
      let depth = job.request.depth, scale = Double(value(job, "beta-tilde")) ?? 0, seed = value(job, "seed")
      let layer = outputLayer(job)
      guard let cosine = angles(rows)[layer] else { continue }
      data.rows.append([.integer(depth), .double(scale), .text(seed), .integer(layer), .double(cosine)])
      curves[depth, default: [:]][scale, default: []].append(cosine)
    }
    var findings = [String]()
    var agrees: Bool? = curves.count >= 1 ? true : nil
    for depth in curves.keys.sorted() {
      let points = curves[depth]!.keys.sorted().map { (scale: $0, cosine: mean(curves[depth]![$0]!)) }
      findings.append("L = \(depth): last-feature cos θ at β̃ = " + points.map { String(format: "%g: %.3f", $0.scale, $0.cosine) }.joined(separator: "; ") + ".")
      if zip(points, points.dropFirst()).contains(where: { $1.cosine > $0.cosine + 0.02 }) { agrees = false }
    }
    let depths = curves.keys.sorted()
    if let shallow = depths.first, let deep = depths.last, shallow != deep {
      let common = Set(curves[shallow]!.keys).intersection(curves[deep]!.keys).sorted()
      let gap = common.map { abs(mean(curves[shallow]![$0]!) - mean(curves[deep]![$0]!)) }.max() ?? .nan
      findings.append(String(format: "Largest difference between L = %d and L = %d at the same β̃: %.3f.", shallow, deep, gap))
      if !(gap <= 0.1) { agrees = false }
    }
    let table = pivotSummary(curves.keys.sorted().flatMap { depth in
      curves[depth]!.keys.sorted().map { ("L = \(depth)", String(format: "β̃ = %g", $0), curves[depth]![$0]!) }
    })
    return ReproductionResult(data: data, slopes: nil, summary: table, findings: findings, agrees: agrees)
  }
}
