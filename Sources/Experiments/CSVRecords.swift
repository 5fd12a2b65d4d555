/// Splits CSV text as `CSVWriter` writes it back into records: fields separated by `,`, records
/// by `\n` (or `\r\n`); a field in double quotes may hold `,`, line breaks and doubled quotes
/// (`""` for `"`). The readers of this library's own files (`measurements.csv`, `metrics.csv`)
/// go through it, so a run named `a,b` (written as `"a,b"`) reads back as written.
public enum CSVRecords {
  /// One record: its fields and the physical line it starts on (1-based).
  public struct Record: Equatable, Sendable {
    public var line: Int
    public var fields: [String]
  }

  /// The records of `text`; an empty line is a record with one empty field. An unterminated
  /// quoted field runs to the end of the text (the caller sees a wrong field count).
  public static func parse(_ text: String) -> [Record] {
    var records = [Record]()
    var fields = [String]()
    var field = [UInt8]()
    var line = 1, start = 1
    var inQuotes = false, sawAny = false
    let bytes = Array(text.utf8)
    var i = 0
    func endField() {
      fields.append(String(decoding: field, as: UTF8.self))
      field.removeAll(keepingCapacity: true)
    }
    while i < bytes.count {
      let byte = bytes[i]
      sawAny = true
      if inQuotes {
        if byte == UInt8(ascii: "\"") {
          if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
            field.append(byte)
            i += 1
          } else {
            inQuotes = false
          }
        } else {
          if byte == UInt8(ascii: "\n") { line += 1 }
          field.append(byte)
        }
      } else {
        switch byte {
        case UInt8(ascii: "\"") where field.isEmpty: inQuotes = true
        case UInt8(ascii: ","): endField()
        case UInt8(ascii: "\r") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n"): break
        case UInt8(ascii: "\n"):
          endField()
          records.append(Record(line: start, fields: fields))
          fields.removeAll()
          line += 1
          start = line
          sawAny = false
        default: field.append(byte)
        }
      }
      i += 1
    }
    if sawAny || !field.isEmpty || !fields.isEmpty {
      endField()
      records.append(Record(line: start, fields: fields))
    }
    return records
  }
}
