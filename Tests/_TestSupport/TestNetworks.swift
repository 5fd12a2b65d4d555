import NumericCore
import Networks

/// Small networks and batches for tests, built without the `Scalings` module: init std
/// `gain/√fanIn`, multipliers and learning-rate multipliers varied per layer so that tests
/// exercise them, biases (when present) initialized at random too.
public enum TestNetworks {
  /// A spec with non-trivial multipliers: forward multiplier `1 + 0.1·layer`, learning-rate
  /// multiplier `0.5 + 0.25·layer` (biases `0.7`), bias init std `0.3`; optionally with forward
  /// feature normalization (theory §5.3).
  public static func spec(
    kind: ArchitectureKind, inputDimension: Int = 4, width: Int = 6, depth: Int = 3,
    outputDimension: Int = 3, activation: Activation = .relu, bias: Bool = false,
    loss: Loss = .mse, branchScale: Double = 0.7, branchMatrices: Int = 1, normalizesFeatures: Bool = false
  ) throws -> NetworkSpec {
    let architecture = try Architecture(
      kind: kind, inputDimension: inputDimension, width: width, depth: depth,
      outputDimension: outputDimension, activation: activation, hasBias: bias,
      branchScale: branchScale, branchMatrices: branchMatrices, normalizesFeatures: normalizesFeatures)
    return try NetworkSpec(architecture: architecture, loss: loss) { unit in
      let l = Double(unit.layerIndex)
      let weight = LayerScaling(
        initStandardDeviation: unit.inputActivation.gain / Double(unit.fanIn).squareRoot(),
        forwardMultiplier: 1 + 0.1 * l, learningRateMultiplier: 0.5 + 0.25 * l)
      let biasScaling = unit.hasBias
        ? LayerScaling(initStandardDeviation: 0.3, forwardMultiplier: 0.9, learningRateMultiplier: 0.7)
        : nil
      return UnitScaling(weight: weight, bias: biasScaling)
    }
  }

  /// A workspace holding a random batch: Gaussian inputs, Gaussian targets (MSE) or random
  /// labels (cross-entropy), from `seed`.
  public static func workspace<T: BLASScalar>(
    for spec: NetworkSpec, rows: Int, seed: UInt64 = 7, tangents: Bool = true, as: T.Type = T.self
  ) -> Workspace<T> {
    var ws = Workspace<T>(spec: spec, rows: rows, backward: true, tangents: tangents)
    var generator = SeededGenerator(seed: seed, stream: "test-batch")
    ws.input = .gaussian(rows: rows, columns: spec.inputDimension, standardDeviation: 1, using: &generator)
    switch spec.loss {
    case .mse:
      ws.targets.values = .gaussian(rows: rows, columns: spec.outputDimension, standardDeviation: 1, using: &generator)
    case .crossEntropy:
      ws.targets.labels = (0..<rows).map { _ in Int32(generator.nextIndex(below: spec.outputDimension)) }
    }
    return ws
  }

  /// Random parameter direction with the structure of `spec` (entries `N(0, scale²)`); when
  /// `layers` is given, zero outside those layer positions.
  public static func direction<T: BLASScalar>(
    for spec: NetworkSpec, seed: UInt64, scale: Double = 1, layers: Set<Int>? = nil, as: T.Type = T.self
  ) -> NetworkParameters<T> {
    var generator = SeededGenerator(seed: seed, stream: "test-direction")
    var d = NetworkParameters<T>(zerosFor: spec)
    for l in d.layers.indices where layers?.contains(l) ?? true {
      for u in d.layers[l].indices {
        let w = d.layers[l][u].weight
        d.layers[l][u].weight = .gaussian(rows: w.rows, columns: w.columns, standardDeviation: scale, using: &generator)
        if let b = d.layers[l][u].bias {
          d.layers[l][u].bias = .gaussian(rows: b.rows, columns: b.columns, standardDeviation: scale, using: &generator)
        }
      }
    }
    return d
  }

