import Foundation
import Testing
import NumericCore
import Networks
import Scalings
import _TestSupport

@testable import Training

/// Each optimizer's step against values computed by hand, entry by entry, over three steps on a
/// tiny network (theory §3.1, §5.1): momentum, Nesterov, Adam with bias correction, AdamW decay,
/// spectral descent; plus `apply == computeUpdate + add` and linearity in the learning rate.
@Suite struct OptimizerStepTests {
  /// An MLP 2 → 3 → 2 with biases; TestNetworks rates: layer 1 weight ×0.75, layer 2 weight ×1,
  /// biases ×0.7.
  static func tinySpec() throws -> NetworkSpec {
    try TestNetworks.spec(kind: .mlp, inputDimension: 2, width: 3, depth: 2, outputDimension: 2, bias: true)
  }

  /// Gradients of step `t` (0, 1, 2): fixed, varied numbers with both signs.
  static func gradients(_ spec: NetworkSpec, step t: Int) -> NetworkParameters<Double> {
    var g = NetworkParameters<Double>(zerosFor: spec)
    var k = 0
    for l in g.layers.indices {
      for u in g.layers[l].indices {
        let w = g.layers[l][u].weight, b = g.layers[l][u].bias!
        g.layers[l][u].weight = Matrix(rows: w.rows, columns: w.columns, storage: w.storage.indices.map { _ in
          k += 1
          return Double((k * 7 + t * 5) % 11 - 5) / 4
        })
        g.layers[l][u].bias = Matrix(rows: b.rows, columns: b.columns, storage: b.storage.indices.map { _ in
          k += 1
          return Double((k * 3 + t * 7) % 9 - 4) / 8
        })
      }
    }
    return g
  }

  /// Calls `body(gradient, rate, entries of every tensor)` over aligned flat entries.
  static func forEachEntry(
    _ spec: NetworkSpec, baseLearningRate: Double, _ tensors: [NetworkParameters<Double>],
    _ body: (_ rate: Double, _ entries: [Double]) -> Void
  ) {
    let rates = LearningRates(spec: spec, baseLearningRate: baseLearningRate)
    for l in rates.units.indices {
      for u in rates.units[l].indices {
        for i in tensors[0].layers[l][u].weight.storage.indices {
          body(rates.units[l][u].weight, tensors.map { $0.layers[l][u].weight.storage[i] })
        }
        for i in tensors[0].layers[l][u].bias!.storage.indices {
          body(rates.units[l][u].bias!, tensors.map { $0.layers[l][u].bias!.storage[i] })
        }
      }
    }
  }

  /// Runs three steps of `optimizer`, returning the updates.
  static func updates<O: Optimizer<Double>>(
    _ optimizer: inout O, spec: NetworkSpec, parameters: NetworkParameters<Double>? = nil
  ) -> [NetworkParameters<Double>] {
    (0..<3).map { t in
      var update = NetworkParameters<Double>(zerosFor: spec)
      if let parameters {
        optimizer.computeUpdate(gradients: gradients(spec, step: t), parameters: parameters, into: &update)
      } else {
        optimizer.computeUpdate(gradients: gradients(spec, step: t), into: &update)
      }
      return update
    }
  }

