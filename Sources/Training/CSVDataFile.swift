/// A numeric CSV file as a table of `Double`s (`--data csv:FILE`), raw or gzip-compressed.
///
/// Cells are separated by commas; surrounding spaces and double quotes are dropped; blank lines
/// are skipped; `\r\n` line ends are accepted. The first line is a **header** when one of its
/// cells is not a number: then it names the columns, except for scikit-learn's header
/// `n_samples,n_features,class names…` (as in its iris, wine and breast-cancer files), which is
/// recognized by its two leading counts and `n_features + 1` columns below it, checked against
/// the rows, and supplies the class names instead. Every other line must have as many cells as
/// the first and hold only numbers (`nan` and `inf` parse, and are refused later in inputs).
public struct CSVDataFile: Sendable {
  /// Column names from a header line, `nil` without one (or for a scikit-learn header).
  public let columnNames: [String]?
  /// Class names from a scikit-learn header, else `nil`.
  public let classNames: [String]?
  /// Cells per row.
  public let columnCount: Int
  /// The 1-based line number of every data row (for messages).
  public let lineNumbers: [Int]
  /// `rowCount × columnCount` values, row-major.
  public let values: [Double]

  /// Number of data rows.
  public var rowCount: Int { lineNumbers.count }

  /// Parses the bytes of a CSV file.
  /// - Parameter fileName: how the file is named in error messages.
  /// - Throws: `DataError` gzip errors, `.emptyDataFile` (no data rows), `.raggedCSVRow` (line and
  ///   cell counts), `.nonNumericCSVCell` (line, column and text), `.csvHeaderCountMismatch`
  ///   (a scikit-learn header whose sample count disagrees with the rows).
  public init(decoding data: [UInt8], fileName: String) throws {
    let bytes = Gzip.hasMagic(data) ? try Gzip.decompress(data, fileName: fileName) : data
    var lines = [(number: Int, cells: [Substring])]()
    var lineNumber = 0
    var start = 0
    // Lines as byte ranges first: one String per line, cells as substrings of it.
    while start < bytes.count {
      var end = start
      while end < bytes.count && bytes[end] != 0x0A { end += 1 }
      lineNumber += 1
      var stop = end
      if stop > start && bytes[stop - 1] == 0x0D { stop -= 1 }
      let text = String(decoding: bytes[start..<stop], as: UTF8.self)
      if !text.allSatisfy({ $0 == " " || $0 == "\t" }) {
        lines.append((lineNumber, text.split(separator: ",", omittingEmptySubsequences: false).map(Self.clean)))
      }
      start = end + 1
    }
    guard let first = lines.first else { throw DataError.emptyDataFile(file: fileName) }

    var columnNames: [String]?
    var classNames: [String]?
    var dataLines = lines[...]
    if first.cells.contains(where: { Double($0) == nil }) {
      dataLines = lines.dropFirst()
      let counts = first.cells.prefix(2).compactMap { Int($0) }
      if counts.count == 2, first.cells.count > 2, first.cells.dropFirst(2).allSatisfy({ Double($0) == nil }),
         let next = dataLines.first, next.cells.count == counts[1] + 1 {
        classNames = first.cells.dropFirst(2).map(String.init)
        guard counts[0] == dataLines.count else {
          throw DataError.csvHeaderCountMismatch(file: fileName, announced: counts[0], found: dataLines.count)
        }
      } else {
        columnNames = first.cells.map(String.init)
      }
    }
    guard let firstRow = dataLines.first else { throw DataError.emptyDataFile(file: fileName) }
    let columnCount = columnNames?.count ?? firstRow.cells.count
    var values = [Double]()
    values.reserveCapacity(dataLines.count * columnCount)
    for line in dataLines {
      guard line.cells.count == columnCount else {
        throw DataError.raggedCSVRow(
          file: fileName, line: line.number, expected: columnCount, found: line.cells.count,
          firstLine: columnNames == nil ? firstRow.number : first.number)
      }
      for (column, cell) in line.cells.enumerated() {
        guard let value = Double(cell) else {
          throw DataError.nonNumericCSVCell(
            file: fileName, line: line.number, column: column + 1, name: columnNames?[column], text: String(cell))
        }
        values.append(value)
      }
    }
    self.columnNames = columnNames
    self.classNames = classNames
    self.columnCount = columnCount
    self.lineNumbers = dataLines.map(\.number)
    self.values = values
  }

  /// A cell without surrounding spaces, tabs and double quotes.
  private static func clean(_ cell: Substring) -> Substring {
    var cell = cell.drop { $0 == " " || $0 == "\t" }
    while let last = cell.last, last == " " || last == "\t" { cell = cell.dropLast() }
    if cell.count >= 2, cell.first == "\"", cell.last == "\"" { cell = cell.dropFirst().dropLast() }
    return cell
  }

  /// The 0-based index of column `reference`: a header name, or a 1-based column number.
  /// - Throws: `DataError.unknownCSVColumn` listing the names (or the valid numbers).
  public func columnIndex(_ reference: String, fileName: String) throws -> Int {
    if let names = columnNames, let index = names.firstIndex(of: reference) { return index }
    if let number = Int(reference), number >= 1, number <= columnCount { return number - 1 }
    throw DataError.unknownCSVColumn(file: fileName, column: reference, names: columnNames, columnCount: columnCount)
  }
}
