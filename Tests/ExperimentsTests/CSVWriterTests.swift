import _TestSupport
import Foundation
import Testing

@testable import Experiments

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite struct CSVWriterTests {
  // MARK: Field encoding

  @Test func textIsQuotedOnlyWhenNeeded() {
    #expect(CSVField.text("mup").encoded == "mup")
    #expect(CSVField.text("a b;c").encoded == "a b;c")
    #expect(CSVField.text("a,b").encoded == "\"a,b\"")
    #expect(CSVField.text("say \"hi\"").encoded == "\"say \"\"hi\"\"\"")
    #expect(CSVField.text("two\nlines").encoded == "\"two\nlines\"")
    #expect(CSVField.text("cr\r").encoded == "\"cr\r\"")
    #expect(CSVField.text("").encoded == "")
  }

  @Test func numbersUseShortestRoundTripDigits() {
    let cases: [(CSVField, String)] = [
      (.integer(42), "42"), (.integer(-7), "-7"),
      (.double(0.1), "0.1"), (.double(1e-5), "1e-05"), (.double(2), "2.0"), (.double(-0.0), "-0.0"),
      (.double(1e20), "1e+20"), (.double(1.0 / 3.0), "0.3333333333333333"),
      (.double(.nan), "nan"), (.double(.infinity), "inf"), (.double(-.infinity), "-inf"),
      (.float(0.1), "0.1"), (.float(.nan), "nan"), (.float(-.infinity), "-inf"),
      (.empty, ""), (CSVField(nil as Double?), ""), (CSVField(true), "true"),
    ]
    for (field, expected) in cases { #expect(field.encoded == expected, "\(field)") }
    #expect(Double(CSVField.double(1.0 / 3.0).encoded) == 1.0 / 3.0)
  }

  @Test func literalsBuildFields() {
    let row: [CSVField] = ["mlp", 3, 0.5, .empty, "w=\(4)"]
    #expect(row == [.text("mlp"), .integer(3), .double(0.5), .empty, .text("w=4")])
  }

  // MARK: Writing

  @Test func writesTheHeaderAndRows() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("metrics.csv")
      let writer = try CSVWriter(url: url, header: ["step", "loss", "status"])
      try writer.append(row: [0, .double(.nan), "diverged, at once"])
      try writer.append(row: ["step": 1, "loss": 0.25])
      try writer.close()
      #expect(String(decoding: try contents(of: url), as: UTF8.self)
        == "step,loss,status\n0,nan,\"diverged, at once\"\n1,0.25,\n")
      #expect(writer.rowCount == 2)
    }
  }

  @Test func theHeaderIsOnDiskAtCreationAndRowsAfterFlush() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("m.csv")
      let writer = try CSVWriter(url: url, header: ["step", "value"])
      #expect(try contents(of: url) == Array("step,value\n".utf8))
      try writer.append(row: [1, 0.5])
      #expect(try contents(of: url) == Array("step,value\n".utf8))  // still buffered
      try writer.flush()
      #expect(try contents(of: url) == Array("step,value\n1,0.5\n".utf8))  // visible before close
      try writer.append(row: [2, 0.25])
      try writer.flush(durable: true)
      #expect(try contents(of: url) == Array("step,value\n1,0.5\n2,0.25\n".utf8))
      try writer.close()
      try writer.close()  // closing twice is allowed
      #expect(throws: CSVWriterError.closed(path: url.path)) { try writer.append(row: [3, 0]) }
    }
  }

  @Test func aFullBufferIsWrittenWithoutFlush() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("m.csv")
      let writer = try CSVWriter(url: url, header: ["i"], bufferCapacity: 16)
      for i in 0..<10 { try writer.append(row: [.integer(i)]) }
      let lines = String(decoding: try contents(of: url), as: UTF8.self).split(separator: "\n")
      #expect(lines.count >= 8)  // at most one partially filled buffer is pending
      try writer.close()
    }
  }

  @Test func aReleasedWriterFlushesItsRows() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("m.csv")
      do {
        let writer = try CSVWriter(url: url, header: ["i"])
        try writer.append(row: [1])
      }
      #expect(try contents(of: url) == Array("i\n1\n".utf8))
    }
  }

  @Test func rowsOfTheWrongShapeAreRejected() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("m.csv")
      let writer = try CSVWriter(url: url, header: ["a", "b"])
      #expect(throws: CSVWriterError.wrongFieldCount(path: url.path, expected: 2, found: 3, header: ["a", "b"])) {
        try writer.append(row: [1, 2, 3])
      }
      #expect(throws: CSVWriterError.unknownColumns(path: url.path, names: ["c", "d"], header: ["a", "b"])) {
        try writer.append(row: ["d": 1, "a": 2, "c": 3])
      }
      try writer.close()
      #expect(try contents(of: url) == Array("a,b\n".utf8))
    }
  }

  @Test func createReplacesAnExistingFile() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("m.csv")
      try Data("old,stuff\n1,2\n3,4\n".utf8).write(to: url)
      let writer = try CSVWriter(url: url, header: ["x"])
      try writer.close()
      #expect(try contents(of: url) == Array("x\n".utf8))
    }
  }

  @Test func anUnwritableLocationGivesCannotOpen() throws {
    try withTemporaryDirectory { directory in
      let file = directory.appendingPathComponent("file.txt")
      try Data().write(to: file)
      let url = file.appendingPathComponent("m.csv")
      let expected = CSVWriterError.cannotOpen(path: url.path, reason: SystemErrorCode(ENOTDIR))
      #expect(throws: expected) { try CSVWriter(url: url, header: ["x"]) }
      #expect(expected.description.contains("Not a directory"))
    }
  }

  // MARK: Append mode

  @Test func appendModeContinuesAFileWithTheSameHeader() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("sweep.csv")
      let first = try CSVWriter(url: url, header: ["run", "loss"], mode: .append)  // missing: created
      try first.append(row: ["a", 1.5])
      try first.close()
      let second = try CSVWriter(url: url, header: ["run", "loss"], mode: .append)
      try second.append(row: ["b", .double(.infinity)])
      try second.close()
      #expect(String(decoding: try contents(of: url), as: UTF8.self) == "run,loss\na,1.5\nb,inf\n")
    }
  }

  @Test func appendModeWritesTheHeaderIntoAnEmptyFile() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("sweep.csv")
      try Data().write(to: url)
      let writer = try CSVWriter(url: url, header: ["run"], mode: .append)
      try writer.close()
      #expect(try contents(of: url) == Array("run\n".utf8))
    }
  }

  @Test func appendModeRejectsAnotherHeader() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("sweep.csv")
      try Data("run,accuracy\na,0.5\n".utf8).write(to: url)
      let expected = CSVWriterError.headerMismatch(path: url.path, expected: "run,loss", found: "run,accuracy")
      #expect(throws: expected) { try CSVWriter(url: url, header: ["run", "loss"], mode: .append) }
      #expect(throws: CSVWriterError.headerMismatch(path: url.path, expected: "run", found: "run,accuracy")) {
        try CSVWriter(url: url, header: ["run"], mode: .append)  // a prefix of the header is not enough
      }
      #expect(expected.description.contains("choose another --output"))
      #expect(try contents(of: url) == Array("run,accuracy\na,0.5\n".utf8))
    }
  }

  @Test func appendModeRejectsAnIncompleteLastLine() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("sweep.csv")
      try Data("run,loss\na,0.5\nb,0.2".utf8).write(to: url)
      #expect(throws: CSVWriterError.incompleteLastLine(path: url.path)) {
        try CSVWriter(url: url, header: ["run", "loss"], mode: .append)
      }
    }
  }

  // MARK: Interoperability

  @Test(.enabled(if: PythonInterpreter.isAvailable, "needs python3"))
  func pythonsCSVModuleReadsTheFieldsBack() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("m.csv")
      let writer = try CSVWriter(url: url, header: ["name", "value"])
      let names = ["plain", "with,comma", "with \"quotes\"", "two\nlines", "µP"]
      let values: [Double] = [0.1, 1e-5, .nan, .infinity, -.infinity]
      for (name, value) in zip(names, values) { try writer.append(row: [.text(name), .double(value)]) }
      try writer.close()
      let script = """
        import csv, json, sys, math
        with open(sys.argv[1], newline='', encoding='utf-8') as f:
            rows = list(csv.reader(f))
        values = [float(v) for _, v in rows[1:]]
        print(json.dumps({'header': rows[0], 'names': [n for n, _ in rows[1:]],
                          'values': [repr(v) for v in values]}))
        """
      let result = try PythonInterpreter.run(script, arguments: [url.path])
      #expect(result.status == 0, "python3 failed: \(result.error)")
      struct View: Decodable { var header: [String]; var names: [String]; var values: [String] }
      let view = try JSONDecoder().decode(View.self, from: Data(result.output.utf8))
      #expect(view.header == ["name", "value"])
      #expect(view.names == names)
      #expect(view.values == ["0.1", "1e-05", "nan", "inf", "-inf"])
    }
  }
}
