import NumericCore

/// Preallocated buffers for the passes of one network on batches of `rows` samples.
///
/// A workspace is made once per batch size and reused every step, so the training loop does not
/// allocate. It holds the input `X`, the targets, every feature `F_ℓ` (theory §1: pre-activations
/// for MLPs, the residual stream for ResNets), and — when asked for — the backward signals
/// `b_ℓ = ∂ℒ/∂F_ℓ` and the feature tangents `δF_ℓ` (theory §3), plus the units' internals.
/// Arrays are indexed by layer position (0 = first layer in forward order).
public struct Workspace<Scalar: BLASScalar>: Sendable {
  /// Batch size `n`.
  public let rows: Int
  /// `X`, `n × d_0`: fill it (e.g. `copyRows`) before `Network.forward`.
  public var input: Matrix<Scalar>
  /// The batch targets used by `Network.computeLoss`.
  public var targets: BatchTargets<Scalar>
  /// `F_ℓ`, `n × d_ℓ`, written by `Network.forward`. The last one is the network output.
  public internal(set) var features: [Matrix<Scalar>]
  /// `b_ℓ = ∂ℒ/∂F_ℓ`, `n × d_ℓ`, written by `Network.computeLoss` (last) and `Network.backward`.
  /// Empty when the workspace was made without backward buffers.
  public internal(set) var backward: [Matrix<Scalar>]
  /// `δF_ℓ`, `n × d_ℓ`, written by `Network.tangent`. Empty without tangent buffers.
  public internal(set) var featureTangents: [Matrix<Scalar>]
  /// Loss of the last `computeLoss`.
  public internal(set) var loss: Double = .nan
  /// Correctly classified samples at the last `computeLoss`.
  public internal(set) var correct: Int = 0

  // Unit internals, [layer position][unit]; 0×0 placeholders where unused.
  var unitInputs: [[Matrix<Scalar>]]  // z_u for u ≥ 1
  var activated: [[Matrix<Scalar>]]  // α(z_u) (α(ν(z_u)) when normalized) when α ≠ identity
  var normalized: [[Matrix<Scalar>]]  // y_u = ν(z_u), n × fanIn, for units that normalize their input
  var rowRMS: [[Matrix<Scalar>]]  // r_u = rms_row(z_u), n × 1, for units that normalize their input
  var unitBackward: [[Matrix<Scalar>]]  // ∂ℒ/∂z_u for u ≥ 1
  var scratch: [[Matrix<Scalar>]]  // n × fanIn: ∂ℒ/∂g_u in backward, δg_u in tangent
  var unitTangents: [[Matrix<Scalar>]]  // δz_u for u ≥ 1
  var gram: Matrix<Scalar>  // the (batch or probe–batch) Gram matrix of the SGD-step tangent

  /// Buffers for `spec` and batches of `rows` samples.
  /// - Parameters:
  ///   - backward: allocate the backward pass buffers (training needs them).
  ///   - tangents: allocate the tangent pass buffers (feature-update measurements need them).
  public init(spec: NetworkSpec, rows: Int, backward: Bool = true, tangents: Bool = false) {
    precondition(rows >= 1, "A workspace needs at least one row")
    self.rows = rows
    func empty() -> Matrix<Scalar> { Matrix(rows: 0, columns: 0) }
    input = Matrix(rows: rows, columns: spec.inputDimension)
    targets = BatchTargets(rows: rows, outputDimension: spec.outputDimension, loss: spec.loss)
    features = spec.layers.map { Matrix(rows: rows, columns: $0.outputWidth) }
    self.backward = backward ? spec.layers.map { Matrix(rows: rows, columns: $0.outputWidth) } : []
    featureTangents = tangents ? spec.layers.map { Matrix(rows: rows, columns: $0.outputWidth) } : []
    unitInputs = spec.layers.map { layer in
      layer.units.indices.map { u in u == 0 ? empty() : Matrix(rows: rows, columns: layer.units[u].fanIn) }
    }
    activated = spec.layers.map { layer in
      layer.units.map { $0.inputActivation == .identity ? empty() : Matrix(rows: rows, columns: $0.fanIn) }
    }
    normalized = spec.layers.map { layer in
      layer.units.map { $0.normalizesInput ? Matrix(rows: rows, columns: $0.fanIn) : empty() }
    }
    rowRMS = spec.layers.map { layer in
      layer.units.map { $0.normalizesInput ? Matrix(rows: rows, columns: 1) : empty() }
    }
    unitBackward = spec.layers.map { layer in
      layer.units.indices.map { u in
        u == 0 || !backward ? empty() : Matrix(rows: rows, columns: layer.units[u].fanIn)
      }
    }
    scratch = spec.layers.map { layer in
      layer.units.map { backward || tangents ? Matrix(rows: rows, columns: $0.fanIn) : empty() }
    }
    unitTangents = spec.layers.map { layer in
      layer.units.indices.map { u in
        u == 0 || !tangents ? empty() : Matrix(rows: rows, columns: layer.units[u].fanIn)
      }
    }
    gram = tangents ? Matrix(rows: rows, columns: rows) : empty()
  }

