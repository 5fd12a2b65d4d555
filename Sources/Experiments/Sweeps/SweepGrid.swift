import Foundation
import Networks
import Scalings
import Training

/// One cell of a sweep: one training run, named by its grid values.
public struct SweepCell: Codable, Equatable, Sendable {
  /// One grid key and the cell's value for it.
  public struct Value: Codable, Equatable, Sendable {
    /// The key, a `train` flag without `--` (`learning-rate`).
    public var key: String
    /// The value's canonical text (`0.1`, `mup`, `inv-sqrt`, `synthetic`, `default` for null).
    public var value: String

    /// A key and value.
    public init(key: String, value: String) {
      self.key = key
      self.value = value
    }
  }

  /// Position in the expansion order (grid keys in file order, then the zip group; the last
  /// varies fastest). It changes when values are added; `id` does not.
  public var index: Int
  /// The cell's values of the grid (and zip) keys, in axis order.
  public var values: [Value]
  /// The run: base settings, then the cell's values; `name` is `id` and `output` is
  /// `<sweep output>/cells/<id>`.
  public var request: RunRequest
  /// The stable cell id (see `SweepExpansion.cellID`): `width=256_preset=mup_seed=0`. It depends
  /// only on the cell's values, so adding values to a list keeps the ids of existing cells. It is
  /// a valid directory name (letters, digits, `.`, `+`, `-`, `=`, `_`; at most 120 characters).
  public var id: String

  /// A cell.
  public init(index: Int, values: [Value], request: RunRequest, id: String) {
    self.index = index
    self.values = values
    self.request = request
    self.id = id
  }
}

/// The cartesian product of a sweep's axes, checked cell by cell.
struct SweepExpansion {
  /// Cell ids longer than this are shortened with a hash.
  static let maximumIDLength = 120

  let source: String
  let output: String
  let base: [SweepSetting]
  let axes: [SweepAxis]
  /// The `grid:` key, where size errors point.
  let gridLocation: SweepLocation

  /// Every cell in order: the last axis varies fastest.
  /// - Throws: `SweepConfigError.tooManyCells`, `.contradiction` for the first cell that cannot
  ///   run, `.cellIDCollision`.
  func cells() throws -> [SweepCell] {
    var count = 1
    var overflow = false
    for axis in axes {
      (count, overflow) = count.multipliedReportingOverflow(by: axis.points.count)
      if overflow || count > SweepConfig.maximumCellCount {
        let shown = overflow ? "more than \(Int.max)" : "at least \(count)"
        throw SweepConfigError.tooManyCells(gridLocation, count: shown, limit: SweepConfig.maximumCellCount)
      }
    }
    var baseRequest = RunRequest()
    for setting in base { setting.sweepKey.apply(setting.parsed, to: &baseRequest) }
    // An optimizer constant for an optimizer that does not read it is refused when every cell has
    // the same optimizer (as `train` refuses the flag); when the grid varies the optimizer, a
    // constant applies to the cells whose optimizer reads it.
    let optimizerVaries = axes.contains { $0.keys.contains(SweepKey.optimizer.rawValue) }
    let baseKeys = Set(base.map(\.sweepKey))

    var cells = [SweepCell]()
    cells.reserveCapacity(count)
    var owners = [String: String]()
    var position = [Int](repeating: 0, count: axes.count)
    for index in 0..<count {
      let settings = zip(axes, position).flatMap { axis, i in axis.points[i] }
      var request = baseRequest
      for setting in settings { setting.sweepKey.apply(setting.parsed, to: &request) }
      let values = settings.map { SweepCell.Value(key: $0.key, value: $0.value) }
      let described = "#\(index) (" + values.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ")"
      let given = optimizerVaries ? [] : baseKeys.union(settings.map(\.sweepKey))
      if let conflict = Self.contradiction(in: request, given: given) {
        throw SweepConfigError.contradiction(
          locate(conflict.keys, in: settings), cell: described, problem: conflict.problem, fix: conflict.fix)
      }
      let id = Self.cellID(values)
      if let other = owners[id] {
        throw SweepConfigError.cellIDCollision(settings[0].location, id: id, first: other, second: described)
      }
      owners[id] = described
      request.name = id
      request.output = joinPath(joinPath(output, "cells"), id)
      cells.append(SweepCell(index: index, values: values, request: request, id: id))
      // Odometer step: the last axis varies fastest.
      var axis = axes.count - 1
      while axis >= 0 {
        position[axis] += 1
        if position[axis] < axes[axis].points.count { break }
        position[axis] = 0
        axis -= 1
      }
    }
    return cells
  }

