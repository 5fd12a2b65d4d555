/// Why a reproduction's output file cannot be turned into its docs table.
public enum ReproductionError: Error, Equatable, CustomStringConvertible {
  /// The file's header is not the one this reproduction writes (an older version's output, or
  /// another reproduction's file).
  case unexpectedColumns(file: String, expected: [String], found: [String])

  public var description: String {
    switch self {
    case .unexpectedColumns(let file, let expected, let found):
      "\(file) has the columns \(found.joined(separator: ",")), expected \(expected.joined(separator: ",")). "
        + "It was written by another reproduction or another version: rerun `featurespeed reproduce` to write it again."
    }
  }
}
