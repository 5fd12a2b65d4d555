import Testing
import NumericCore
import Networks
import Measurements
import _TestSupport

@Suite struct MeterTests {
  @Test("A probe of the whole batch reproduces exact mode; a smaller probe estimates it")
  func probeMode() throws {
    let spec = try TestNetworks.spec(kind: .resnet, inputDimension: 10, width: 32, depth: 3, outputDimension: 4, bias: true)
    let network = try Network<Double>(spec: spec, seed: 5)
    var ws = TestNetworks.workspace(for: spec, rows: 16, as: Double.self)
    let gradients = network.gradients(&ws)
    let update = TestNetworks.sgdUpdate(spec: spec, gradients: gradients, baseLearningRate: 0.1)
    var exact = FeatureSpeedMeter<Double>(spec: spec, batchRows: 16, settings: MeasurementSettings(), initialParameters: network.parameters)
    var full = FeatureSpeedMeter<Double>(spec: spec, batchRows: 16, settings: MeasurementSettings(probeRows: 16), initialParameters: network.parameters)
    var small = FeatureSpeedMeter<Double>(spec: spec, batchRows: 16, settings: MeasurementSettings(probeRows: 4), initialParameters: network.parameters)
    let a = exact.measure(step: 0, network: network, workspace: &ws, gradients: gradients, update: update)
    let b = full.measure(step: 0, network: network, workspace: &ws, gradients: gradients, update: update)
    let c = small.measure(step: 0, network: network, workspace: &ws, gradients: gradients, update: update)
    for l in a.layers.indices {
      #expect(relativeError(a.layers[l].bfaCos, b.layers[l].bfaCos) < 1e-12)
      #expect(relativeError(a.layers[l].featureUpdateRMS, b.layers[l].featureUpdateRMS) < 1e-12)
      #expect(b.layers[l].fsfResidual == nil)
      #expect(c.layers[l].tangentCount == 4 * spec.layers[l].outputWidth)
      #expect(c.layers[l].bfaCos > 0 && c.layers[l].bfaCos <= 1)
    }
    #expect(a.rows(run: "r").contains { $0.quantity == "fsf_residual" })
    #expect(!c.rows(run: "r").contains { $0.quantity == "fsf_residual" })
  }

  @Test("Spectral statistics match the SVD, and changes since init start at zero")
  func spectral() throws {
    let spec = try TestNetworks.spec(kind: .resnet, inputDimension: 10, width: 20, depth: 2, outputDimension: 3, branchMatrices: 2)
    var network = try Network<Double>(spec: spec, seed: 6)
    var ws = TestNetworks.workspace(for: spec, rows: 8, as: Double.self)
    var gradients = NetworkParameters<Double>(zerosFor: spec)
    var meter = FeatureSpeedMeter<Double>(
      spec: spec, batchRows: 8, settings: MeasurementSettings(spectralTolerance: 1e-12, spectralMaximumIterations: 20_000),
      initialParameters: network.parameters)
    let initialNetwork = network
    var fixedInputs = Matrix<Double>(rows: 8, columns: 10)
    for step in 0..<3 {
      network.forward(&ws)
      network.computeLoss(&ws)
      network.backward(&ws, gradients: &gradients)
      let update = TestNetworks.sgdUpdate(spec: spec, gradients: gradients, baseLearningRate: 0.2)
      var m = meter.measure(step: step, network: network, workspace: &ws, gradients: gradients, update: update)
      #expect(m.spectral.count == 1 + 2 * 2 + 1)
      for s in m.spectral {
        let l = spec.layers.firstIndex { $0.index == s.layer }!
        let w = network.parameters.layers[l][s.unit].weight
        #expect(relativeError(s.weightSpectralNorm, try w.spectralNormBySVD()) < 1e-6)
        #expect(relativeError(s.updateSpectralNorm, try update.layers[l][s.unit].weight.spectralNormBySVD()) < 1e-6)
        #expect(relativeError(s.weightFrobeniusNorm, w.norm) < 1e-14)
        #expect(s.spectralTarget == (Double(s.fanOut) / Double(s.fanIn)).squareRoot())
        // Units of one shape share the monitor's difference buffer: each must see its own W − W⁰.
        let w0 = initialNetwork.parameters.layers[l][s.unit].weight
        var change = w
        change.add(w0, scaledBy: -1)
        #expect(relativeError(s.weightChangeFrobeniusNorm, w.squaredDistance(to: w0).squareRoot()) < 1e-14)
        if step == 0 {
          #expect(s.weightChangeSpectralNorm == 0 && s.weightChangeFrobeniusNorm == 0)
        } else {
          #expect(relativeError(s.weightChangeSpectralNorm, try change.spectralNormBySVD()) < 1e-6)
        }
      }
      let rows = m.rows(run: "x")
      #expect(rows.contains { $0.quantity == "weight_spectral_norm_w2" && $0.layer == 1 })
      if step == 0 { fixedInputs.copyRows(0..<8, of: ws.input) }
      network.parameters.add(update)
      meter.measureAfterUpdate(&m, updatedNetwork: network, workspace: ws)
      // The feature change after this step's update, on the fixed probe (the first batch's rows).
      var probe = Workspace<Double>(spec: spec, rows: 8, backward: false)
      probe.input.copy(from: fixedInputs)
      var initialProbe = probe
      network.forward(&probe)
      initialNetwork.forward(&initialProbe)
      let expected = zip(probe.features, initialProbe.features).map { ($0.squaredDistance(to: $1) / $1.squaredNorm).squareRoot() }
      #expect(relativeError(m.featureChange, expected) < 1e-12)
      #expect(m.featureChange.allSatisfy { $0 > 0 })
    }
  }

