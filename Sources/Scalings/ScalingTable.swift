import Networks

/// Which parameter tensor of a dense unit a table row describes. Raw values are slugs.
public enum ParameterTensor: String, Codable, CaseIterable, Sendable {
  /// The weight matrix `W`, `[fanOut, fanIn]`.
  case weight
  /// The bias vector `c`, `[fanOut]` (fanIn = 1 in the table).
  case bias
}

/// One tensor's resolved scaling (theory §5.1): the line a user checks first when a sweep looks
/// wrong. Printed by `featurespeed presets` and written into every run's config.json.
public struct ScalingTableRow: Codable, Equatable, Sendable {
  /// Layer index as users see it (MLP 1…L, ResNet 0…L+1).
  public var layerIndex: Int
  /// Position of the unit in the layer's chain (0, or 0/1 in a two-matrix residual branch).
  public var unitIndex: Int
  /// Weight or bias.
  public var tensor: ParameterTensor
  /// Role of the tensor (`bias` for every bias).
  public var role: LayerRole
  /// Input width (1 for a bias).
  public var fanIn: Int
  /// Output width.
  public var fanOut: Int
  /// `β` of the residual block holding the tensor, `nil` outside residual blocks.
  public var branchScale: Double?
  /// Distribution of the initial entries.
  public var initialization: InitializationKind
  /// `σ`, including the global init scale.
  public var initStandardDeviation: Double
  /// `a`, the forward multiplier.
  public var forwardMultiplier: Double
  /// `η_ℓ/η`.
  public var learningRateMultiplier: Double
  /// `η_ℓ = η · (η_ℓ/η)` for the base learning rate the table was built with.
  public var learningRate: Double

  /// A row; see the properties.
  public init(
    layerIndex: Int, unitIndex: Int, tensor: ParameterTensor, role: LayerRole, fanIn: Int,
    fanOut: Int, branchScale: Double?, initialization: InitializationKind,
    initStandardDeviation: Double, forwardMultiplier: Double, learningRateMultiplier: Double,
    learningRate: Double
  ) {
    self.layerIndex = layerIndex
    self.unitIndex = unitIndex
    self.tensor = tensor
    self.role = role
    self.fanIn = fanIn
    self.fanOut = fanOut
    self.branchScale = branchScale
    self.initialization = initialization
    self.initStandardDeviation = initStandardDeviation
    self.forwardMultiplier = forwardMultiplier
    self.learningRateMultiplier = learningRateMultiplier
    self.learningRate = learningRate
  }
}

/// One row per tensor of `spec`, in forward order (each unit's weight, then its bias).
///
/// - Parameters:
///   - spec: a network with its scalings.
///   - baseLearningRate: `η`; each row's `learningRate` is `η · learningRateMultiplier`.
public func scalingTable(for spec: NetworkSpec, baseLearningRate: Double) -> [ScalingTableRow] {
  var rows = [ScalingTableRow]()
  for layer in spec.layers {
    for unit in layer.units {
      func row(_ tensor: ParameterTensor, _ scaling: LayerScaling) -> ScalingTableRow {
        ScalingTableRow(
          layerIndex: layer.index, unitIndex: unit.layout.unitIndex, tensor: tensor,
          role: tensor == .bias ? .bias : unit.layout.role,
          fanIn: tensor == .bias ? 1 : unit.fanIn, fanOut: unit.fanOut,
          branchScale: layer.residualScale, initialization: scaling.initialization,
          initStandardDeviation: scaling.initStandardDeviation,
          forwardMultiplier: scaling.forwardMultiplier,
          learningRateMultiplier: scaling.learningRateMultiplier,
          learningRate: baseLearningRate * scaling.learningRateMultiplier)
      }
      rows.append(row(.weight, unit.scaling.weight))
      if let bias = unit.scaling.bias { rows.append(row(.bias, bias)) }
    }
  }
  return rows
}

