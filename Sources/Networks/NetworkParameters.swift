import NumericCore

/// The trainable tensors of one dense unit: `W` (`fanOut × fanIn`) and optionally `c` (`1 × fanOut`).
///
/// The same type holds parameters, gradients `∇_W ℒ`, and parameter directions (updates `δW`),
/// so all three line up unit by unit.
public struct DenseParameters<Scalar: BLASScalar>: Sendable, Equatable {
  /// `W`, `fanOut × fanIn` (PyTorch layout).
  public var weight: Matrix<Scalar>
  /// `c`, `1 × fanOut`, or `nil` for a unit without bias.
  public var bias: Matrix<Scalar>?

  public init(weight: Matrix<Scalar>, bias: Matrix<Scalar>?) {
    self.weight = weight
    self.bias = bias
  }

  /// Zeros shaped like `spec`.
  public init(zerosFor spec: DenseSpec) {
    weight = Matrix(rows: spec.fanOut, columns: spec.fanIn)
    bias = spec.scaling.bias == nil ? nil : Matrix(rows: 1, columns: spec.fanOut)
  }
}

/// All trainable tensors of a network, indexed `[layer position][unit]` (layer position counts
/// from 0 in forward order; `NetworkSpec.layers[i].index` is the user-facing index).
///
/// Also used for gradients and update directions, which have the same structure.
public struct NetworkParameters<Scalar: BLASScalar>: Sendable, Equatable {
  /// Tensors per layer position and unit.
  public var layers: [[DenseParameters<Scalar>]]

  public init(layers: [[DenseParameters<Scalar>]]) { self.layers = layers }

  /// Zeros shaped like `spec`.
  public init(zerosFor spec: NetworkSpec) {
    layers = spec.layers.map { $0.units.map { DenseParameters(zerosFor: $0) } }
  }

  /// Random initial parameters following each unit's `LayerScaling` (theory §2, §5.1).
  /// - Throws: `NumericError` if a semi-orthogonal initialization fails (it does not in practice).
  public init(initializing spec: NetworkSpec, using generator: inout SeededGenerator) throws {
    func draw(_ scaling: LayerScaling, rows: Int, columns: Int) throws -> Matrix<Scalar> {
      switch scaling.initialization {
      case .gaussian:
        return .gaussian(rows: rows, columns: columns, standardDeviation: scaling.initStandardDeviation, using: &generator)
      case .semiOrthogonal:
        let norm = scaling.initStandardDeviation * Double(max(rows, columns)).squareRoot()
        return try .randomSemiOrthogonal(rows: rows, columns: columns, spectralNorm: norm, using: &generator)
      }
    }
    var layers = [[DenseParameters<Scalar>]]()
    for layer in spec.layers {
      var units = [DenseParameters<Scalar>]()
      for unit in layer.units {
        let weight = try draw(unit.scaling.weight, rows: unit.fanOut, columns: unit.fanIn)
        let bias = try unit.scaling.bias.map { try draw($0, rows: 1, columns: unit.fanOut) }
        units.append(DenseParameters(weight: weight, bias: bias))
      }
      layers.append(units)
    }
    self.layers = layers
  }

  /// Checks that the tensors have the shapes `spec` prescribes.
  public func matches(_ spec: NetworkSpec) -> Bool {
    guard layers.count == spec.layers.count else { return false }
    for (units, layer) in zip(layers, spec.layers) {
      guard units.count == layer.units.count else { return false }
      for (p, u) in zip(units, layer.units) {
        guard p.weight.rows == u.fanOut, p.weight.columns == u.fanIn else { return false }
        guard (p.bias == nil) == (u.scaling.bias == nil) else { return false }
        if let b = p.bias, b.count != u.fanOut { return false }
      }
    }
    return true
  }

  /// Calls `body` on every tensor with its layer position, unit and whether it is a bias.
  public func forEachTensor(_ body: (_ layer: Int, _ unit: Int, _ isBias: Bool, _ tensor: Matrix<Scalar>) throws -> Void) rethrows {
    for (l, units) in layers.enumerated() {
      for (u, p) in units.enumerated() {
        try body(l, u, false, p.weight)
        if let b = p.bias { try body(l, u, true, b) }
      }
    }
  }

  /// `self += alpha · other` tensor by tensor (same structure).
  public mutating func add(_ other: NetworkParameters, scaledBy alpha: Scalar = 1) {
    precondition(layers.count == other.layers.count, "add: parameter structures differ")
    for l in layers.indices {
      for u in layers[l].indices {
        layers[l][u].weight.add(other.layers[l][u].weight, scaledBy: alpha)
        if let b = other.layers[l][u].bias { layers[l][u].bias!.add(b, scaledBy: alpha) }
      }
    }
  }

  /// Copies every tensor of `other` (same structure) without reallocating.
  public mutating func copy(from other: NetworkParameters) {
    precondition(layers.count == other.layers.count, "copy: parameter structures differ")
    for l in layers.indices {
      for u in layers[l].indices {
        layers[l][u].weight.copy(from: other.layers[l][u].weight)
        if let b = other.layers[l][u].bias { layers[l][u].bias!.copy(from: b) }
      }
    }
  }

  /// Per layer position, `Σ ⟨a_t, b_t⟩` over the layer's tensors (weights and biases).
  public static func layerInnerProducts(_ a: NetworkParameters, _ b: NetworkParameters) -> [Double] {
    precondition(a.layers.count == b.layers.count, "layerInnerProducts: parameter structures differ")
    return zip(a.layers, b.layers).map { unitsA, unitsB in
      zip(unitsA, unitsB).reduce(0.0) { sum, pair in
        var s = sum + Matrix.dot(pair.0.weight, pair.1.weight)
        if let x = pair.0.bias, let y = pair.1.bias { s += Matrix.dot(x, y) }
        return s
      }
    }
  }

  /// Per layer position, the squared norm `Σ ‖t‖²` over the layer's tensors.
  public var layerSquaredNorms: [Double] { NetworkParameters.layerInnerProducts(self, self) }

  /// `true` when no tensor holds NaN or ±∞.
  public var isFinite: Bool {
    layers.allSatisfy { $0.allSatisfy { $0.weight.isFinite && ($0.bias?.isFinite ?? true) } }
  }

  /// Number of scalars.
  public var scalarCount: Int {
    layers.reduce(0) { $0 + $1.reduce(0) { $0 + $1.weight.count + ($1.bias?.count ?? 0) } }
  }
}
