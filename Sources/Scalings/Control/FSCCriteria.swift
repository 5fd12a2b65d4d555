import Foundation
import Measurements
import Networks

/// The thresholds of the FSC criteria (theory §5.2, [FSF v2]): the ranges inside which a measured
/// number passes. The papers state the criteria as `Θ(1)` / "non-vanishing" / "bounded below";
/// these constants are our **reconstruction**, kept as data so one edit changes them.
public struct FSCThresholds: Codable, Equatable, Sendable {
  /// **F**: `rms(F_ℓ)` must lie in this range.
  public var featureRMS: ClosedRange<Double>
  /// **S**: `S_ℓ/ℒ = ‖b_ℓ‖‖F_ℓ‖/ℒ` must lie in this range.
  public var sensitivityPerLoss: ClosedRange<Double>
  /// **C**: the share `c_k` must lie within this factor of its target share (both ways).
  public var contributionFactor: Double
  /// **A**: `cos θ_ℓ` must be at least this.
  public var minimumAlignment: Double

  public init(
    featureRMS: ClosedRange<Double> = 0.1...10, sensitivityPerLoss: ClosedRange<Double> = 0.01...100,
    contributionFactor: Double = 10, minimumAlignment: Double = 0.1
  ) {
    self.featureRMS = featureRMS
    self.sensitivityPerLoss = sensitivityPerLoss
    self.contributionFactor = contributionFactor
    self.minimumAlignment = minimumAlignment
  }

  /// The defaults above.
  public static let standard = FSCThresholds()
}

/// One FSC criterion (theory §5.2).
public enum FSCCriterion: String, Codable, CaseIterable, Sendable {
  /// Forward: `rms(F_ℓ) = Θ(1)` (D1).
  case forward = "F"
  /// Sensitivity per unit loss `S_ℓ/ℒ = Θ(1)` (D3).
  case sensitivity = "S"
  /// Contribution share `c_k` near its target (D2).
  case contribution = "C"
  /// Alignment `cos θ_ℓ` bounded below (D4).
  case alignment = "A"
}

/// One failed criterion at one layer: which way it fails and the measured number.
public struct FSCFinding: Codable, Equatable, Sendable {
  /// Which way a number is off.
  public enum Direction: String, Codable, Sendable {
    case low, high
    /// A contribution that is zero or negative (the layer's update points uphill).
    case negative
  }
  /// User-facing layer index.
  public var layer: Int
  public var criterion: FSCCriterion
  public var direction: Direction
  /// The measured number: rms (F), S/ℒ (S), share (C) or cos θ (A).
  public var value: Double
  /// The layer's target share (for C).
  public var targetShare: Double

  /// Criterion and direction, e.g. `C-low`.
  var kind: String { "\(criterion.rawValue)-\(direction.rawValue)" }

  /// The plain-words hint for one finding, or for a run of layers failing the same way.
  static func hint(for group: [FSCFinding]) -> String {
    let first = group[0]
    let who = group.count == 1 ? "layer \(first.layer)" : "layers \(first.layer)–\(group.last!.layer)"
    let whose = group.count == 1 ? "layer \(first.layer)'s" : "layers \(first.layer)–\(group.last!.layer):"
    func range(_ format: (Double) -> String) -> String {
      let values = group.map(\.value)
      return group.count == 1 ? format(first.value) : "\(format(values.min()!)) to \(format(values.max()!))"
    }
    switch (first.criterion, first.direction) {
    case (.forward, .low):
      return "\(whose) features have rms \(range(short)): the forward pass vanishes here; raise the init std (--init-scale) or use He-scaled init (sp, mup)."
    case (.forward, _):
      return "\(whose) features have rms \(range(short)): the forward pass explodes here; lower the init std (--init-scale) or the forward multipliers."
    case (.sensitivity, .high):
      return "\(whose) sensitivity per unit loss is \(range(short)): a small relative change of the features moves the loss a lot, so training is fragile; shrink the output layer (e.g. mup's 1/fanIn output init)."
    case (.sensitivity, _):
      return "\(whose) sensitivity per unit loss is \(range(short)): the features barely affect the loss; the layers above damp the signal (output or branch scale too small)."
    case (.contribution, .low):
      let factors = group.map { $0.targetShare / $0.value }
      let factor = group.count == 1 ? short(factors[0]) : "\(short(factors.min()!)) to \(short(factors.max()!))"
      return "\(who) \(group.count == 1 ? "contributes" : "contribute") \(range(percent)) of the loss decay (target \(percent(first.targetShare))): "
        + "\(group.count == 1 ? "its learning rate is" : "their learning rates are") about \(factor)× too small."
    case (.contribution, .high):
      let factors = group.map { $0.value / $0.targetShare }
      let factor = group.count == 1 ? short(factors[0]) : "\(short(factors.min()!)) to \(short(factors.max()!))"
      return "\(who) \(group.count == 1 ? "contributes" : "contribute") \(range(percent)) of the loss decay (target \(percent(first.targetShare))): "
        + "\(group.count == 1 ? "its learning rate is" : "their learning rates are") about \(factor)× too large."
    case (.contribution, .negative):
      return "\(who) \(group.count == 1 ? "does" : "do") not decrease the loss to first order (share \(range(percent))): the update points uphill; check the optimizer and lower the learning rate."
    case (.alignment, _):
      return "\(whose) feature updates are poorly aligned with the backward pass (cos θ = \(range(short))): deep MLPs lose alignment like 1/√ℓ; a ResNet with β = 1/√L (resnet-sqrt) or fewer layers keeps it."
    }
  }
}