  /// Where a contradiction among `keys` is reported: the first of them that the cell's grid
  /// values set (what varies), else the first set in `base`, else the cell's first grid value.
  private func locate(_ keys: [SweepKey], in settings: [SweepSetting]) -> SweepLocation {
    for key in keys {
      if let setting = settings.first(where: { $0.sweepKey == key }) { return setting.location }
    }
    for key in keys {
      if let setting = base.first(where: { $0.sweepKey == key }) { return setting.location }
    }
    return settings.first?.location ?? gridLocation
  }

  /// The first reason `request` cannot run, with the keys involved (the one to point at first),
  /// or `nil`. Covers `resolveBranchScale`'s rules, what needs the data kind, and
  /// `RunRequest.validate()`.
  /// - Parameter given: the keys the sweep file sets for the cell (base and grid), for the rules
  ///   on what was given (an optimizer constant for an optimizer that does not use it).
  static func contradiction(in r: RunRequest, given: Set<SweepKey> = []) -> (keys: [SweepKey], problem: String, fix: String)? {
    // The constants each optimizer reads (the same rule as the train flags).
    let constants: [(SweepKey, [OptimizerKind])] = [
      (.momentum, [.momentum]), (.nesterov, [.momentum]), (.beta1, [.adam, .adamw]), (.beta2, [.adam, .adamw]),
      (.adamEpsilon, [.adam, .adamw]), (.weightDecay, [.adamw]), (.newtonSchulzSteps, [.spectral]),
      (.newtonSchulzVariant, [.spectral]),
    ]
    for (key, kinds) in constants where given.contains(key) && !kinds.contains(r.optimizer.kind) {
      let names = kinds.map(\.rawValue).joined(separator: " or ")
      return ([key, .optimizer], "\(key.rawValue) applies to optimizer \(names), but optimizer is \(r.optimizer.kind.rawValue)",
              "Remove \(key.rawValue), or set optimizer: \(kinds[0].rawValue) (pair values with their optimizer in zip: when both vary).")
    }
    guard let preset = try? Presets.named(r.preset) else {
      return ([.preset], "there is no preset '\(r.preset)'", "Use one of " + Presets.names.joined(separator: ", ") + ".")
    }
    if !preset.architectures.contains(r.architecture) {
      let kinds = preset.architectures.map(\.rawValue).joined(separator: " or ")
      let other = r.architecture == .mlp ? "mup or sp" : "mup or resnet-sqrt"
      return ([.preset, .arch], "preset \(preset.name) is for arch \(kinds), but arch is \(r.architecture.rawValue)",
              "Set arch: \(kinds) in base:, or drop \(preset.name) from this list (for arch \(r.architecture.rawValue) use e.g. \(other)).")
    }
    if r.architecture == .mlp && r.depth < 2 {
      return ([.depth, .arch], "an MLP has depth ≥ 2 weight matrices, found depth \(r.depth)",
              "Use depth ≥ 2, or arch: resnet (depth counts residual blocks, ≥ 1).")
    }
    if r.architecture == .mlp, let scale = r.branchScale {
      return ([.branchScale, .arch], "branch-scale \(scale.slug) applies to ResNets only, but arch is mlp",
              "Remove branch-scale, or set arch: resnet.")
    }
    if r.architecture == .resnet {
      do {
        _ = try resolveBranchScale(preset: preset, requested: r.branchScale, kind: r.architecture, depth: r.depth)
      } catch PresetError.conflictingBranchScale(let name, let prescribed, let requested, _) {
        return ([.branchScale, .preset],
                "preset \(name) sets the branch scale β = \(prescribed), but branch-scale asks for \(requested.slug)",
                "Remove branch-scale (the preset sets β), or use a preset that leaves β free, e.g. mup.")
      } catch {
        return ([.branchScale, .preset], "\(error)", "Change branch-scale or preset.")
      }
    }
    if let probe = r.probe, probe > r.batchSize {
      return ([.probe, .batchSize], "probe \(probe) is larger than batch-size \(r.batchSize)",
              "Use probe ≤ batch-size, or probe: null for exact measurements on the whole batch.")
    }
    if r.data.isFileData {
      for (key, value) in [(SweepKey.inputDim, r.inputDimension), (.outputDim, r.outputDimension)] {
        if let value {
          return ([key, .data], "\(key.rawValue) \(value) applies to synthetic data, but data is "
                    + "\(r.data.shortestSpelling), whose files set the dimension",
                  "Remove \(key.rawValue), or pair values with their data in zip: "
                    + "(e.g. data: [synthetic, fashion-mnist] with \(key.rawValue): [\(value), null]).")
        }
      }
    } else if r.trainSize < r.batchSize {
      return ([.trainSize, .batchSize], "train-size \(r.trainSize) is smaller than batch-size \(r.batchSize)",
              "Use train-size ≥ batch-size.")
    }
    if r.loss == .crossEntropy, let classes = r.outputDimension, classes < 2 {
      return ([.outputDim, .loss], "cross-entropy needs at least 2 classes, found output-dim \(classes)",
              "Use output-dim ≥ 2, or loss: mse.")
    }
    do {
      try r.validate()
    } catch {
      let keys = keys(mentionedBy: error)
      // In the sweep file's spelling (`control-cap`, not `--control-cap`), without the final period.
      var problem = "\(error)"
      for key in keys { problem = problem.replacingOccurrences(of: "--\(key.rawValue)", with: key.rawValue) }
      while problem.hasSuffix(".") { problem.removeLast() }
      return (keys, problem, "Change the value at this line.")
    }
    return nil
  }

