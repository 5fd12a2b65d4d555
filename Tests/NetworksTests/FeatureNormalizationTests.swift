import Foundation
import Testing
import NumericCore
import Networks
import _TestSupport

/// Forward normalization `g = α(ν(F_ℓ))` (theory §5.3 item 1): where it applies, that it is what
/// the forward pass computes, VJP–JVP adjointness of the whole network, the SGD-step tangent (batch
/// and probe Gram paths) and buffer reuse. Finite differences: `FiniteDifferenceTests`.
@Suite struct FeatureNormalizationTests {
  static func spec(_ c: (kind: ArchitectureKind, bias: Bool, branchMatrices: Int), activation: Activation = .tanh,
                   width: Int = 6) throws -> NetworkSpec {
    try TestNetworks.spec(
      kind: c.kind, inputDimension: 5, width: width, depth: 3, activation: activation, bias: c.bias,
      branchMatrices: c.branchMatrices, normalizesFeatures: true)
  }

  @Test("Only units whose input is a feature normalize it; off by default")
  func layout() throws {
    let mlp = try TestNetworks.spec(kind: .mlp, depth: 4, normalizesFeatures: true)
    #expect(mlp.layers.map { $0.units[0].normalizesInput } == [false, true, true, true])
    let resnet = try TestNetworks.spec(kind: .resnet, depth: 2, branchMatrices: 2, normalizesFeatures: true)
    #expect(resnet.layers.map { $0.units.map(\.normalizesInput) } == [[false], [true, false], [true, false], [true]])
    let plain = try TestNetworks.spec(kind: .resnet, depth: 2, branchMatrices: 2)
    #expect(plain.layers.allSatisfy { $0.units.allSatisfy { !$0.normalizesInput } })
  }

  @Test("Architectures and unit layouts decode without the new keys (files written before them)")
  func backwardCompatibleDecoding() throws {
    let architecture = try Architecture(kind: .resnet, inputDimension: 3, width: 4, depth: 2, outputDimension: 2,
                                        normalizesFeatures: true)
    let encoded = try JSONEncoder().encode(architecture)
    #expect(try JSONDecoder().decode(Architecture.self, from: encoded) == architecture)
    var object = try JSONSerialization.jsonObject(with: encoded) as! [String: Any]
    object["normalizesFeatures"] = nil
    let old = try JSONDecoder().decode(Architecture.self, from: JSONSerialization.data(withJSONObject: object))
    #expect(!old.normalizesFeatures && old.width == 4)
    let unit = architecture.layout()[1].units[0]
    var unitObject = try JSONSerialization.jsonObject(with: JSONEncoder().encode(unit)) as! [String: Any]
    #expect(try JSONDecoder().decode(UnitLayout.self, from: JSONSerialization.data(withJSONObject: unitObject)) == unit)
    unitObject["normalizesInput"] = nil
    let oldUnit = try JSONDecoder().decode(UnitLayout.self, from: JSONSerialization.data(withJSONObject: unitObject))
    #expect(!oldUnit.normalizesInput && oldUnit.fanIn == 4)
  }

  @Test("The normalized MLP forward pass equals F_ℓ = a · α(F_{ℓ−1}/rms_row(F_{ℓ−1})) Wᵀ written out")
  func mlpForwardFormula() throws {
    let spec = try TestNetworks.spec(kind: .mlp, depth: 3, activation: .tanh, normalizesFeatures: true)
    let network = try Network<Double>(spec: spec, seed: 1)
    var ws = TestNetworks.workspace(for: spec, rows: 4, as: Double.self)
    network.forward(&ws)
    var g = ws.input
    for (l, layer) in spec.layers.enumerated() {
      let unit = layer.units[0]
      if l > 0 {
        g = Matrix(g.storage.chunked(g.columns).map { row in
          let rms = (row.map { $0 * $0 }.reduce(0, +) / Double(row.count) + Architecture.featureNormalizationEpsilon).squareRoot()
          return row.map { Double.tanh($0 / rms) }
        })
      }
      #expect(relativeError(ws.activatedInput(layer: l, unit: 0, spec: spec), g) < 1e-14)
      var f = Matrix<Double>(rows: 4, columns: unit.fanOut)
      f.referenceGemm(g, network.parameters.layers[l][0].weight, transposeB: true, alpha: unit.scaling.weight.forwardMultiplier)
      #expect(relativeError(f, ws.features[l]) < 1e-14)
      g = f
    }
  }

  @Test("The rows of ν(F_L) read by the readout have rms 1, whatever the scale of F_L")
  func normalizedRowsHaveUnitRMS() throws {
    let spec = try TestNetworks.spec(kind: .resnet, width: 8, depth: 2, branchScale: 3, normalizesFeatures: true)
    var network = try Network<Double>(spec: spec, seed: 2)
    network.parameters.layers[0][0].weight.scale(by: 40)  // a large residual stream
    var ws = TestNetworks.workspace(for: spec, rows: 5, as: Double.self)
    network.forward(&ws)
    let readout = spec.layers.count - 1
    let y = ws.activatedInput(layer: readout, unit: 0, spec: spec)
    #expect(ws.features[readout - 1].rms > 10)
    for row in y.storage.chunked(y.columns) {
      let rms = (row.map { $0 * $0 }.reduce(0, +) / Double(row.count)).squareRoot()
      #expect(abs(rms - 1) < 1e-13)
    }
  }