/// The FSC numbers of one layer over a calibration, with verdicts, hints and the suggested
/// learning-rate multiplier.
public struct LayerDiagnosis: Codable, Equatable, Sendable {
  /// User-facing layer index.
  public var layer: Int
  /// **F**: median `rms(F_ℓ)`.
  public var featureRMS: Double
  /// **S**: median `S_ℓ/ℒ`.
  public var sensitivityPerLoss: Double
  /// **C**: share of the first-order loss decay over all calibration steps, `Σ_t C_{k,t} / Σ_t Σ_j C_{j,t}`.
  public var share: Double
  /// The target share `c_k` of the profile.
  public var targetShare: Double
  /// **A**: median `cos θ_ℓ`.
  public var alignment: Double
  /// The criteria that failed, with the measured numbers (empty: all pass).
  public var findings: [FSCFinding]
  /// For a layer that fails C with a positive share, `targetShare/share` (clipped to [1e-3, 1e3]):
  /// the factor on its learning rate that brings its contribution to the target. 1 for every other
  /// layer: a share within the pass range is left alone (a short calibration is no evidence that
  /// another rate trains better, docs/control.md), and a negative one has no such factor.
  public var suggestedMultiplier: Double

  /// Criteria that failed (empty: all pass).
  public var warnings: [FSCCriterion] { findings.map(\.criterion) }
  /// One plain-words hint per failed criterion.
  public var hints: [String] { findings.map { FSCFinding.hint(for: [$0]) } }

  /// `pass` or `warn` for one criterion.
  public func verdict(_ criterion: FSCCriterion) -> String { warnings.contains(criterion) ? "warn" : "pass" }
}

/// The FSC diagnosis of a network (theory §5.2): per layer the F, S, C and A numbers of a short
/// calibration with pass/warn verdicts and hints, and the learning-rate multipliers that make the
/// contributions match the target profile.
public struct FSCDiagnosis: Codable, Equatable, Sendable {
  /// One per layer, forward order.
  public var layers: [LayerDiagnosis]
  /// Calibration steps the numbers come from.
  public var steps: Int
  /// The thresholds used.
  public var thresholds: FSCThresholds

  /// Evaluates the criteria on the measured steps of a calibration.
  ///
  /// - Parameters:
  ///   - measurements: the measured steps (at least one), each with one entry per layer.
  ///   - targetShares: the profile `c_k`, one per layer, summing to 1.
  ///   - thresholds: pass ranges.
  public init(measurements: [StepMeasurement], targetShares: [Double], thresholds: FSCThresholds = .standard) {
    precondition(!measurements.isEmpty, "a diagnosis needs at least one measured step")
    let count = measurements[0].layers.count
    precondition(targetShares.count == count, "one target share per layer")
    self.steps = measurements.count
    self.thresholds = thresholds
    let totalDecay = measurements.map(\.lossDecayFirstOrder).reduce(0, +)
    var layers = [LayerDiagnosis]()
    for l in 0..<count {
      let stats = measurements.map { $0.layers[l] }
      let rms = median(stats.map(\.featureRMS))
      let sensitivity = median(zip(stats, measurements).map { $0.sensitivity / $1.lossBefore })
      let share = stats.map(\.contribution).reduce(0, +) / totalDecay
      let alignment = median(stats.map(\.bfaCos))
      let target = targetShares[l]
      let index = stats[0].layer
      var findings = [FSCFinding]()
      func flag(_ criterion: FSCCriterion, _ direction: FSCFinding.Direction, _ value: Double) {
        findings.append(FSCFinding(layer: index, criterion: criterion, direction: direction, value: value, targetShare: target))
      }
      if !thresholds.featureRMS.contains(rms) { flag(.forward, rms < thresholds.featureRMS.lowerBound ? .low : .high, rms) }
      if !thresholds.sensitivityPerLoss.contains(sensitivity) {
        flag(.sensitivity, sensitivity < thresholds.sensitivityPerLoss.lowerBound ? .low : .high, sensitivity)
      }
      var multiplier = 1.0
      if share > 0 && share.isFinite {
        let off = share < target / thresholds.contributionFactor || share > target * thresholds.contributionFactor
        if off {
          multiplier = min(1e3, max(1e-3, target / share))
          flag(.contribution, share < target ? .low : .high, share)
        }
      } else {
        flag(.contribution, .negative, share)
      }
      if !(alignment >= thresholds.minimumAlignment) { flag(.alignment, .low, alignment) }
      layers.append(LayerDiagnosis(
        layer: index, featureRMS: rms, sensitivityPerLoss: sensitivity, share: share, targetShare: target,
        alignment: alignment, findings: findings, suggestedMultiplier: multiplier))
    }
    self.layers = layers
  }