  /// The keys a `RunRequest.validate()` error names (`--train-size` → `train-size`,
  /// `"batch size"` → `batch-size`).
  private static func keys(mentionedBy error: any Error) -> [SweepKey] {
    let name: String
    switch error {
    case RunError.invalidOption(let flag, _, _): name = String(flag.drop(while: { $0 == "-" }))
    case TrainingError.invalidSetting(let setting, _, _): name = setting.replacingOccurrences(of: " ", with: "-")
    case ControlError.invalidSetting(let flag, _, _): name = String(flag.drop(while: { $0 == "-" }))
    case ControlError.conflictingOptions(let a, let b):
      return [a, b].compactMap { SweepKey(rawValue: String($0.drop(while: { $0 == "-" }))) }
    default: return []
    }
    return SweepKey(rawValue: name).map { [$0] } ?? []
  }

  /// The id of a cell with `values`: `key=value` pairs joined by `_`, each value made a safe
  /// file-name part (characters other than ASCII letters, digits, `.`, `+`, `-` become `-`, runs of
  /// `-` collapse). Longer than `maximumIDLength`: the first characters, `_`, and the 16 hex
  /// digits of the FNV-1a 64-bit hash of the full canonical `key=value` lines.
  static func cellID(_ values: [SweepCell.Value]) -> String {
    let readable = values.map { "\($0.key)=\(fileNamePart($0.value))" }.joined(separator: "_")
    guard readable.utf8.count > maximumIDLength else { return readable }
    let hash = fnv1a64(values.map { "\($0.key)=\($0.value)" }.joined(separator: "\n"))
    let hex = String(hash, radix: 16)
    let digits = String(repeating: "0", count: 16 - hex.count) + hex
    var head = String(readable.prefix(maximumIDLength - 17))
    while let last = head.last, "_-=".contains(last) { head.removeLast() }
    return head + "_" + digits
  }

  private static let fileNameCharacters = Set(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-".unicodeScalars)

  /// `text` with every character other than ASCII letters, digits, `.`, `+`, `-` replaced by `-`,
  /// runs of `-` collapsed, and leading or trailing `-` removed: `mnist:/data/mnist` → `mnist-data-mnist`.
  static func fileNamePart(_ text: String) -> String {
    var part = ""
    for scalar in text.unicodeScalars {
      let character: Character = fileNameCharacters.contains(scalar) ? Character(scalar) : "-"
      if character == "-" && part.last == "-" { continue }
      part.append(character)
    }
    while part.first == "-" { part.removeFirst() }
    while part.last == "-" { part.removeLast() }
    return part.isEmpty ? "x" : part
  }
}

/// 64-bit FNV-1a of the UTF-8 bytes of `text`: stable across processes and machines (unlike
/// Swift's `Hasher`, which is seeded per process).
func fnv1a64(_ text: String) -> UInt64 {
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325
  for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
  return hash
}
