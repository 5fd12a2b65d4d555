/// Where something sits in a sweep file: the file, the key path (`grid.width[2]`), and the
/// 1-based line and column (columns count Unicode scalars, as libyaml does).
public struct SweepLocation: Codable, Equatable, Sendable, CustomStringConvertible {
  /// The file as given (or the `source` name passed to `SweepConfig.parse`).
  public var file: String
  /// Dotted path of the key, with `[i]` for the i-th (0-based) list entry: `base.steps`,
  /// `grid.width[2]`; empty for the document itself.
  public var keyPath: String
  /// 1-based line.
  public var line: Int
  /// 1-based column.
  public var column: Int

  /// A location.
  public init(file: String, keyPath: String, line: Int, column: Int) {
    self.file = file
    self.keyPath = keyPath
    self.line = line
    self.column = column
  }

  /// `file:line:column`, the form editors and compilers use.
  public var description: String { "\(file):\(line):\(column)" }

  /// `file:line:column: keyPath: ` (without the key path when empty), the prefix of messages.
  var prefix: String { keyPath.isEmpty ? "\(self): " : "\(self): \(keyPath): " }
}

/// What a sweep file can get wrong. Every case carries where (file, key path, line, column) and
/// its message says what was expected, what was found and how to fix it.
public enum SweepConfigError: Error, Equatable, CustomStringConvertible {
  /// The file could not be read.
  case unreadable(file: String, reason: String)
  /// The text is not valid YAML (libyaml's problem and position).
  case syntax(SweepLocation, problem: String)
  /// A mapping repeats `key`.
  case duplicateKey(SweepLocation, key: String)
  /// A key the section does not know; `suggestion` is the closest known key, `known` all of them.
  case unknownKey(SweepLocation, key: String, suggestion: String?, known: [String])
  /// A required key is absent.
  case missingKey(SweepLocation, key: String, fix: String)
  /// A value of the wrong type or out of range.
  case invalidValue(SweepLocation, expected: String, found: String, fix: String)
  /// A grid or zip key whose value is a single value, not a list.
  case notAList(SweepLocation, key: String, found: String)
  /// A grid or zip key with an empty list.
  case emptyList(SweepLocation, key: String)
  /// A known key that may not be given where it is, and why.
  case notAllowed(SweepLocation, key: String, reason: String, fix: String)
  /// A key given in two places (`base`, `grid`, `zip`); `location` is the second, `first` the first.
  case keyGivenTwice(SweepLocation, key: String, first: SweepLocation)
  /// A zip list whose length differs from the first zip list's.
  case zipLengthMismatch(SweepLocation, key: String, count: Int, expected: Int, firstKey: String)
  /// A grid value (or zip row) that repeats an earlier one, so two cells would be the same run.
  case duplicateCell(SweepLocation, value: String, firstLine: Int)
  /// A combination of settings that cannot run; `location` points at the offending key of the
  /// first failing cell, `cell` lists that cell's grid values.
  case contradiction(SweepLocation, cell: String, problem: String, fix: String)
  /// Two different cells whose ids coincide after making them directory names.
  case cellIDCollision(SweepLocation, id: String, first: String, second: String)
  /// The grid has more cells than a sweep may have.
  case tooManyCells(SweepLocation, count: String, limit: Int)

  /// Where the problem is (`nil` when the file could not be read).
  public var location: SweepLocation? {
    switch self {
    case .unreadable: nil
    case .syntax(let l, _), .duplicateKey(let l, _), .unknownKey(let l, _, _, _), .missingKey(let l, _, _),
      .invalidValue(let l, _, _, _), .notAList(let l, _, _), .emptyList(let l, _), .notAllowed(let l, _, _, _),
      .keyGivenTwice(let l, _, _), .zipLengthMismatch(let l, _, _, _, _), .duplicateCell(let l, _, _),
      .contradiction(let l, _, _, _), .cellIDCollision(let l, _, _, _), .tooManyCells(let l, _, _):
      l
    }
  }

  /// The message: where, what was expected, what was found, and how to fix it.
  public var description: String {
    switch self {
    case .unreadable(let file, let reason):
      return "Cannot read the sweep file \(file): \(reason). Check the path (it is relative to the current directory)."
    case .syntax(let l, let problem):
      return "\(l.prefix)invalid YAML: \(problem). Fix the YAML at line \(l.line), column \(l.column): check the "
        + "indentation (spaces, not tabs), the ': ' after each key, and the brackets of [a, b] lists."
    case .duplicateKey(let l, let key):
      return "\(l.prefix)the key '\(key)' appears twice in one mapping. Keep one of them; to try several "
        + "values, list them under grid: (\(key): [a, b])."
    case .unknownKey(let l, let key, let suggestion, let known):
      let hint = suggestion.map { "Did you mean '\($0)'? " } ?? ""
      return "\(l.prefix)unknown key '\(key)'. \(hint)Known keys here: \(known.joined(separator: ", "))."
    case .missingKey(let l, let key, let fix):
      return "\(l.prefix)the sweep file has no '\(key)'. \(fix)"
    case .invalidValue(let l, let expected, let found, let fix):
      return "\(l.prefix)expected \(expected), found \(found). \(fix)"
    case .notAList(let l, let key, let found):
      return "\(l.prefix)expected a list of values, found the single value \(found). Write \(key): [\(found)], "
        + "or move \(key) to base: to keep it fixed."
    case .emptyList(let l, let key):
      return "\(l.prefix)the list is empty, so the sweep would have no cells. Give at least one value, e.g. "
        + "\(key): [\(SweepKey(rawValue: key)?.example ?? "value")], or remove the key."
    case .notAllowed(let l, let key, let reason, let fix):
      return "\(l.prefix)'\(key)' is not allowed here: \(reason). \(fix)"
    case .keyGivenTwice(let l, let key, let first):
      return "\(l.prefix)'\(key)' is also given at \(first.keyPath) (line \(first.line)). Keep one: base: for a "
        + "fixed value, grid: for a list to combine with the others, zip: for a list varied together with other zip lists."
    case .zipLengthMismatch(let l, let key, let count, let expected, let firstKey):
      return "\(l.prefix)the zip list '\(key)' has \(count) value\(count == 1 ? "" : "s") but '\(firstKey)' has "
        + "\(expected); zip lists are varied together, entry by entry. Give every zip list \(expected) values, "
        + "or move '\(key)' to grid: to combine it with every zip row."
    case .duplicateCell(let l, let value, let firstLine):
      return "\(l.prefix)\(value) repeats the value at line \(firstLine), so two cells would be the same run. "
        + "Remove the repeated value (for repetitions, vary seed instead)."
    case .contradiction(let l, let cell, let problem, let fix):
      return "\(l.prefix)the cell \(cell) cannot run: \(problem). \(fix)"
    case .cellIDCollision(let l, let id, let first, let second):
      return "\(l.prefix)the cells \(first) and \(second) would share the directory name '\(id)' (characters "
        + "other than letters, digits, '.', '+', '-' are replaced by '-'). Rename one of the data directories."
    case .tooManyCells(let l, let count, let limit):
      return "\(l.prefix)the grid has \(count) cells, more than the limit of \(limit). Shorten the lists, or "
        + "split the sweep into several files."
    }
  }
}
