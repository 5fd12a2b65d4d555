import Foundation
import Testing
import _TestSupport

@testable import Plots

@Suite("Reading CSV tables")
struct CSVTableTests {
  @Test("Quoted fields keep commas, doubled quotes and line breaks; line numbers count physical lines")
  func quoting() throws {
    let text = "name,note,value\nmup,\"a, b\",1\n\"say \"\"hi\"\"\",\"two\nlines\",2\nsp,,3\n"
    let table = try CSVTable(parsing: text)
    #expect(table.columnNames == ["name", "note", "value"])
    #expect(table.rowCount == 3)
    #expect(try table.strings("name") == ["mup", "say \"hi\"", "sp"])
    #expect(try table.strings("note") == ["a, b", "two\nlines", ""])
    #expect(table.lineNumbers == [2, 3, 5])
  }

  @Test("Our number spellings: shortest digits, nan, inf, -inf; an empty field is nil")
  func numbers() throws {
    let table = try CSVTable(parsing: "x\n0.1\n1e-05\n2.0\nnan\ninf\n-inf\n\"\"\n1e+20\n")
    let values = try table.doubles("x")
    #expect(values.count == 8)
    #expect(values[0] == 0.1 && values[1] == 1e-5 && values[2] == 2 && values[7] == 1e20)
    #expect(values[3]!.isNaN)
    #expect(values[4] == .infinity && values[5] == -.infinity)
    #expect(values[6] == nil)
  }

  @Test("CRLF line ends, a byte order mark and blank lines are accepted")
  func lineEnds() throws {
    let table = try CSVTable(parsing: "\u{FEFF}a,b\r\n1,2\r\n\r\n3,4")
    #expect(table.columnNames == ["a", "b"])
    #expect(try table.strings("b") == ["2", "4"])
    #expect(table.lineNumbers == [2, 4])
  }

  @Test("A ragged row is reported with its line number")
  func raggedRow() throws {
    #expect(throws: CSVTableError.raggedRow(path: "text", line: 3, expected: 3, found: 2)) {
      try CSVTable(parsing: "a,b,c\n1,2,3\n4,5\n")
    }
    let message = CSVTableError.raggedRow(path: "m.csv", line: 3, expected: 3, found: 2).description
    #expect(message.contains("m.csv, line 3") && message.contains("2 fields, expected 3"))
  }

  @Test("Unclosed quotes and text after a closing quote are errors with the line")
  func malformedQuotes() throws {
    #expect(throws: CSVTableError.unterminatedQuote(path: "text", line: 2)) {
      try CSVTable(parsing: "a,b\n\"open,1\n2,3\n")
    }
    #expect(throws: CSVTableError.textAfterClosingQuote(path: "text", line: 2)) {
      try CSVTable(parsing: "a,b\n\"x\"y,1\n")
    }
  }

  @Test("An unknown column lists the available ones and suggests a close name")
  func unknownColumn() throws {
    let table = try CSVTable(parsing: "run,step,layer,quantity,value\nr,0,1,feature_rms,0.5\n", source: "m.csv")
    #expect(throws: CSVTableError.unknownColumn(path: "m.csv", name: "valu", available: table.columnNames)) {
      try table.doubles("valu")
    }
    let message = CSVTableError.unknownColumn(path: "m.csv", name: "valu", available: table.columnNames).description
    #expect(message.contains("Unknown column 'valu'"))
    #expect(message.contains("Did you mean 'value'?"))
    #expect(message.contains("Available columns: run, step, layer, quantity, value."))
  }

  @Test("A text field read as a number names the column, line and value")
  func notANumber() throws {
    let table = try CSVTable(parsing: "x\n1\nabc\n")
    #expect(throws: CSVTableError.notANumber(path: "text", column: "x", line: 3, value: "abc")) { try table.doubles("x") }
  }

  @Test("Empty input, duplicate columns, missing files")
  func badFiles() throws {
    #expect(throws: CSVTableError.empty(path: "text")) { try CSVTable(parsing: "") }
    #expect(throws: CSVTableError.duplicateColumn(path: "text", name: "a")) { try CSVTable(parsing: "a,b,a\n") }
    #expect(throws: CSVTableError.missingFile(path: "/nonexistent/m.csv")) {
      try CSVTable(contentsOf: URL(fileURLWithPath: "/nonexistent/m.csv"))
    }
    #expect(throws: CSVTableError.missingFile(path: "/nonexistent/m.csv")) {
      try CSVTable.header(ofFileAt: URL(fileURLWithPath: "/nonexistent/m.csv"))
    }
  }

  @Test("A file's header alone is read without the rows, even past the first read chunk")
  func headerOnly() throws {
    try withTemporaryDirectory { (directory: URL) throws in
      let url = directory.appendingPathComponent("m.csv")
      let long = String(repeating: "x", count: 70_000)
      try Data("run,\"\(long)\",value\nr,1,2\nbroken\n".utf8).write(to: url)
      #expect(try CSVTable.header(ofFileAt: url) == ["run", long, "value"])
      #expect(throws: CSVTableError.raggedRow(path: url.path, line: 3, expected: 3, found: 1)) {
        try CSVTable(contentsOf: url)
      }
    }
  }

  @Test("Filters select rows by value, any of several values, or exclusion; numbers match numerically")
  func filters() throws {
    let table = try CSVTable(
      parsing: "layer,quantity,lr\n1,feature_rms,0.01\n2,feature_rms,0.1\n,loss,0.01\n2,bfa_cos,1\n10,feature_rms,1.0\n")
    #expect(try table.filtered([RowFilter("quantity", equals: "feature_rms")]).strings("layer") == ["1", "2", "10"])
    #expect(try table.filtered([try RowFilter(parsing: "layer=1,2")]).rowCount == 3)
    #expect(try table.filtered([try RowFilter(parsing: "layer!=")]).rowCount == 4)
    #expect(try table.filtered([try RowFilter(parsing: "lr=0.010")]).lineNumbers == [2, 4])
    #expect(try table.filtered([try RowFilter(parsing: "lr=1"), RowFilter("quantity", equals: "feature_rms")]).lineNumbers == [6])
    #expect(try table.distinctValues("layer") == ["1", "2", "10", ""])
    #expect(throws: PlotError.invalidFilter("layer")) { try RowFilter(parsing: "layer") }
    #expect(throws: PlotError.invalidFilter("=3")) { try RowFilter(parsing: "=3") }
    #expect(try RowFilter(parsing: "layer != 1").description == "layer!=1")
  }
}