  @Test("Network VJP and JVP are adjoint: ⟨J_{k→L}ᵀu, v⟩ = ⟨u, J_{k→L}v⟩ and ⟨J_θᵀu, δθ⟩ = ⟨u, J_θ δθ⟩",
        arguments: TestNetworks.configurations)
  func adjointness(_ c: (kind: ArchitectureKind, bias: Bool, branchMatrices: Int)) throws {
    for activation in [Activation.relu, .tanh] {
      let spec = try Self.spec(c, activation: activation)
      let network = try Network<Double>(spec: spec, seed: 3)
      var ws = TestNetworks.workspace(for: spec, rows: 4, as: Double.self)
      network.forward(&ws)
      let top = spec.layers.count - 1
      var generator = SeededGenerator(seed: 9, stream: "adjoint")
      let u = Matrix<Double>.gaussian(rows: 4, columns: spec.layers[top].outputWidth, standardDeviation: 1, using: &generator)
      var gradients: NetworkParameters<Double>? = NetworkParameters(zerosFor: spec)
      network.pullback(from: top, seed: u, &ws, gradients: &gradients)
      let backward = ws.backward
      for k in 0..<top {
        let v = Matrix<Double>.gaussian(rows: 4, columns: spec.layers[k].outputWidth, standardDeviation: 1, using: &generator)
        network.tangent(.fixedParameters, &ws, startingAt: (k, v))
        let error = relativeError(Matrix.dot(backward[k], v), Matrix.dot(u, ws.featureTangents[top]))
        #expect(error < 1e-13, "\(c) \(activation) position \(k): \(error)")
      }
      let d = TestNetworks.direction(for: spec, seed: 4, as: Double.self)
      network.tangent(d, &ws)
      let lhs = NetworkParameters.layerInnerProducts(gradients!, d).reduce(0, +)
      #expect(relativeError(lhs, Matrix.dot(u, ws.featureTangents[top])) < 1e-13, "\(c) \(activation) parameters")
    }
  }

  @Test("The SGD-step tangent (batch and probe Gram paths) equals the tangent along the update",
        arguments: [(rows: 4, width: 32), (rows: 12, width: 6)])
  func sgdStepTangent(rows: Int, width: Int) throws {
    for c in TestNetworks.configurations {
      let spec = try Self.spec(c, width: width)
      let network = try Network<Double>(spec: spec, seed: 5)
      var ws = TestNetworks.workspace(for: spec, rows: rows, as: Double.self)
      let gradients = network.gradients(&ws)
      let rates = LearningRates(spec: spec, baseLearningRate: 0.2)
      let errors = TestNetworks.sgdStepTangentErrors(network: network, workspace: &ws, gradients: gradients, rates: rates)
      for l in spec.layers.indices {
        #expect(errors.batch[l] < 1e-13, "\(c) layer position \(l)")
        #expect(errors.probe[l] < 1e-13, "probe \(c) layer position \(l)")
      }
    }
  }

  @Test("Fused SGD equals backward + update with normalization on")
  func fusedSGD() throws {
    for c in TestNetworks.configurations {
      let spec = try Self.spec(c)
      var fused = try Network<Double>(spec: spec, seed: 6)
      var ws = TestNetworks.workspace(for: spec, rows: 5, as: Double.self)
      let gradients = fused.gradients(&ws)
      var expected = fused.parameters
      expected.add(TestNetworks.sgdUpdate(spec: spec, gradients: gradients, baseLearningRate: 0.1))
      fused.backwardApplyingSGD(&ws, learningRates: LearningRates(spec: spec, baseLearningRate: 0.1))
      for l in spec.layers.indices {
        for u in spec.layers[l].units.indices {
          #expect(relativeError(fused.parameters.layers[l][u].weight, expected.layers[l][u].weight) < 1e-14)
        }
      }
    }
  }

  @Test("Normalized passes keep every buffer in place")
  func buffersReused() throws {
    let spec = try TestNetworks.spec(
      kind: .resnet, inputDimension: 12, width: 40, depth: 3, activation: .relu, bias: true, branchMatrices: 2,
      normalizesFeatures: true)
    var network = try Network<Double>(spec: spec, seed: 1)
    var ws = TestNetworks.workspace(for: spec, rows: 6, as: Double.self)
    var gradients = NetworkParameters<Double>(zerosFor: spec)
    let rates = LearningRates(spec: spec, baseLearningRate: 0.01)
    func addresses(_ matrices: [Matrix<Double>]) -> [UnsafeRawPointer?] {
      matrices.map { m in m.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
    }
    func snapshot() -> [UnsafeRawPointer?] {
      addresses(ws.features + ws.backward + ws.featureTangents)
        + addresses(spec.layers.indices.map { ws.activatedInput(layer: $0, unit: 0, spec: spec) })
        + addresses(network.parameters.layers.flatMap { $0.map(\.weight) })
    }
    func step() {
      network.forward(&ws)
      network.computeLoss(&ws)
      network.backward(&ws, gradients: &gradients)
      network.tangent(.sgdStep(rates, gradients: gradients), &ws)
      network.tangent(gradients, &ws)
      network.backwardApplyingSGD(&ws, learningRates: rates)
    }
    step()
    let before = snapshot()
    step()
    step()
    #expect(snapshot() == before)
  }
}

extension Array {
  /// Consecutive slices of `size` elements (rows of a flat row-major buffer).
  fileprivate func chunked(_ size: Int) -> [[Element]] {
    stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
  }
}
