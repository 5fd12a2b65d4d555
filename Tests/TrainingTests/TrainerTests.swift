import Testing
import NumericCore
import Networks
import Measurements
import Scalings
import _TestSupport

@testable import Training

/// The training loop: SGD steps, cadence of measurements and evaluations, outcomes.
@Suite struct TrainerTests {
  struct Recorder: TrainingObserver {
    var records: [StepRecord] = []
    var measurements: [StepMeasurement] = []
    var evaluations: [Evaluation] = []
    var stopAfter: Int?
    mutating func didStep(_ record: StepRecord) throws { records.append(record) }
    mutating func didMeasure(_ measurement: StepMeasurement) throws { measurements.append(measurement) }
    mutating func didEvaluate(_ evaluation: Evaluation) throws { evaluations.append(evaluation) }
    func shouldStop() -> Bool { stopAfter.map { records.count >= $0 } ?? false }
  }

  static func setUp(loss: Loss = .crossEntropy, preset: String = "mup") throws -> (NetworkSpec, LoadedData) {
    let data = try SyntheticDataSpec(
      targets: .teacher, task: DataTask(for: loss), inputDimension: 12, outputDimension: 4, trainCount: 256,
      testCount: 100, seed: 1
    ).generate()
    let architecture = try Architecture(kind: .mlp, inputDimension: 12, width: 32, depth: 3, outputDimension: 4, hasBias: true)
    let spec = try PresetResolution(architecture: architecture, loss: loss, preset: try Presets.named(preset), optimizer: .sgd).spec
    return (spec, data)
  }

  @Test("SGD steps are −η_k ∇_k with η_k = base × multiplier, for weights and biases")
  func sgdStep() throws {
    let (spec, _) = try Self.setUp()
    let gradients = TestNetworks.direction(for: spec, seed: 3, as: Double.self)
    var sgd = SGD<Double>(spec: spec, baseLearningRate: 0.1)
    var update = NetworkParameters<Double>(zerosFor: spec)
    sgd.computeUpdate(gradients: gradients, into: &update)
    for (l, layer) in spec.layers.enumerated() {
      let unit = layer.units[0]
      let g = gradients.layers[l][0], d = update.layers[l][0]
      let rate = 0.1 * unit.scaling.weight.learningRateMultiplier
      #expect(d.weight.storage.indices.allSatisfy { d.weight.storage[$0] == -rate * g.weight.storage[$0] })
      let biasRate = 0.1 * unit.scaling.bias!.learningRateMultiplier
      #expect(d.bias!.storage.indices.allSatisfy { d.bias!.storage[$0] == -biasRate * g.bias!.storage[$0] })
    }
    // apply == computeUpdate + add
    var generator = SeededGenerator(seed: 99, stream: "tests")
    var a = try NetworkParameters<Double>(initializing: spec, using: &generator)
    var b = a
    sgd.apply(gradients: gradients, to: &a)
    b.add(update)
    // Equal up to the rounding of the fused axpy.
    for (x, y) in zip(a.layers, b.layers) {
      #expect(relativeError(x[0].weight, y[0].weight) < 1e-15)
      #expect(relativeError(x[0].bias!, y[0].bias!) < 1e-15)
    }
  }

  @Test("Training reduces the loss; measurements and evaluations follow their cadence")
  func trains() throws {
    let (spec, data) = try Self.setUp()
    let settings = TrainingSettings(baseLearningRate: 0.05, batchSize: 32, steps: 60, seed: 2, measureEvery: 20, evaluateEvery: 25)
    var trainer = try Trainer(network: try Network<Float>(spec: spec, seed: 2), train: data.train, test: data.test, settings: settings)
    let before = trainer.evaluate()
    var recorder = Recorder()
    #expect(try trainer.run(observer: &recorder) == .completed)
    #expect(recorder.records.map(\.step) == Array(0..<60))
    #expect(recorder.measurements.map(\.step) == [0, 20, 40])
    #expect(recorder.evaluations.map(\.step) == [25, 50, 60])
    #expect(recorder.evaluations.last!.loss < 0.8 * before.loss)
    #expect(recorder.evaluations.last!.count == 100)
    #expect(recorder.records.last!.loss < recorder.records.first!.loss)
  }

  @Test("Evaluation equals the loss and accuracy of a forward pass over the whole test split")
  func evaluation() throws {
    let (spec, data) = try Self.setUp(loss: .mse)
    let network = try Network<Double>(spec: spec, seed: 4)
    var trainer = try Trainer(network: network, train: data.train, test: data.test,
                              settings: TrainingSettings(baseLearningRate: 0.1, batchSize: 16, steps: 1, seed: 1))
    let e = trainer.evaluate()
    let test = try #require(data.test)
    var ws = Workspace<Double>(spec: spec, rows: test.count, backward: false)
    test.fillBatch(range: 0..<test.count, inputs: &ws.input, targets: &ws.targets, loss: .mse)
    network.forward(&ws)
    let loss = network.computeLoss(&ws, gradient: false)
    #expect(abs(e.loss - loss) < 1e-12 * loss)
    #expect(e.accuracy == Double(ws.correct) / Double(test.count))
  }