  /// Bytes held by the buffers (for memory accounting).
  public var byteCount: Int {
    let matrices = [input, targets.values, gram] + features + backward + featureTangents
      + (unitInputs + activated + normalized + rowRMS + unitBackward + scratch + unitTangents).flatMap { $0 }
    return matrices.reduce(0) { $0 + $1.count } * MemoryLayout<Scalar>.stride + targets.labels.count * 4
  }

  /// Whether backward buffers exist.
  public var hasBackward: Bool { !backward.isEmpty }
  /// Whether tangent buffers exist.
  public var hasTangents: Bool { !featureTangents.isEmpty }

  /// Whether the buffers fit `spec`.
  public func matches(_ spec: NetworkSpec) -> Bool {
    features.count == spec.layers.count
      && zip(features, spec.layers).allSatisfy { $0.columns == $1.outputWidth }
      && input.columns == spec.inputDimension
  }

  /// Copies rows `range` of another workspace's backward signals into rows `0..<range.count` of
  /// this one's (used to evaluate angles on a probe subsample of a batch, theory §3.2).
  public mutating func loadBackwardRows(_ range: Range<Int>, from other: Workspace) {
    precondition(hasBackward && other.hasBackward && range.count == rows, "loadBackwardRows: shapes differ")
    for l in backward.indices { backward[l].copyRows(range, of: other.backward[l]) }
  }

  /// Copies rows `range` of another workspace's batch **and forward pass** (inputs, targets, every
  /// feature and unit internal) into this one: a probe of a batch without a second forward pass
  /// (theory §3.2; rows are independent in the forward pass, so the copied rows are exactly the
  /// probe's forward pass). `range.count` must equal `rows`.
  public mutating func loadForwardRows(_ range: Range<Int>, from other: Workspace) {
    precondition(range.count == rows && features.count == other.features.count, "loadForwardRows: shapes differ")
    loadRows(range, inputs: other.input, targets: other.targets)
    for l in features.indices {
      features[l].copyRows(range, of: other.features[l])
      for u in unitInputs[l].indices where u > 0 { unitInputs[l][u].copyRows(range, of: other.unitInputs[l][u]) }
      for u in activated[l].indices where activated[l][u].count > 0 {
        activated[l][u].copyRows(range, of: other.activated[l][u])
      }
      for u in normalized[l].indices where normalized[l][u].count > 0 {
        normalized[l][u].copyRows(range, of: other.normalized[l][u])
        rowRMS[l][u].copyRows(range, of: other.rowRMS[l][u])
      }
    }
  }

  /// Copies rows `range` of `inputs` and of the targets into this workspace (batch assembly by
  /// contiguous rows; see `Training.BatchSampler` for shuffled batches).
  public mutating func loadRows(_ range: Range<Int>, inputs: Matrix<Scalar>, targets: BatchTargets<Scalar>) {
    precondition(range.count == rows, "loadRows: \(range.count) rows into a workspace of \(rows)")
    input.copyRows(range, of: inputs)
    if self.targets.values.rows > 0 { self.targets.values.copyRows(range, of: targets.values) }
    if !self.targets.labels.isEmpty {
      for (i, r) in range.enumerated() { self.targets.labels[i] = targets.labels[r] }
    }
  }