  /// All combinations of architecture options worth covering in pass tests.
  public static let configurations: [(kind: ArchitectureKind, bias: Bool, branchMatrices: Int)] = [
    (.mlp, false, 1), (.mlp, true, 1), (.resnet, false, 1), (.resnet, true, 1),
    (.resnet, false, 2), (.resnet, true, 2),
  ]
}

extension TestNetworks {
  /// The plain SGD step `δθ = −η_k ∇_k` with `η_k = baseLearningRate × multiplier` (tests only;
  /// the library's optimizers live in `Training`).
  public static func sgdUpdate<T: BLASScalar>(
    spec: NetworkSpec, gradients: NetworkParameters<T>, baseLearningRate: Double
  ) -> NetworkParameters<T> {
    var update = gradients
    for (l, layer) in spec.layers.enumerated() {
      for (u, unit) in layer.units.enumerated() {
        update.layers[l][u].weight.scale(by: T(-baseLearningRate * unit.scaling.weight.learningRateMultiplier))
        if let biasScaling = unit.scaling.bias {
          update.layers[l][u].bias!.scale(by: T(-baseLearningRate * biasScaling.learningRateMultiplier))
        }
      }
    }
    return update
  }

  /// Per layer position, the relative error of the SGD-step tangent (`.sgdStep`, through the batch
  /// Gram matrix) against the tangent along the materialized update `δθ = −η ∇θ`, on the batch in
  /// `workspace` and on a probe of its first `max(1, rows/3)` rows (probe–batch Gram path).
  /// `workspace` holds the forward and backward passes that produced `gradients`.
  public static func sgdStepTangentErrors(
    network: Network<Double>, workspace: inout Workspace<Double>, gradients: NetworkParameters<Double>, rates: LearningRates
  ) -> (batch: [Double], probe: [Double]) {
    var update = gradients
    for (l, units) in rates.units.enumerated() {
      for (u, r) in units.enumerated() {
        update.layers[l][u].weight.scale(by: -r.weight)
        if let b = r.bias { update.layers[l][u].bias!.scale(by: -b) }
      }
    }
    network.tangent(update, &workspace)
    let dense = workspace.featureTangents
    network.tangent(.sgdStep(rates, gradients: gradients), &workspace)
    let batch = zip(workspace.featureTangents, dense).map { relativeError($0, $1) }
    let probeRows = max(1, workspace.rows / 3)
    var probe = Workspace<Double>(spec: network.spec, rows: probeRows, backward: true, tangents: true)
    probe.loadForwardRows(0..<probeRows, from: workspace)
    network.tangent(.sgdStep(rates, gradients: gradients, batch: workspace), &probe)
    let probeErrors = zip(probe.featureTangents, dense).map { tangent, full in
      var expected = Matrix<Double>(rows: probeRows, columns: full.columns)
      expected.copyRows(0..<probeRows, of: full)
      return relativeError(tangent, expected)
    }
    return (batch, probeErrors)
  }

  /// A spec with He/standard initialization (`σ = gain/√fanIn`, multipliers 1, one global rate):
  /// the `sp` parametrization, without depending on `Scalings`.
  public static func standardSpec(
    kind: ArchitectureKind, inputDimension: Int, width: Int, depth: Int, outputDimension: Int,
    activation: Activation = .relu, loss: Loss = .mse, branchScale: Double = 1
  ) throws -> NetworkSpec {
    let architecture = try Architecture(
      kind: kind, inputDimension: inputDimension, width: width, depth: depth,
      outputDimension: outputDimension, activation: activation, branchScale: branchScale)
    return try NetworkSpec(architecture: architecture, loss: loss) { unit in
      UnitScaling(
        weight: LayerScaling(initStandardDeviation: unit.inputActivation.gain / Double(unit.fanIn).squareRoot()),
        bias: nil)
    }
  }
}

extension Network {
  /// Forward pass, loss and backward pass on the batch in `workspace`; returns `∇_θ ℒ` (tests).
  public func gradients(_ workspace: inout Workspace<Scalar>) -> NetworkParameters<Scalar> {
    var gradients = NetworkParameters<Scalar>(zerosFor: spec)
    forward(&workspace)
    computeLoss(&workspace)
    backward(&workspace, gradients: &gradients)
    return gradients
  }
}
