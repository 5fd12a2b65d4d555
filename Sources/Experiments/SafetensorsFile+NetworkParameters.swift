import NumericCore
import Training
import Networks

/// Network parameters in safetensors files (`weights-init.safetensors`, `weights-final.safetensors`).
///
/// Names use the user-facing layer index ℓ (MLP 1…L, ResNet 0…L+1):
/// - a layer with one dense unit: `layer{ℓ}.weight` (`[fanOut, fanIn]`) and `layer{ℓ}.bias` (`[fanOut]`);
/// - a layer with several units (a two-matrix residual branch): `layer{ℓ}.{unit}.weight` and
///   `layer{ℓ}.{unit}.bias`, units counted from 0.
///
/// Weights keep PyTorch's `nn.Linear` layout; biases are rank-1 like `nn.Linear.bias`. Tensors are
/// written in forward order, each weight followed by its bias.
extension SafetensorsFile {
  /// The tensor name of a unit's weight (or bias) in layer `layerIndex` of a layer with `unitCount` units.
  public static func parameterName(layerIndex: Int, unit: Int, unitCount: Int, isBias: Bool) -> String {
    let tensor = isBias ? "bias" : "weight"
    return unitCount == 1 ? "layer\(layerIndex).\(tensor)" : "layer\(layerIndex).\(unit).\(tensor)"
  }

  /// Appends every tensor of `parameters` under the names above.
  /// - Parameter layerIndices: the user-facing index of each layer position, e.g. `spec.layerIndices`;
  ///   one per entry of `parameters.layers`.
  public mutating func add<Scalar: BLASScalar>(_ parameters: NetworkParameters<Scalar>, layerIndices: [Int]) {
    precondition(
      layerIndices.count == parameters.layers.count,
      "\(layerIndices.count) layer indices for \(parameters.layers.count) layers of parameters")
    for (units, layerIndex) in zip(parameters.layers, layerIndices) {
      for (unit, tensors) in units.enumerated() {
        add(Self.parameterName(layerIndex: layerIndex, unit: unit, unitCount: units.count, isBias: false), tensors.weight)
        if let bias = tensors.bias {
          add(
            Self.parameterName(layerIndex: layerIndex, unit: unit, unitCount: units.count, isBias: true),
            bias, shape: [bias.count])
        }
      }
    }
  }

  /// The parameters of a network shaped like `spec`, read from the tensors named above.
  ///
  /// Every weight must be `[fanOut, fanIn]` and every bias `[fanOut]` with dtype
  /// `Scalar.safetensorsDType`, and the file must hold no other tensors.
  /// - Throws: `SafetensorsError.missingTensor`, `.dtypeMismatch`, `.shapeMismatch`,
  ///   `.unexpectedTensors`.
  public func networkParameters<Scalar: BLASScalar>(
    for spec: NetworkSpec, as type: Scalar.Type = Scalar.self
  ) throws -> NetworkParameters<Scalar> {
    var used = Set<String>()
    var layers = [[DenseParameters<Scalar>]]()
    for layer in spec.layers {
      var units = [DenseParameters<Scalar>]()
      for (u, unit) in layer.units.enumerated() {
        let weightName = Self.parameterName(layerIndex: layer.index, unit: u, unitCount: layer.units.count, isBias: false)
        let weight = try matrix(named: weightName, as: Scalar.self, shape: [unit.fanOut, unit.fanIn])
        used.insert(weightName)
        var bias: Matrix<Scalar>?
        if unit.scaling.bias != nil {
          let biasName = Self.parameterName(layerIndex: layer.index, unit: u, unitCount: layer.units.count, isBias: true)
          bias = try matrix(named: biasName, as: Scalar.self, shape: [unit.fanOut])
          used.insert(biasName)
        }
        units.append(DenseParameters(weight: weight, bias: bias))
      }
      layers.append(units)
    }
    let unexpected = names.filter { !used.contains($0) }
    guard unexpected.isEmpty else { throw SafetensorsError.unexpectedTensors(source: source, names: unexpected) }
    return NetworkParameters(layers: layers)
  }
}
