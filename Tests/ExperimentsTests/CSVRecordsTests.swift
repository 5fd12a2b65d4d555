import Foundation
import Testing
import Measurements
import _TestSupport

@testable import Experiments

/// The library's CSV files read back exactly as `CSVWriter` wrote them, quoted fields included.
@Suite struct CSVRecordsTests {
  @Test func quotedFieldsCommasQuotesAndLineBreaks() {
    let records = CSVRecords.parse("a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"two\nlines\",3\r\n,\n")
    #expect(records.map(\.fields) == [["a", "b"], ["x,y", "say \"hi\""], ["two\nlines", "3"], ["", ""]])
    #expect(records.map(\.line) == [1, 2, 3, 5])
    #expect(CSVRecords.parse("").isEmpty)
    #expect(CSVRecords.parse("no newline").map(\.fields) == [["no newline"]])
  }

  /// A run named with a comma is quoted by the writer; the measurements reader used to split it.
  @Test func measurementsOfARunWithACommaInItsName() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let url = tmp.appendingPathComponent("measurements.csv")
      let writer = try CSVWriter(url: url, header: LayerMeasurement.csvHeader)
      try writer.append(row: [.text("a,b \"c\""), .integer(3), .integer(2), .text("bfa_cos"), .double(0.25)])
      try writer.append(row: [.text("a,b \"c\""), .integer(3), .empty, .text("loss_decay"), .double(.nan)])
      try writer.close()
      let rows = try MeasurementsFile.read(url)
      #expect(rows.count == 2)
      #expect(rows[0] == LayerMeasurement(run: "a,b \"c\"", step: 3, layer: 2, quantity: "bfa_cos", value: 0.25))
      #expect(rows[1].layer == nil && rows[1].value.isNaN)
    }
  }
}
