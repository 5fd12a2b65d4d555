import Foundation
import Yams

/// A sweep file (YAML, see docs/sweeps.md): a grid of `train` runs, parsed, checked and expanded.
///
/// ```yaml
/// name: mup-width           # letters, digits, '-', '_'
/// output: runs/mup-width    # optional, default runs/<name>
/// base:                     # every cell: any `train` option, spelled as the flag without "--"
///   depth: 4
///   steps: 200
/// grid:                     # the cartesian product of these lists, last key varying fastest
///   width: [128, 256, 512]
///   preset: [sp, mup]
/// zip:                      # optional: lists of one length, varied together (one more axis)
///   learning-rate: [0.1, 0.05]
///   seed: [0, 1]
/// ```
///
/// Parsing checks everything that can be checked without data: YAML syntax, keys, value types and
/// ranges, keys given twice, repeated values, and every cell's combination of settings (the
/// checks of `RunRequest.validate()` and the preset/architecture/branch-scale rules of
/// `resolveBranchScale`), so a sweep that parses will not fail on its options halfway through.
public struct SweepConfig: Equatable, Sendable {
  /// The most cells a sweep may have (a guard against a runaway product of lists).
  public static let maximumCellCount = 100_000

  /// The top-level keys of a sweep file, in the documented order.
  public static let topLevelKeys = ["name", "output", "base", "grid", "zip"]

  /// The setting keys `base`, `grid` and `zip` accept: the `train` flags without `--`.
  public static let settingKeys = SweepKey.allCases.map(\.rawValue)

  /// The file the config was read from (as given), used in messages.
  public let source: String
  /// The sweep's name (letters, digits, `-`, `_`).
  public let name: String
  /// The sweep directory, relative to the current directory unless absolute (default `runs/<name>`).
  public let output: String
  /// The fixed settings of every cell, in file order.
  public let base: [SweepSetting]
  /// The axes of the grid in expansion order: one per `grid` key in file order, then the `zip`
  /// group (all zip keys as one axis) if present. The last axis varies fastest.
  public let axes: [SweepAxis]
  /// Every cell, in expansion order (`cells[i].index == i`).
  public let cells: [SweepCell]

  /// The directory that holds one run directory per cell: `<output>/cells`.
  public var cellsDirectory: String { joinPath(output, "cells") }

  /// The cells of `shard`, in expansion order.
  public func cells(in shard: SweepShard) -> [SweepCell] {
    cells.filter(shard.contains)
  }

  /// Reads and parses the sweep file at `url`.
  /// - Throws: `SweepConfigError` (`.unreadable` if the file cannot be read; see `parse`).
  public static func load(from url: URL) throws -> SweepConfig {
    let source = url.isFileURL ? url.relativePath : url.absoluteString
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      let reason = FileManager.default.fileExists(atPath: url.path) ? "it is not readable UTF-8 text" : "no such file"
      throw SweepConfigError.unreadable(file: source, reason: reason)
    }
    return try parse(yaml: text, source: source)
  }

  /// Parses, checks and expands a sweep file's text.
  /// - Parameters:
  ///   - yaml: the file's contents.
  ///   - source: the file name used in messages and `SweepLocation.file`.
  /// - Throws: `SweepConfigError`, the first problem in file order (every case names the key
  ///   path, line and column and says how to fix it).
  public static func parse(yaml: String, source: String) throws -> SweepConfig {
    let parser = SweepFileParser(source: source)
    let root: Node?
    do {
      root = try Yams.compose(yaml: yaml)
    } catch let error as YamlError {
      throw parser.translate(error, yaml: yaml)
    }
    return try parser.parseDocument(root)
  }

  init(source: String, name: String, output: String, base: [SweepSetting], axes: [SweepAxis], cells: [SweepCell]) {
    self.source = source
    self.name = name
    self.output = output
    self.base = base
    self.axes = axes
    self.cells = cells
  }
}

/// One key set to one value in a sweep file (a `base` entry, or one entry of a grid or zip list).
public struct SweepSetting: Equatable, Sendable {
  /// The key, a `train` flag without `--` (`learning-rate`).
  public var key: String { sweepKey.rawValue }
  /// The value's canonical text (`0.1`, `mup`, `inv-sqrt`, `synthetic`, `default` for null): one
  /// spelling per value, used in cell ids and the cells' `values`.
  public var value: String { parsed.canonical }
  /// Where the value is: the key's line for `base`, the list entry's for `grid` and `zip`.
  public let location: SweepLocation

  let sweepKey: SweepKey
  let parsed: SweepValue
}

