import Foundation

/// A condition on one column that selects rows: `quantity=feature_rms`, `layer=1,2` (one of),
/// `layer!=` (not empty).
///
/// A field matches a value when the texts are equal, or when both read as the same number
/// (`0.010` matches `0.01`, `1` matches `1.0`). Values cannot contain commas.
public struct RowFilter: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
  /// The column the condition is on.
  public var column: String
  /// The accepted values (any of them); the empty string stands for an empty field.
  public var values: [String]
  /// Whether the condition is inverted (`!=`: the field is none of the values).
  public var isNegated: Bool

  /// A filter keeping rows whose `column` is one of `values` (or none of them, if `isNegated`).
  public init(column: String, values: [String], isNegated: Bool = false) {
    self.column = column
    self.values = values
    self.isNegated = isNegated
  }

  /// A filter keeping rows whose `column` equals `value`.
  public init(_ column: String, equals value: String) {
    self.init(column: column, values: [value])
  }

  /// Parses `column=value`, `column=v1,v2` (one of) or `column!=value` (none of).
  /// - Throws: `PlotError.invalidFilter` when there is no `=` or no column name.
  public init(parsing text: String) throws {
    guard let equals = text.firstIndex(of: "=") else { throw PlotError.invalidFilter(text) }
    var column = String(text[..<equals])
    let negated = column.hasSuffix("!")
    if negated { column.removeLast() }
    column = column.trimmingCharacters(in: .whitespaces)
    guard !column.isEmpty else { throw PlotError.invalidFilter(text) }
    let values = text[text.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false)
      .map { $0.trimmingCharacters(in: .whitespaces) }
    self.init(column: column, values: values, isNegated: negated)
  }

  /// Whether a row with `field` in `column` is kept.
  public func matches(_ field: String) -> Bool {
    let found = values.contains { value in
      if value == field { return true }
      guard let a = CSVTable.number(value), let b = CSVTable.number(field) else { return false }
      return a == b
    }
    return found != isNegated
  }

  /// `column=v1,v2` or `column!=v1`, as parsed by `init(parsing:)`.
  public var description: String {
    "\(column)\(isNegated ? "!=" : "=")\(values.joined(separator: ","))"
  }

  /// A readable form for figure notes: `quantity = feature_rms`, `layer ∈ {1, 2}`, `layer ≠ (empty)`.
  var readable: String {
    let shown = values.map { $0.isEmpty ? "(empty)" : $0 }
    if shown.count == 1 { return "\(column) \(isNegated ? "≠" : "=") \(shown[0])" }
    return "\(column) \(isNegated ? "∉" : "∈") {\(shown.joined(separator: ", "))}"
  }
}