  @Test("Momentum: v = g, then v ← μv + g; δθ = −ηv", arguments: [false, true])
  func momentum(nesterov: Bool) throws {
    let spec = try Self.tinySpec()
    var optimizer = MomentumSGD<Double>(spec: spec, baseLearningRate: 0.1, momentum: 0.9, nesterov: nesterov)
    #expect(optimizer.name == "momentum")
    let d = Self.updates(&optimizer, spec: spec)
    let g = (0..<3).map { Self.gradients(spec, step: $0) }
    Self.forEachEntry(spec, baseLearningRate: 0.1, [g[0], g[1], g[2], d[0], d[1], d[2]]) { eta, x in
      let v1 = x[0], v2 = 0.9 * v1 + x[1], v3 = 0.9 * v2 + x[2]
      let expected = nesterov
        ? [-eta * (x[0] + 0.9 * v1), -eta * (x[1] + 0.9 * v2), -eta * (x[2] + 0.9 * v3)]
        : [-eta * v1, -eta * v2, -eta * v3]
      for t in 0..<3 { #expect(abs(x[3 + t] - expected[t]) < 1e-14, "step \(t)") }
    }
    // One entry written out: layer 1 weight, rate 0.1 × 0.75, gradients 0.5, −1, 0.25, so
    // v = 0.5, −0.55, −0.245 and δθ = −0.075 v, or −0.075 (g + 0.9 v) with Nesterov.
    #expect(g.map { $0.layers[0][0].weight.storage[0] } == [0.5, -1, 0.25])
    let expected = nesterov ? [-0.07125, 0.112125, -0.0022125] : [-0.0375, 0.04125, 0.018375]
    for t in 0..<3 { #expect(abs(d[t].layers[0][0].weight.storage[0] - expected[t]) < 1e-15, "step \(t)") }
  }

  @Test("Adam: bias-corrected moments; AdamW adds −ηλθ", arguments: [0.0, 0.1])
  func adam(weightDecay: Double) throws {
    let spec = try Self.tinySpec()
    var generator = SeededGenerator(seed: 5, stream: "tests")
    let theta = try NetworkParameters<Double>(initializing: spec, using: &generator)
    var optimizer = Adam<Double>(spec: spec, baseLearningRate: 0.01, weightDecay: weightDecay)
    #expect(optimizer.name == (weightDecay > 0 ? "adamw" : "adam"))
    let d = Self.updates(&optimizer, spec: spec, parameters: theta)
    let g = (0..<3).map { Self.gradients(spec, step: $0) }
    let (b1, b2, eps) = (0.9, 0.999, 1e-8)
    Self.forEachEntry(spec, baseLearningRate: 0.01, [g[0], g[1], g[2], d[0], d[1], d[2], theta]) { eta, x in
      var m = 0.0, v = 0.0
      for t in 1...3 {
        let gt = x[t - 1]
        m = b1 * m + (1 - b1) * gt
        v = b2 * v + (1 - b2) * gt * gt
        let mHat = m / (1 - Foundation.pow(b1, Double(t))), vHat = v / (1 - Foundation.pow(b2, Double(t)))
        let expected = -eta * (mHat / (vHat.squareRoot() + eps) + weightDecay * x[6])
        #expect(abs(x[2 + t] - expected) < 1e-15, "step \(t): \(x[2 + t]) vs \(expected)")
      }
    }
    // First step: m̂ = g, v̂ = g², so δθ = −η g/(|g| + ε) − ηλθ ≈ −η sign(g) − ηλθ.
    let entry = d[0].layers[1][0].weight.storage[0], gradient = g[0].layers[1][0].weight.storage[0]
    let expected = -0.01 * gradient / (abs(gradient) + eps) - 0.01 * weightDecay * theta.layers[1][0].weight.storage[0]
    #expect(abs(entry - expected) < 1e-17)
  }

  @Test("Spectral descent: δW = −η·UVᵀ, δc = −η·g/‖g‖; with spectral-family rates ‖δW‖_* = η√(fanOut/fanIn)",
        arguments: [NewtonSchulzVariant.cubic, .quintic])
  func spectral(variant: NewtonSchulzVariant) throws {
    // Hand-computable: a diagonal gradient has polar factor [[1,0,0],[0,−1,0]] (signs kept).
    let spec = try Self.tinySpec()
    var optimizer = SpectralDescent<Double>(spec: spec, baseLearningRate: 0.2, variant: variant)
    #expect(optimizer.name == "spectral" && optimizer.newtonSchulzSteps == (variant == .quintic ? 5 : 100))
    var g = Self.gradients(spec, step: 0)
    g.layers[1][0].weight = Matrix([[3, 0, 0], [0, -0.5, 0]])
    g.layers[1][0].bias = Matrix([[3, -4]])
    var update = NetworkParameters<Double>(zerosFor: spec)
    optimizer.computeUpdate(gradients: g, into: &update)
    let eta = 0.2 * 1.0, etaBias = 0.2 * 0.7
    if variant == .cubic {
      #expect(relativeError(update.layers[1][0].weight, Matrix([[-eta, 0, 0], [0, eta, 0]])) < 1e-12)
    } else {
      // Quintic: same signs and zero pattern, magnitudes in ≈ [0.7, 1.2]·η.
      let w = update.layers[1][0].weight
      #expect(w[0, 0] < -0.68 * eta && w[0, 0] > -1.14 * eta && w[1, 1] > 0.68 * eta && w[1, 1] < 1.14 * eta)
      #expect([w[0, 1], w[0, 2], w[1, 0], w[1, 2]].allSatisfy { abs($0) < 1e-15 })
    }
    #expect(relativeError(update.layers[1][0].bias!, Matrix([[-etaBias * 0.6, etaBias * 0.8]])) < 1e-15)

    // With a preset resolved for the spectral family, every weight step has spectral norm
    // η√(fanOut/fanIn) (cubic: exactly), every bias step norm η√fanOut.
    let architecture = try Architecture(kind: .mlp, inputDimension: 5, width: 8, depth: 3, outputDimension: 3, hasBias: true)
    let presetSpec = try PresetResolution(architecture: architecture, loss: .mse, preset: Presets.mup, optimizer: .spectral).spec
    var descent = SpectralDescent<Double>(spec: presetSpec, baseLearningRate: 0.05, variant: variant)
    let gradients = TestNetworks.direction(for: presetSpec, seed: 8, as: Double.self)
    var step = NetworkParameters<Double>(zerosFor: presetSpec)
    descent.computeUpdate(gradients: gradients, into: &step)
    for (l, layer) in presetSpec.layers.enumerated() {
      let unit = layer.units[0]
      let target = 0.05 * (Double(unit.fanOut) / Double(unit.fanIn)).squareRoot()
      let norms = try step.layers[l][0].weight.singularValues().map { Double($0) }
      if variant == .cubic {
        #expect(norms.allSatisfy { abs($0 - target) < 1e-10 * target }, "layer \(layer.index): \(norms) vs \(target)")
      } else {
        // Five quintic steps resolve the singular values down to ≈ 1e-2 of ‖∇W‖_F; smaller ones
        // (here the smallest of a square Gaussian matrix) stay below the range.
        let gradient = gradients.layers[l][0].weight
        let relative = try gradient.singularValues().map { Double($0) / gradient.norm }
        for (value, r) in zip(norms, relative) {
          #expect(value < 1.14 * target && (r < 1e-2 || value > 0.68 * target), "layer \(layer.index): \(value / target) at \(r)")
        }
      }
      #expect(abs(step.layers[l][0].bias!.norm - 0.05 * Double(unit.fanOut).squareRoot()) < 1e-12)
    }
  }

  /// Every kind, with a non-default variant where there is one.
  static let allSettings: [OptimizerSettings] = [
    OptimizerSettings(kind: .sgd), OptimizerSettings(kind: .momentum), OptimizerSettings(kind: .momentum, nesterov: true),
    OptimizerSettings(kind: .adam), OptimizerSettings(kind: .adamw), OptimizerSettings(kind: .spectral),
    OptimizerSettings(kind: .spectral, newtonSchulzVariant: .cubic),
  ]

  @Test("apply equals computeUpdate + add, and δθ is linear in η for fixed state", arguments: allSettings)
  func applyAndLinearity(settings: OptimizerSettings) throws {
    let spec = try Self.tinySpec()
    var generator = SeededGenerator(seed: 6, stream: "tests")
    let start = try NetworkParameters<Double>(initializing: spec, using: &generator)
    var a: any Optimizer<Double> = settings.makeOptimizer(spec: spec, baseLearningRate: 0.05)
    var b: any Optimizer<Double> = settings.makeOptimizer(spec: spec, baseLearningRate: 0.05)
    var doubled: any Optimizer<Double> = settings.makeOptimizer(spec: spec, baseLearningRate: 0.1)
    var (pa, pb) = (start, start)
    for t in 0..<3 {
      let g = Self.gradients(spec, step: t)
      a.apply(gradients: g, to: &pa)
      var update = NetworkParameters<Double>(zerosFor: spec)
      b.computeUpdate(gradients: g, parameters: pb, into: &update)
      var twice = NetworkParameters<Double>(zerosFor: spec)
      doubled.computeUpdate(gradients: g, parameters: pb, into: &twice)
      update.scale(by: 2)
      for (x, y) in zip(update.layers.flatMap { $0 }, twice.layers.flatMap { $0 }) {
        #expect(relativeError(x.weight, y.weight) < 1e-14 && relativeError(x.bias!, y.bias!) < 1e-14, "step \(t)")
      }
      update.scale(by: 0.5)
      pb.add(update)
    }
    for (x, y) in zip(pa.layers.flatMap { $0 }, pb.layers.flatMap { $0 }) {
      #expect(relativeError(x.weight, y.weight) < 1e-14 && relativeError(x.bias!, y.bias!) < 1e-14)
    }
    #expect(a.name == (settings.kind == .adamw ? "adamw" : settings.kind.rawValue))
  }
}

extension NetworkParameters {
  /// `self *= alpha` tensor by tensor (tests).
  fileprivate mutating func scale(by alpha: Scalar) {
    for l in layers.indices {
      for u in layers[l].indices {
        layers[l][u].weight.scale(by: alpha)
        layers[l][u].bias?.scale(by: alpha)
      }
    }
  }
}