/// One axis of a sweep grid: a `grid` list (one key), or the `zip` group (several keys varied
/// together, entry by entry).
public struct SweepAxis: Equatable, Sendable {
  /// The keys this axis sets, in file order.
  public var keys: [String] { points.first?.map(\.key) ?? [] }
  /// The values along the axis; each point sets every key of `keys`, in that order.
  public let points: [[SweepSetting]]
}

/// `a/b`, without doubling a trailing `/` of `a`.
func joinPath(_ directory: String, _ component: String) -> String {
  directory.hasSuffix("/") ? directory + component : directory + "/" + component
}

// MARK: - Parsing

/// Turns the YAML node tree into a `SweepConfig`, with a located error for the first problem.
private struct SweepFileParser {
  let source: String

  func location(_ node: Node?, _ keyPath: String) -> SweepLocation {
    let mark = node?.mark
    return SweepLocation(file: source, keyPath: keyPath, line: mark?.line ?? 1, column: mark?.column ?? 1)
  }

  /// A YAML error as a located `SweepConfigError`.
  func translate(_ error: YamlError, yaml: String) -> SweepConfigError {
    func located(_ mark: Mark, _ problem: String, _ context: YamlError.Context?) -> SweepConfigError {
      let detail = context.map { "\(problem) (\($0.text), from line \($0.mark.line))" } ?? problem
      return .syntax(SweepLocation(file: source, keyPath: "", line: mark.line, column: mark.column), problem: detail)
    }
    switch error {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      return located(mark, problem, context)
    case .duplicatedKeysInMapping(let duplicates, let context):
      let key = duplicates.first ?? ""
      return .duplicateKey(
        SweepLocation(file: source, keyPath: key, line: context.mark.line, column: context.mark.column), key: key)
    case .reader(let problem, let offset, _, _):
      let prefix = offset.map { String(yaml.prefix($0)) } ?? ""
      let line = prefix.split(separator: "\n", omittingEmptySubsequences: false)
      return .syntax(
        SweepLocation(file: source, keyPath: "", line: line.count, column: (line.last?.unicodeScalars.count ?? 0) + 1),
        problem: problem)
    default:
      return .syntax(SweepLocation(file: source, keyPath: "", line: 1, column: 1), problem: "\(error)")
    }
  }

  func parseDocument(_ root: Node?) throws -> SweepConfig {
    guard let root else {
      throw SweepConfigError.missingKey(
        location(nil, "name"), key: "name",
        fix: "The file is empty: start from the example in docs/sweeps.md (name:, base:, grid:).")
    }
    guard let mapping = root.mapping else {
      throw SweepConfigError.invalidValue(
        location(root, ""), expected: "a mapping with the keys name:, base: and grid:", found: describe(root),
        fix: "See docs/sweeps.md for the format.")
    }
    var sections = [String: (key: Node, value: Node)]()
    for (keyNode, valueNode) in mapping {
      let key = try keyText(keyNode, section: "")
      guard SweepConfig.topLevelKeys.contains(key) else {
        if SweepKey(rawValue: key) != nil {
          throw SweepConfigError.notAllowed(
            location(keyNode, key), key: key, reason: "settings go under base: or grid:, not at the top level",
            fix: "Indent it under base: (one value for every cell) or grid: (a list of values to sweep).")
        }
        throw SweepConfigError.unknownKey(
          location(keyNode, key), key: key, suggestion: closestName(to: key, among: SweepConfig.topLevelKeys),
          known: SweepConfig.topLevelKeys)
      }
      sections[key] = (keyNode, valueNode)
    }

    guard let nameEntry = sections["name"] else {
      throw SweepConfigError.missingKey(
        location(root, "name"), key: "name",
        fix: "Add a line name: my-sweep (letters, digits, '-', '_'); it names the sweep and its default directory runs/<name>.")
    }
    let name = try parseName(nameEntry.value)
    var output = "runs/" + name
    if let outputEntry = sections["output"] {
      guard let (text, isNull) = scalar(outputEntry.value), !isNull, !text.trimmingWhitespace().isEmpty else {
        throw SweepConfigError.invalidValue(
          location(outputEntry.value, "output"), expected: "a directory path", found: describe(outputEntry.value),
          fix: "Write e.g. output: runs/\(name), or remove output: to use runs/<name>.")
      }
      output = text.trimmingWhitespace()
    }

    let base = try sections["base"].map { try parseBase($0.value) } ?? []
    var axes = [SweepAxis]()
    var given = [SweepKey: SweepLocation]()
    for setting in base { given[setting.sweepKey] = setting.location }
    if let grid = sections["grid"] {
      axes += try parseGrid(grid.value, given: &given)
    }
    if let zip = sections["zip"], let axis = try parseZip(zip.value, given: &given) {
      axes.append(axis)
    }
    guard !axes.isEmpty else {
      let node = sections["grid"]?.key ?? sections["zip"]?.key ?? root
      throw SweepConfigError.missingKey(
        location(node, "grid"), key: "grid",
        fix: "Add grid: with at least one list of values, e.g. grid: {seed: [0, 1, 2]}.")
    }
    let gridLocation = location(sections["grid"]?.key ?? sections["zip"]?.key, sections["grid"] != nil ? "grid" : "zip")
    let cells = try SweepExpansion(source: source, output: output, base: base, axes: axes, gridLocation: gridLocation)
      .cells()
    return SweepConfig(source: source, name: name, output: output, base: base, axes: axes, cells: cells)
  }

