import Testing
import NumericCore
import Networks
import _TestSupport

@Suite struct NetworkTests {
  @Test("Layer indices and roles follow theory §2")
  func layout() throws {
    let mlp = try TestNetworks.spec(kind: .mlp, depth: 4)
    #expect(mlp.layerIndices == [1, 2, 3, 4])
    #expect(mlp.layers.map { $0.units[0].layout.role } == [.input, .hidden, .hidden, .output])
    #expect(mlp.layers.map { $0.units[0].inputActivation } == [.identity, .relu, .relu, .relu])
    let resnet = try TestNetworks.spec(kind: .resnet, depth: 3, branchMatrices: 2)
    #expect(resnet.layerIndices == [0, 1, 2, 3, 4])
    #expect(resnet.layers.map { $0.residualScale } == [nil, 0.7, 0.7, 0.7, nil])
    #expect(resnet.layers[1].units.count == 2)
    #expect(resnet.layers[4].units[0].inputActivation == .identity)
  }

  @Test("Impossible shapes are typed errors with a fix")
  func invalidShapes() {
    #expect(throws: ArchitectureError.nonPositiveSize(name: "width", value: 0)) {
      try Architecture(kind: .mlp, inputDimension: 4, width: 0, depth: 3, outputDimension: 2)
    }
    #expect(throws: ArchitectureError.depthTooSmall(kind: .mlp, depth: 1, minimum: 2)) {
      try Architecture(kind: .mlp, inputDimension: 4, width: 8, depth: 1, outputDimension: 2)
    }
    #expect(throws: ArchitectureError.depthTooSmall(kind: .resnet, depth: 0, minimum: 1)) {
      try Architecture(kind: .resnet, inputDimension: 4, width: 8, depth: 0, outputDimension: 2)
    }
    #expect(throws: ArchitectureError.invalidBranchScale(-1)) {
      try Architecture(kind: .resnet, inputDimension: 4, width: 8, depth: 2, outputDimension: 2, branchScale: -1)
    }
    let message = ArchitectureError.nonPositiveSize(name: "width", value: -3).description
    #expect(message.contains("-3") && message.contains("≥ 1"))
  }

  @Test("The MLP forward pass equals the theory §2 formula written out")
  func mlpForwardFormula() throws {
    let spec = try TestNetworks.spec(kind: .mlp, depth: 3, activation: .tanh, bias: true)
    let network = try Network<Double>(spec: spec, seed: 1)
    var ws = TestNetworks.workspace(for: spec, rows: 4, as: Double.self)
    network.forward(&ws)
    var g = ws.input
    for (l, layer) in spec.layers.enumerated() {
      let unit = layer.units[0]
      let p = network.parameters.layers[l][0]
      if unit.inputActivation != .identity { g = Matrix(g.storage.chunked(g.columns).map { $0.map { Double.tanh($0) } }) }
      var f = Matrix<Double>(rows: 4, columns: unit.fanOut)
      f.referenceGemm(g, p.weight, transposeB: true, alpha: unit.scaling.weight.forwardMultiplier)
      for i in 0..<4 { for j in 0..<unit.fanOut { f[i, j] += unit.scaling.bias!.forwardMultiplier * p.bias![0, j] } }
      #expect(relativeError(f, ws.features[l]) < 1e-14)
      g = f
    }
  }

  @Test("The ResNet forward pass equals the theory §2 formula written out")
  func resnetForwardFormula() throws {
    let spec = try TestNetworks.spec(kind: .resnet, depth: 2, activation: .relu)
    let network = try Network<Double>(spec: spec, seed: 2)
    var ws = TestNetworks.workspace(for: spec, rows: 3, as: Double.self)
    network.forward(&ws)
    func relu(_ m: Matrix<Double>) -> Matrix<Double> { Matrix(rows: m.rows, columns: m.columns, storage: m.storage.map { max($0, 0) }) }
    var f = Matrix<Double>(rows: 3, columns: 6)
    f.referenceGemm(ws.input, network.parameters.layers[0][0].weight, transposeB: true, alpha: spec.layers[0].units[0].scaling.weight.forwardMultiplier)
    #expect(relativeError(f, ws.features[0]) < 1e-14)
    for l in 1...2 {
      let a = spec.layers[l].units[0].scaling.weight.forwardMultiplier
      var next = f
      next.referenceGemm(relu(f), network.parameters.layers[l][0].weight, transposeB: true, alpha: 0.7 * a, beta: 1)
      #expect(relativeError(next, ws.features[l]) < 1e-14)
      f = next
    }
  }

  @Test("Float and Double passes agree to single precision")
  func precisionAgreement() throws {
    let spec = try TestNetworks.spec(kind: .resnet, width: 16, depth: 4, activation: .gelu, bias: true, branchMatrices: 2)
    let d = try Network<Double>(spec: spec, seed: 8)
    let f = try Network<Float>(spec: spec, seed: 8)
    var wd = TestNetworks.workspace(for: spec, rows: 6, as: Double.self)
    var wf = TestNetworks.workspace(for: spec, rows: 6, as: Float.self)
    d.forward(&wd)
    f.forward(&wf)
    let ld = d.computeLoss(&wd)
    let lf = f.computeLoss(&wf)
    #expect(relativeError(ld, lf) < 1e-5)
    #expect(relativeError(wd.features.last!.doubles, wf.features.last!.doubles) < 1e-5)
  }

  @Test("Losses match their definitions (theory §1)")
  func losses() {
    var output = Matrix<Double>([[1, 2, 3], [0, -1, 4]])
    var targets = BatchTargets<Double>(rows: 2, outputDimension: 3, loss: .mse)
    targets.values = Matrix([[0, 2, 1], [1, 1, 4]])
    var gradient = Matrix<Double>(rows: 2, columns: 3)
    let mse = Loss.mse.evaluate(output: output, targets: targets, gradient: &gradient)
    #expect(abs(mse.loss - (1 + 0 + 4 + 1 + 4 + 0) / 4.0) < 1e-15)
    #expect(gradient == Matrix([[0.5, 0, 1], [-0.5, -1, 0]]))
    #expect(mse.correct == 1)

    var labels = BatchTargets<Double>(rows: 2, outputDimension: 3, loss: .crossEntropy)
    labels.labels = [2, 0]
    output = Matrix([[1, 2, 3], [0, -1, 4]])
    let ce = Loss.crossEntropy.evaluate(output: output, targets: labels, gradient: &gradient)
    func lse(_ r: [Double]) -> Double { Double.log(r.map { Double.exp($0) }.reduce(0, +)) }
    let expected = ((lse([1, 2, 3]) - 3) + (lse([0, -1, 4]) - 0)) / 2
    #expect(abs(ce.loss - expected) < 1e-14)
    #expect(ce.correct == 1)
    let softmax0 = [1.0, 2, 3].map { Double.exp($0 - lse([1, 2, 3])) }
    #expect(abs(gradient[0, 2] - (softmax0[2] - 1) / 2) < 1e-15)
    #expect(abs(gradient[0, 0] - softmax0[0] / 2) < 1e-15)
  }

  @Test("Initialization follows the scalings and the seed")
  func initialization() throws {
    let spec = try TestNetworks.spec(kind: .mlp, inputDimension: 200, width: 300, depth: 3)
    let a = try Network<Double>(spec: spec, seed: 1)
    let b = try Network<Double>(spec: spec, seed: 1)
    let c = try Network<Double>(spec: spec, seed: 2)
    #expect(a.parameters == b.parameters)
    #expect(a.parameters != c.parameters)
    for (l, layer) in spec.layers.enumerated() {
      let w = a.parameters.layers[l][0].weight
      let std = layer.units[0].scaling.weight.initStandardDeviation
      #expect(abs(w.rms / std - 1) < 0.03)
    }
    let f = try Network<Float>(spec: spec, seed: 1)
    #expect(relativeError(f.parameters.layers[1][0].weight.doubles, a.parameters.layers[1][0].weight.doubles) < 1e-7)
  }

  @Test("Semi-orthogonal initialization has all singular values equal")
  func semiOrthogonal() throws {
    let architecture = try Architecture(kind: .mlp, inputDimension: 12, width: 20, depth: 2, outputDimension: 5)
    let spec = try NetworkSpec(architecture: architecture, loss: .mse) { unit in
      UnitScaling(weight: LayerScaling(initialization: .semiOrthogonal, initStandardDeviation: 0.5), bias: nil)
    }
    let network = try Network<Double>(spec: spec, seed: 3)
    for (l, layer) in spec.layers.enumerated() {
      let unit = layer.units[0]
      let s = try network.parameters.layers[l][0].weight.singularValues()
      let expected = 0.5 * Double(max(unit.fanIn, unit.fanOut)).squareRoot()
      #expect(s.allSatisfy { abs($0 - expected) < 1e-12 * expected })
    }
  }
}

