/// The learning rates of one dense unit: `η_W` and, with a bias, `η_c`.
public struct UnitLearningRates: Codable, Equatable, Sendable {
  public var weight: Double
  public var bias: Double?

  public init(weight: Double, bias: Double?) {
    self.weight = weight
    self.bias = bias
  }
}

/// Per-tensor learning rates `η_k = η × learningRateMultiplier` of a network (theory §3.1, §5.1),
/// indexed `[layer position][unit]` like the parameters.
public struct LearningRates: Codable, Equatable, Sendable {
  public var units: [[UnitLearningRates]]

  /// The rates of `spec`'s scalings for the base learning rate `baseLearningRate`.
  public init(spec: NetworkSpec, baseLearningRate: Double) {
    units = spec.layers.map { layer in
      layer.units.map { unit in
        UnitLearningRates(
          weight: baseLearningRate * unit.scaling.weight.learningRateMultiplier,
          bias: unit.scaling.bias.map { baseLearningRate * $0.learningRateMultiplier })
      }
    }
  }

  /// These rates with every tensor of layer position `l` (weights and biases) multiplied by
  /// `factors[l]` (theory §5.3: backward normalization, FSC-control).
  public func scaled(byLayer factors: [Double]) -> LearningRates {
    precondition(factors.count == units.count, "scaled(byLayer:): \(factors.count) factors for \(units.count) layer positions")
    var result = self
    for (l, factor) in factors.enumerated() {
      for u in result.units[l].indices {
        result.units[l][u].weight *= factor
        result.units[l][u].bias = result.units[l][u].bias.map { $0 * factor }
      }
    }
    return result
  }

  /// These rates with every tensor multiplied by `factor` (a learning-rate schedule's `s_t`).
  public func scaled(by factor: Double) -> LearningRates {
    scaled(byLayer: Array(repeating: factor, count: units.count))
  }
}