  private func parseName(_ node: Node) throws -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
    guard let (text, isNull) = scalar(node), !isNull, !text.isEmpty, text.allSatisfy(allowed.contains) else {
      throw SweepConfigError.invalidValue(
        location(node, "name"), expected: "a name of letters, digits, '-' and '_'", found: describe(node),
        fix: "Write e.g. name: mup-width.")
    }
    return text
  }

  private func parseBase(_ node: Node) throws -> [SweepSetting] {
    if let (_, isNull) = scalar(node), isNull { return [] }
    guard let mapping = node.mapping else {
      throw SweepConfigError.invalidValue(
        location(node, "base"), expected: "a mapping of settings (key: value lines indented under base:)",
        found: describe(node), fix: "Write e.g. base: {depth: 4, steps: 200}, or one 'key: value' per indented line.")
    }
    var settings = [SweepSetting]()
    for (keyNode, valueNode) in mapping {
      let key = try settingKey(keyNode, section: "base")
      let path = "base.\(key.rawValue)"
      guard valueNode.sequence == nil && valueNode.mapping == nil else {
        throw SweepConfigError.invalidValue(
          location(valueNode, path), expected: "a single value (\(key.expectation))", found: describe(valueNode),
          fix: "To sweep \(key.rawValue) over several values, move it to grid: as \(key.rawValue): [a, b].")
      }
      let value = try parseValue(valueNode, key: key, path: path)
      settings.append(SweepSetting(location: location(keyNode, path), sweepKey: key, parsed: value))
    }
    return settings
  }

  private func parseGrid(_ node: Node, given: inout [SweepKey: SweepLocation]) throws -> [SweepAxis] {
    if let (_, isNull) = scalar(node), isNull { return [] }
    guard let mapping = node.mapping else {
      throw SweepConfigError.invalidValue(
        location(node, "grid"), expected: "a mapping of lists (key: [values] lines indented under grid:)",
        found: describe(node), fix: "Write e.g. grid: {width: [128, 256], seed: [0, 1]}.")
    }
    var axes = [SweepAxis]()
    for (keyNode, valueNode) in mapping {
      let entries = try parseList(keyNode, valueNode, section: "grid", given: &given)
      try rejectRepeats(entries.map { [$0] })
      axes.append(SweepAxis(points: entries.map { [$0] }))
    }
    return axes
  }

  private func parseZip(_ node: Node, given: inout [SweepKey: SweepLocation]) throws -> SweepAxis? {
    if let (_, isNull) = scalar(node), isNull { return nil }
    guard let mapping = node.mapping else {
      throw SweepConfigError.invalidValue(
        location(node, "zip"), expected: "a mapping of lists of one length",
        found: describe(node), fix: "Write e.g. zip: {width: [256, 512], learning-rate: [0.1, 0.05]}.")
    }
    var columns = [[SweepSetting]]()
    for (keyNode, valueNode) in mapping {
      let entries = try parseList(keyNode, valueNode, section: "zip", given: &given)
      if let first = columns.first, entries.count != first.count {
        throw SweepConfigError.zipLengthMismatch(
          location(valueNode, "zip.\(entries[0].key)"), key: entries[0].key, count: entries.count,
          expected: first.count, firstKey: first[0].key)
      }
      columns.append(entries)
    }
    guard let first = columns.first else { return nil }
    let rows = first.indices.map { i in columns.map { $0[i] } }
    try rejectRepeats(rows)
    return SweepAxis(points: rows)
  }

  /// A `grid` or `zip` entry: a known key allowed on an axis, not given before, with a non-empty
  /// list of valid values.
  private func parseList(
    _ keyNode: Node, _ valueNode: Node, section: String, given: inout [SweepKey: SweepLocation]
  ) throws -> [SweepSetting] {
    let key = try settingKey(keyNode, section: section)
    let path = "\(section).\(key.rawValue)"
    if let reason = key.reasonNotInGrid {
      throw SweepConfigError.notAllowed(
        location(keyNode, path), key: key.rawValue, reason: reason, fix: "Set it once in base: instead.")
    }
    if let first = given[key] {
      throw SweepConfigError.keyGivenTwice(location(keyNode, path), key: key.rawValue, first: first)
    }
    given[key] = location(keyNode, path)
    guard let list = valueNode.sequence else {
      if let (text, isNull) = scalar(valueNode) {
        throw SweepConfigError.notAList(location(valueNode, path), key: key.rawValue, found: isNull ? "null" : text)
      }
      throw SweepConfigError.invalidValue(
        location(valueNode, path), expected: "a list of values", found: describe(valueNode),
        fix: "Write \(key.rawValue): [\(key.example), …].")
    }
    guard !list.isEmpty else { throw SweepConfigError.emptyList(location(valueNode, path), key: key.rawValue) }
    return try list.enumerated().map { i, entry in
      let entryPath = "\(path)[\(i)]"
      guard entry.sequence == nil && entry.mapping == nil else {
        throw SweepConfigError.invalidValue(
          location(entry, entryPath), expected: "a single value (\(key.expectation))", found: describe(entry),
          fix: "Each list entry is one value: write \(key.rawValue): [a, b, c].")
      }
      return SweepSetting(
        location: location(entry, entryPath), sweepKey: key, parsed: try parseValue(entry, key: key, path: entryPath))
    }
  }

  /// Rejects an axis point equal to an earlier one (same canonical values), which would make
  /// two cells the same run.
  private func rejectRepeats(_ points: [[SweepSetting]]) throws {
    var seen = [[String]: Int]()
    for point in points {
      let values = point.map(\.value)
      if let firstLine = seen[values] {
        let text = point.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        throw SweepConfigError.duplicateCell(point[0].location, value: text, firstLine: firstLine)
      }
      seen[values] = point[0].location.line
    }
  }

  private func parseValue(_ node: Node, key: SweepKey, path: String) throws -> SweepValue {
    let (text, isNull) = scalar(node) ?? ("", false)
    do {
      return try key.parse(text, isNull: isNull)
    } catch {
      let fix = error.suggestion.map { "Did you mean '\($0)'?" } ?? "Write e.g. \(key.rawValue): \(key.example)."
      throw SweepConfigError.invalidValue(location(node, path), expected: error.expected, found: describe(node), fix: fix)
    }
  }

  /// A key of `base`, `grid` or `zip`: known, and not owned by the sweep.
  private func settingKey(_ node: Node, section: String) throws -> SweepKey {
    let text = try keyText(node, section: section)
    let path = "\(section).\(text)"
    if let reason = SweepKey.reserved[text] {
      let fix = text == "output" || text == "name" ? "Set the top-level \(text): instead." : "Remove it."
      throw SweepConfigError.notAllowed(location(node, path), key: text, reason: reason, fix: fix)
    }
    guard let key = SweepKey(rawValue: text) else {
      let suggestion = SweepKey.aliases[text.lowercased()]?.rawValue
        ?? closestName(to: text, among: SweepConfig.settingKeys)
      throw SweepConfigError.unknownKey(
        location(node, path), key: text, suggestion: suggestion, known: SweepConfig.settingKeys)
    }
    return key
  }

  private func keyText(_ node: Node, section: String) throws -> String {
    guard let (text, _) = scalar(node) else {
      throw SweepConfigError.invalidValue(
        location(node, section), expected: "a key name", found: describe(node),
        fix: "Keys are plain names followed by ': ', e.g. width: 256.")
    }
    return text
  }

  /// The text of a scalar node and whether it is a YAML null (`~`, `null`, or nothing), or `nil`
  /// for a list or mapping.
  private func scalar(_ node: Node) -> (text: String, isNull: Bool)? {
    guard case .scalar(let scalar) = node else { return nil }
    let isNull = scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    return (scalar.string, isNull)
  }

  /// How a node reads in a message: `'abc'`, `null`, `a list`, `a mapping`.
  private func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar):
      if scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return "null" }
      return "'\(scalar.string)'"
    case .sequence: return "a list"
    case .mapping: return "a mapping"
    case .alias: return "an alias"
    }
  }
}