extension Array {
  fileprivate func chunked(_ size: Int) -> [[Element]] {
    stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
  }
}

@Suite struct FusedSGDTests {
  @Test("backwardApplyingSGD equals backward followed by the SGD step, with the same backward signals",
        arguments: TestNetworks.configurations.map { "\($0.kind.rawValue)-\($0.bias)-\($0.branchMatrices)" })
  func fusedEqualsUnfused(_ name: String) throws {
    let c = TestNetworks.configurations.first { "\($0.kind.rawValue)-\($0.bias)-\($0.branchMatrices)" == name }!
    let spec = try TestNetworks.spec(kind: c.kind, activation: .gelu, bias: c.bias, branchMatrices: c.branchMatrices)
    var fused = try Network<Double>(spec: spec, seed: 12)
    let plain = fused
    var ws1 = TestNetworks.workspace(for: spec, rows: 5, as: Double.self)
    var ws2 = ws1
    let rates = LearningRates(spec: spec, baseLearningRate: 0.3)

    let gradients = plain.gradients(&ws1)
    var expected = plain.parameters
    for (l, units) in rates.units.enumerated() {
      for (u, r) in units.enumerated() {
        expected.layers[l][u].weight.add(gradients.layers[l][u].weight, scaledBy: -r.weight)
        if let b = r.bias { expected.layers[l][u].bias!.add(gradients.layers[l][u].bias!, scaledBy: -b) }
      }
    }

    fused.forward(&ws2)
    fused.computeLoss(&ws2)
    fused.backwardApplyingSGD(&ws2, learningRates: rates)
    for l in spec.layers.indices {
      #expect(relativeError(ws1.backward[l], ws2.backward[l]) < 1e-14)
      for u in spec.layers[l].units.indices {
        #expect(relativeError(fused.parameters.layers[l][u].weight, expected.layers[l][u].weight) < 1e-14)
        if c.bias { #expect(relativeError(fused.parameters.layers[l][u].bias!, expected.layers[l][u].bias!) < 1e-14) }
      }
    }
    #expect(fused.parameters != plain.parameters)
  }
}

@Suite struct SGDStepTangentTests {
  @Test("The SGD-step tangent (Gram matrix or dense) equals the tangent along the materialized update",
        arguments: [(rows: 4, width: 32), (rows: 12, width: 6), (rows: 9, width: 40)])
  func matchesDenseDirection(rows: Int, width: Int) throws {
    for c in TestNetworks.configurations {
      let spec = try TestNetworks.spec(
        kind: c.kind, inputDimension: 20, width: width, depth: 3, activation: .tanh, bias: c.bias, branchMatrices: c.branchMatrices)
      let network = try Network<Double>(spec: spec, seed: 3)
      var ws = TestNetworks.workspace(for: spec, rows: rows, as: Double.self)
      let gradients = network.gradients(&ws)
      let rates = LearningRates(spec: spec, baseLearningRate: 0.2)
      // On the batch, and on a probe of its first rows (the probe–batch Gram path).
      let errors = TestNetworks.sgdStepTangentErrors(network: network, workspace: &ws, gradients: gradients, rates: rates)
      for l in spec.layers.indices {
        #expect(errors.batch[l] < 1e-13, "\(c) layer position \(l)")
        #expect(errors.probe[l] < 1e-13, "probe \(c) layer position \(l)")
      }
    }
  }
}

/// The hot path reuses its buffers: a step writes into the same storage every time (a
/// copy-on-write anywhere would move a buffer, allocate and copy).
@Suite struct BufferReuseTests {
  static func addresses<T: BLASScalar>(_ matrices: [Matrix<T>]) -> [UnsafeRawPointer?] {
    matrices.map { m in m.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
  }

  @Test("forward, backward, fused SGD and both tangent passes keep every buffer in place")
  func passesReuseBuffers() throws {
    let spec = try TestNetworks.spec(kind: .resnet, inputDimension: 12, width: 40, depth: 3, activation: .relu, bias: true, branchMatrices: 2)
    var network = try Network<Double>(spec: spec, seed: 1)
    var ws = TestNetworks.workspace(for: spec, rows: 6, as: Double.self)
    var gradients = NetworkParameters<Double>(zerosFor: spec)
    let rates = LearningRates(spec: spec, baseLearningRate: 0.01)
    func snapshot() -> [UnsafeRawPointer?] {
      Self.addresses(ws.features + ws.backward + ws.featureTangents)
        + Self.addresses(network.parameters.layers.flatMap { $0.map(\.weight) })
        + Self.addresses(gradients.layers.flatMap { $0.map(\.weight) })
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