  @Test("firstBatch is the batch of step 0")
  func firstBatch() throws {
    let (spec, data) = try Self.setUp()
    let trainer = try Trainer(network: try Network<Double>(spec: spec, seed: 1), train: data.train, test: nil,
                              settings: TrainingSettings(baseLearningRate: 0.1, batchSize: 8, steps: 1, seed: 9))
    let batch = trainer.firstBatch()
    var sampler = try BatchSampler(count: data.train.count, batchSize: 8, seed: 9)
    var inputs = Matrix<Double>(rows: 8, columns: 12)
    var targets = BatchTargets<Double>(rows: 8, outputDimension: 4, loss: .crossEntropy)
    data.train.fillBatch(indices: sampler.nextBatch(), inputs: &inputs, targets: &targets, loss: .crossEntropy)
    #expect(batch.inputs == inputs && batch.targets.labels == targets.labels)
  }

  @Test("A huge learning rate ends the run as diverged (a result, not a crash)")
  func divergence() throws {
    let (spec, data) = try Self.setUp(loss: .mse)
    var trainer = try Trainer(network: try Network<Float>(spec: spec, seed: 1), train: data.train, test: data.test,
                              settings: TrainingSettings(baseLearningRate: 1e8, batchSize: 16, steps: 100, seed: 1, measureEvery: 1))
    var recorder = Recorder()
    let outcome = try trainer.run(observer: &recorder)
    guard case .diverged(let step, let reason) = outcome else {
      Issue.record("expected divergence, got \(outcome)")
      return
    }
    #expect(step < 100 && reason.contains("\(step)"))
    #expect(recorder.records.count == step || recorder.records.count == step + 1)
  }

  @Test("An observer can stop the run cleanly")
  func interruption() throws {
    let (spec, data) = try Self.setUp()
    var trainer = try Trainer(network: try Network<Float>(spec: spec, seed: 1), train: data.train, test: data.test,
                              settings: TrainingSettings(baseLearningRate: 0.1, batchSize: 16, steps: 100, seed: 1))
    var recorder = Recorder(stopAfter: 7)
    #expect(try trainer.run(observer: &recorder) == .interrupted(step: 7))
    #expect(trainer.completedSteps == 7)
  }

  @Test("Invalid settings and mismatched data are typed errors")
  func invalidSettings() throws {
    let (spec, data) = try Self.setUp()
    let network = try Network<Float>(spec: spec, seed: 1)
    #expect(throws: TrainingError.self) {
      _ = try Trainer(network: network, train: data.train, test: nil,
                      settings: TrainingSettings(baseLearningRate: -1, batchSize: 16, steps: 10, seed: 1))
    }
    #expect(throws: TrainingError.self) {
      var s = TrainingSettings(baseLearningRate: 0.1, batchSize: 16, steps: 10, seed: 1)
      s.measurement.probeRows = 17
      _ = try Trainer(network: network, train: data.train, test: nil, settings: s)
    }
    let other = try SyntheticDataSpec(targets: .teacher, task: .classification, inputDimension: 5, outputDimension: 4,
                                      trainCount: 64, testCount: 0, seed: 1).generate()
    #expect(throws: TrainingError.self) {
      _ = try Trainer(network: network, train: other.train, test: nil,
                      settings: TrainingSettings(baseLearningRate: 0.1, batchSize: 16, steps: 10, seed: 1))
    }
  }
}

@Suite struct StepEngineBufferTests {
  @Test("Measured and plain steps keep the workspace and parameter buffers in place", arguments: [nil, 8] as [Int?])
  func buffersStayInPlace(probe: Int?) throws {
    let architecture = try Architecture(kind: .mlp, inputDimension: 12, width: 48, depth: 4, outputDimension: 4, hasBias: true)
    let spec = try PresetResolution(architecture: architecture, loss: .crossEntropy, preset: try Presets.named("mup"), optimizer: .sgd).spec
    var engine = try StepEngine<Double>(
      network: try Network(spec: spec, seed: 1), batchSize: 16, baseLearningRate: 0.01,
      measurement: MeasurementSettings(probeRows: probe))
    var generator = SeededGenerator(seed: 2)
    engine.workspace.input = .gaussian(rows: 16, columns: 12, standardDeviation: 1, using: &generator)
    func addresses() -> [UnsafeRawPointer?] {
      let ws = engine.workspace
      let matrices = ws.features + ws.backward + ws.featureTangents + engine.network.parameters.layers.flatMap { $0.map(\.weight) }
      return matrices.map { m in m.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
    }
    _ = engine.step(index: 0, measure: true)
    _ = engine.step(index: 1, measure: false)
    let before = addresses()
    for i in 2..<6 { _ = engine.step(index: i, measure: i % 2 == 0) }
    #expect(addresses() == before)
  }
}
