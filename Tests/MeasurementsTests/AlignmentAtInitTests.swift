import Testing
import NumericCore
import Networks
import Measurements
import _TestSupport

/// Theory §4 claims at initialization, with fixed seeds: the backward–feature angle of a
/// He-initialized ReLU MLP degrades with the layer index (cos θ_ℓ = Θ(1/√ℓ)), while a ResNet with
/// β = 1/√L keeps it roughly level across layers (theory §6.1, [FSF] Fig. 2a).
@Suite struct AlignmentAtInitTests {
  /// Per-layer BFA cosines at init under one global learning rate (sp), averaged over seeds.
  static func layerCosines(
    kind: ArchitectureKind, depth: Int, width: Int = 256, rows: Int, branchScale: Double = 1, seeds: [UInt64] = [1, 2]
  ) throws -> [Double] {
    let spec = try TestNetworks.standardSpec(
      kind: kind, inputDimension: width, width: width, depth: depth, outputDimension: 1, branchScale: branchScale)
    var total = [Double](repeating: 0, count: spec.layers.count)
    for seed in seeds {
      let network = try Network<Double>(spec: spec, seed: seed)
      var ws = TestNetworks.workspace(for: spec, rows: rows, seed: seed, tangents: true, as: Double.self)
      let gradients = network.gradients(&ws)
      let update = TestNetworks.sgdUpdate(spec: spec, gradients: gradients, baseLearningRate: 1e-3)
      var meter = FeatureSpeedMeter<Double>(
        spec: spec, batchRows: rows,
        settings: MeasurementSettings(measuresActualStep: false, measuresSpectra: false, featureChangeRows: 0),
        initialParameters: network.parameters)
      let m = meter.measure(step: 0, network: network, workspace: &ws, gradients: gradients, update: update)
      for (i, s) in m.layers.enumerated() { total[i] += s.bfaCos / Double(seeds.count) }
    }
    return total
  }

  @Test("Per layer (Fig. 2a): He ReLU MLP cos θ_ℓ = Θ(1/√ℓ); ResNet β = 1/√L stays bounded below", arguments: [1, 16])
  func perLayer(rows: Int) throws {
    let depth = 24
    let mlp = try Self.layerCosines(kind: .mlp, depth: depth, rows: rows)
    let hidden = Array(mlp.dropLast())  // layers 1…L−1; the output is one scalar per sample
    #expect(hidden[0] > 0.9)
    #expect(hidden[3] > hidden[11] && hidden[11] > hidden[22])
    #expect(hidden[22] < 0.45)
    // cos θ_ℓ·√ℓ stays of order one (theory §4 predicts ≈ 1.22 per sample, width → ∞).
    for l in 4...(depth - 1) {
      let scaled = hidden[l - 1] * Double(l).squareRoot()
      #expect(scaled > 0.7 && scaled < 1.8, "layer \(l): cos θ·√ℓ = \(scaled)")
    }
    let resnet = try Self.layerCosines(kind: .resnet, depth: depth, rows: rows, branchScale: 1 / Double(depth).squareRoot())
    let blocks = resnet[1...depth]
    #expect(blocks.min()! > 0.55)
    #expect(blocks.min()! > 1.5 * hidden[depth - 2])
  }

  @Test("Against depth (Fig. 2b): the last hidden BFA falls for the MLP, stays level for ResNet β = 1/√L")
  func againstDepth() throws {
    let depths = [4, 8, 16, 32]
    let seeds: [UInt64] = [1, 2, 3]
    let mlp = try depths.map { try Self.layerCosines(kind: .mlp, depth: $0, rows: 1, seeds: seeds)[$0 - 2] }
    let resnet = try depths.map {
      try Self.layerCosines(kind: .resnet, depth: $0, rows: 1, branchScale: 1 / Double($0).squareRoot(), seeds: seeds)[$0]
    }
    // MLP: falls by more than 2.5× from L = 4 to L = 32; ResNet: within 35 % over the same range.
    #expect(mlp[0] > mlp[1] && mlp[1] > mlp[2], "MLP: \(mlp)")
    #expect(mlp[0] / mlp[3] > 2.5, "MLP: \(mlp)")
    #expect(resnet.max()! / resnet.min()! < 1.35, "ResNet: \(resnet)")
    #expect(resnet[3] > 2 * mlp[3])
  }
}