  @Test("Rows are tidy: every layer has every per-layer quantity once; network rows have no layer")
  func rows() throws {
    let spec = try TestNetworks.spec(kind: .mlp, depth: 3)
    let network = try Network<Float>(spec: spec, seed: 1)
    var ws = TestNetworks.workspace(for: spec, rows: 4, as: Float.self)
    let gradients = network.gradients(&ws)
    let update = TestNetworks.sgdUpdate(spec: spec, gradients: gradients, baseLearningRate: 0.1)
    var meter = FeatureSpeedMeter<Float>(spec: spec, batchRows: 4, settings: MeasurementSettings(), initialParameters: network.parameters)
    var m = meter.measure(step: 7, network: network, workspace: &ws, gradients: gradients, update: update)
    var moved = network
    moved.parameters.add(update)
    meter.measureAfterUpdate(&m, updatedNetwork: moved, workspace: ws)
    let rows = m.rows(run: "run-a")
    for quantity in Quantity.allCases {
      let matching = rows.filter { $0.quantity == quantity.rawValue }
      switch quantity.scope {
      case .network: #expect(matching.count == 1 && matching[0].layer == nil, "\(quantity)")
      case .layer, .weight: #expect(Set(matching.compactMap(\.layer)) == [1, 2, 3] && matching.count == 3, "\(quantity)")
      }
    }
    #expect(rows.allSatisfy { $0.run == "run-a" && $0.step == 7 })
  }
}

@Suite struct ProbeActualStepTests {
  @Test("With a probe, the actual step is measured on the probe rows and agrees with a direct computation")
  func actualOnProbeRows() throws {
    let spec = try TestNetworks.spec(kind: .mlp, inputDimension: 10, width: 24, depth: 3, outputDimension: 4, activation: .tanh)
    let network = try Network<Double>(spec: spec, seed: 8)
    var ws = TestNetworks.workspace(for: spec, rows: 12, as: Double.self)
    let gradients = network.gradients(&ws)
    let update = TestNetworks.sgdUpdate(spec: spec, gradients: gradients, baseLearningRate: 0.05)
    var meter = FeatureSpeedMeter<Double>(spec: spec, batchRows: 12, settings: MeasurementSettings(probeRows: 5), initialParameters: network.parameters)
    var m = meter.measure(step: 0, network: network, workspace: &ws, gradients: gradients, update: update)
    var moved = network
    moved.parameters.add(update)
    meter.measureAfterUpdate(&m, updatedNetwork: moved, workspace: ws)

    // Direct: the first 5 rows before and after the step.
    var probe = Workspace<Double>(spec: spec, rows: 5, backward: false)
    probe.loadRows(0..<5, inputs: ws.input, targets: ws.targets)
    var probeAfter = probe
    network.forward(&probe)
    let lossBefore = network.computeLoss(&probe, gradient: false)
    moved.forward(&probeAfter)
    let lossAfter = moved.computeLoss(&probeAfter, gradient: false)
    #expect(abs(m.lossDecayActual! - (lossBefore - lossAfter)) < 1e-14)
    for l in spec.layers.indices {
      var delta = probeAfter.features[l]
      delta.add(probe.features[l], scaledBy: -1)
      #expect(relativeError(m.actual[l].updateRMS, delta.rms) < 1e-12)
      #expect(m.actual[l].count == 5 * spec.layers[l].outputWidth)
    }
  }
}

@Suite struct ParameterStepTests {
  @Test("An SGD step measured without materializing δθ equals the general form with δθ = −η∇", arguments: [nil, 6] as [Int?])
  func sgdEqualsGeneral(probe: Int?) throws {
    for c in TestNetworks.configurations {
      let spec = try TestNetworks.spec(
        kind: c.kind, inputDimension: 9, width: 20, depth: 3, outputDimension: 4, activation: .gelu, bias: c.bias,
        branchMatrices: c.branchMatrices)
      let network = try Network<Double>(spec: spec, seed: 31)
      var ws = TestNetworks.workspace(for: spec, rows: 10, as: Double.self)
      let gradients = network.gradients(&ws)
      let rates = LearningRates(spec: spec, baseLearningRate: 0.07)
      let update = TestNetworks.sgdUpdate(spec: spec, gradients: gradients, baseLearningRate: 0.07)
      let settings = MeasurementSettings(probeRows: probe, spectralTolerance: 1e-12, spectralMaximumIterations: 10_000)
      var a = FeatureSpeedMeter<Double>(spec: spec, batchRows: 10, settings: settings, initialParameters: network.parameters)
      var b = a
      let general = a.measure(step: 0, network: network, workspace: &ws, parameterStep: .general(gradients: gradients, update: update))
      let sgd = b.measure(step: 0, network: network, workspace: &ws, parameterStep: .sgd(gradients: gradients, rates: rates))
      for (x, y) in zip(general.layers, sgd.layers) {
        #expect(relativeError(x.contribution, y.contribution) < 1e-13)
        #expect(relativeError(x.alignment, y.alignment) < 1e-12)
        #expect(relativeError(x.featureUpdateNorm, y.featureUpdateNorm) < 1e-12)
        #expect(x.gradientNormSquared == y.gradientNormSquared)
      }
      for (x, y) in zip(general.spectral, sgd.spectral) {
        #expect(relativeError(x.updateSpectralNorm, y.updateSpectralNorm) < 1e-8)
        #expect(relativeError(x.updateFrobeniusNorm, y.updateFrobeniusNorm) < 1e-13)
      }
    }
  }
}