  /// Layers with at least one warning.
  public var warnedLayers: [Int] { layers.filter { !$0.warnings.isEmpty }.map(\.layer) }

  /// The hints, one per failed criterion, with runs of at least three consecutive layers failing
  /// the same way merged into one sentence (`layers 23–31 …`), in layer order.
  public var groupedHints: [String] {
    var groups = [[FSCFinding]]()
    var open = [String: Int]()  // kind → index of its group still accepting the next layer
    for layer in layers {
      var seen = Set<String>()
      for finding in layer.findings {
        let kind = finding.kind
        seen.insert(kind)
        if let g = open[kind], groups[g].last!.layer == previousLayer(of: layer.layer) {
          groups[g].append(finding)
        } else {
          groups.append([finding])
          open[kind] = groups.count - 1
        }
      }
      for kind in open.keys where !seen.contains(kind) { open[kind] = nil }
    }
    return groups.flatMap { $0.count >= 3 ? [FSCFinding.hint(for: $0)] : $0.map { FSCFinding.hint(for: [$0]) } }
  }

  private func previousLayer(of index: Int) -> Int? {
    guard let i = layers.firstIndex(where: { $0.layer == index }), i > 0 else { return nil }
    return layers[i - 1].layer
  }

  /// The suggested multipliers as a learning-rate file for `train --preset-file`.
  public func multipliers(preset: String, architecture: ArchitectureKind, depth: Int, source: String) -> LearningRateMultipliers {
    LearningRateMultipliers(
      preset: preset, architecture: architecture, depth: depth,
      layers: layers.map { .init(layer: $0.layer, multiplier: $0.suggestedMultiplier) }, source: source)
  }

  /// Tidy rows (`diagnosis.csv`, step = number of calibration steps): per layer `fsc_forward_rms`,
  /// `fsc_sensitivity_per_loss`, `fsc_contribution_share`, `fsc_target_share`, `fsc_bfa_cos`,
  /// `fsc_warnings` (count) and `fsc_suggested_multiplier`.
  public func rows(run: String) -> [LayerMeasurement] {
    layers.flatMap { d -> [LayerMeasurement] in
      [("fsc_forward_rms", d.featureRMS), ("fsc_sensitivity_per_loss", d.sensitivityPerLoss),
       ("fsc_contribution_share", d.share), ("fsc_target_share", d.targetShare), ("fsc_bfa_cos", d.alignment),
       ("fsc_warnings", Double(d.warnings.count)), ("fsc_suggested_multiplier", d.suggestedMultiplier)]
        .map { LayerMeasurement(run: run, step: steps, layer: d.layer, quantity: $0.0, value: $0.1) }
    }
  }
}


private func median(_ values: [Double]) -> Double {
  let finite = values.filter { !$0.isNaN }.sorted()
  guard !finite.isEmpty else { return .nan }
  let m = finite.count / 2
  return finite.count % 2 == 1 ? finite[m] : (finite[m - 1] + finite[m]) / 2
}

/// Two significant digits, without an exponent between 1e-3 and 1e6 (`750`, `0.034`, `12`).
fileprivate func short(_ x: Double) -> String {
  guard x.isFinite, x != 0 else { return "\(x)" }
  let a = abs(x)
  guard a >= 1e-3 && a < 1e6 else { return String(format: "%.2g", x) }
  let digits = max(0, 1 - Int(floor(log10(a))))
  let rounded = (x * pow(10, Double(digits))).rounded() / pow(10, Double(digits))
  return String(format: "%.\(digits)f", rounded)
}

fileprivate func percent(_ x: Double) -> String {
  guard x.isFinite else { return "\(x)" }
  return String(format: abs(100 * x) >= 1 ? "%.3g %%" : "%.2g %%", 100 * x)
}