/// The rows as an aligned plain-text table, one line per tensor after a header line.
///
/// Columns: layer, unit (only if some layer has several units), tensor (only if there are
/// biases), role, fanIn, fanOut, β (only for ResNets), init (only if not all Gaussian),
/// init std, multiplier, lr multiplier, lr. Numbers are compact: integers plainly, others with 4
/// significant digits (`0.04419`, `1.526e-05`).
public func renderTable(_ rows: [ScalingTableRow], mergingRepeatedLayers: Bool = false) -> String {
  var columns: [(header: String, numeric: Bool, cell: (ScalingTableRow) -> String)] = [
    ("layer", true, { String($0.layerIndex) })
  ]
  if rows.contains(where: { $0.unitIndex != 0 }) { columns.append(("unit", true, { String($0.unitIndex) })) }
  if rows.contains(where: { $0.tensor == .bias }) { columns.append(("tensor", false, { $0.tensor.rawValue })) }
  columns += [
    ("role", false, { $0.role.rawValue }),
    ("fanIn", true, { String($0.fanIn) }),
    ("fanOut", true, { String($0.fanOut) }),
  ]
  if rows.contains(where: { $0.branchScale != nil }) {
    columns.append(("β", true, { $0.branchScale.map(compactNumber) ?? "-" }))
  }
  if rows.contains(where: { $0.initialization != .gaussian }) {
    columns.append(("init", false, { $0.initialization.rawValue }))
  }
  columns += [
    ("init std", true, { compactNumber($0.initStandardDeviation) }),
    ("fwd multiplier", true, { compactNumber($0.forwardMultiplier) }),
    ("lr multiplier", true, { compactNumber($0.learningRateMultiplier) }),
    ("lr", true, { compactNumber($0.learningRate) }),
  ]
  let headers = columns.map(\.header)
  var cells = rows.map { row in columns.map { $0.cell(row) } }
  if mergingRepeatedLayers { cells = mergedRepeatedLayers(cells) }
  return alignedLines(
    header: headers, cells: cells, rightAligned: columns.map(\.numeric))
}

/// The laws of `preset` for `optimizer` as an aligned plain-text table, one line per role:
/// role, init, init std, forward multiplier, lr multiplier (formulas), then a line explaining the symbols.
public func renderRules(_ preset: Preset, optimizer: OptimizerFamily) -> String {
  let cells = LayerRole.allCases.map { role -> [String] in
    let rule = preset.rule(for: role)
    return [
      role.rawValue, rule.initialization.rawValue, rule.initStandardDeviation.formula,
      rule.forwardMultiplier.formula, rule.learningRate(for: optimizer).formula,
    ]
  }
  return alignedLines(
    header: ["role", "init", "init std", "fwd multiplier", "lr multiplier (\(optimizer.rawValue))"],
    cells: cells, rightAligned: [false, false, false, false, false])
    + "fwd multiplier: the factor a in F = a·W·x; lr multiplier: the tensor's learning rate is the base rate η times it. "
    + "g = gain of the input activation (√2 after ReLU), L = depth; biases are evaluated with fanIn = 1 and g = 1.\n"
}

/// Table rows (first cell the layer index) with every run of consecutive layers whose rows are
/// equal apart from the index merged into one block labelled `first–last`: the identical hidden
/// layers of a deep network become one line per tensor, and nothing is lost.
func mergedRepeatedLayers(_ cells: [[String]]) -> [[String]] {
  // Consecutive rows of one layer (weight, bias, units) form a block.
  var blocks = [(first: String, last: String, rows: [[String]])]()
  for row in cells {
    if let last = blocks.last, last.last == row[0] {
      blocks[blocks.count - 1].rows.append(row)
    } else {
      blocks.append((row[0], row[0], [row]))
    }
  }
  var merged = [(first: String, last: String, rows: [[String]])]()
  for block in blocks {
    if let last = merged.last, last.rows.map({ $0.dropFirst() }) == block.rows.map({ $0.dropFirst() }) {
      merged[merged.count - 1].last = block.last
    } else {
      merged.append(block)
    }
  }
  return merged.flatMap { block in
    block.rows.map { [block.first == block.last ? block.first : "\(block.first)–\(block.last)"] + $0.dropFirst() }
  }
}

/// Lines of cells padded to the widest cell of each column, separated by two spaces.
private func alignedLines(header: [String], cells: [[String]], rightAligned: [Bool]) -> String {
  let all = [header] + cells
  let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
  return all.map { line in
    line.indices.map { c in
      let padding = String(repeating: " ", count: widths[c] - line[c].count)
      return rightAligned[c] ? padding + line[c] : line[c] + padding
    }
    .joined(separator: "  ")
    .trimmingTrailingSpaces()
  }
  .joined(separator: "\n") + "\n"
}

extension String {
  /// The string without trailing spaces.
  fileprivate func trimmingTrailingSpaces() -> String {
    String(reversed().drop(while: { $0 == " " }).reversed())
  }
}