  /// Replaces every feature by its difference with `other`'s: `F_ℓ ← F_ℓ − F_ℓ(other)` (used to
  /// form the actual feature change `ΔF_ℓ` after a step, theory §3.2). Shapes must agree.
  public mutating func subtractFeatures(of other: Workspace) {
    precondition(features.count == other.features.count && rows == other.rows, "subtractFeatures: shapes differ")
    for l in features.indices { features[l].add(other.features[l], scaledBy: -1) }
  }

  /// The activated input `g = α(z)` (`α(ν(z))` for a unit that normalizes its input, theory §5.3)
  /// of unit `u` of layer position `l` after `forward` (`n × fanIn`): the data, a feature, a unit
  /// internal, or their normalization.
  public func activatedInput(layer l: Int, unit u: Int, spec: NetworkSpec) -> Matrix<Scalar> {
    let unit = spec.layers[l].units[u]
    if unit.inputActivation != .identity { return activated[l][u] }
    if unit.normalizesInput { return normalized[l][u] }
    return unitInput(layer: l, unit: u)
  }

  /// The input `z` of unit `u` of layer position `l` (`n × fanIn`): the data, a feature, or a
  /// unit internal.
  func unitInput(layer l: Int, unit u: Int) -> Matrix<Scalar> {
    u > 0 ? unitInputs[l][u] : (l == 0 ? input : features[l - 1])
  }

  /// Writes `r = rms_row(z)` and `y = ν(z) = z / r` of unit `u` of layer position `l` (theory §5.3).
  mutating func normalizeInput(layer l: Int, unit u: Int, _ z: Matrix<Scalar>, epsilon: Double) {
    rowRMS[l][u].setRowRootMeanSquares(of: z, epsilon: epsilon)
    let r = rowRMS[l][u]
    normalized[l][u].setRowNormalization(of: z, rootMeanSquares: r)
  }

  /// `∂ℒ/∂y` at the output of unit `u` of layer position `l` after `backward` (`n × fanOut`):
  /// `b_ℓ` for the last unit of the layer.
  public func unitOutputGradient(layer l: Int, unit u: Int) -> Matrix<Scalar> {
    u + 1 < unitBackward[l].count ? unitBackward[l][u + 1] : backward[l]
  }

  /// `F_ℓ[rows] ← F_ℓ[rows] − F_ℓ(other)[otherRows]` for every layer: the actual change of a
  /// subset of rows (theory §3.2).
  public mutating func subtractFeatures(rows: Range<Int>, of other: Workspace, rows otherRows: Range<Int>) {
    precondition(features.count == other.features.count, "subtractFeatures: shapes differ")
    for l in features.indices { features[l].add(rows: rows, other.features[l], rows: otherRows, scaledBy: -1) }
  }

  /// Copies the inputs and targets of `other` (same batch size) without reallocating.
  public mutating func loadBatch(from other: Workspace) {
    precondition(rows == other.rows, "loadBatch: \(other.rows) rows into a workspace of \(rows)")
    input.copy(from: other.input)
    targets.copy(from: other.targets)
  }

  /// Calls `body` with the buffer that receives the tangent of unit `u`'s output: `δF_ℓ` for the
  /// last unit of layer `l`, the next unit's input tangent otherwise.
  mutating func withUnitTangent(layer l: Int, unit u: Int, isLast: Bool, _ body: (inout Matrix<Scalar>) -> Void) {
    if isLast { body(&featureTangents[l]) } else { body(&unitTangents[l][u + 1]) }
  }

  /// Calls `body` with the buffer that receives `∂ℒ/∂z` at the input of unit `u` of layer `l`:
  /// `b_{ℓ−1}` for the first unit, the unit's internal buffer otherwise.
  mutating func withInputGradient(layer l: Int, unit u: Int, _ body: (inout Matrix<Scalar>) -> Void) {
    if u == 0 { body(&backward[l - 1]) } else { body(&unitBackward[l][u]) }
  }
}
