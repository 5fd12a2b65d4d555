import Foundation
import Testing

@testable import Plots

@Suite("Aggregating rows into series")
struct AggregationTests {
  /// Three seeds per point; one nan (line 6) and one empty value (line 9).
  let table = try! CSVTable(
    parsing: """
      preset,seed,step,value
      mup,0,0,1
      mup,1,0,3
      mup,2,0,5
      mup,0,10,2
      mup,1,10,nan
      mup,2,10,4
      sp,0,0,10
      sp,1,0,
      sp,2,0,1000

      """)

  func series(_ data: AggregatedData, _ name: String) throws -> [AggregatedPoint] {
    try #require(data.series.first { $0.name == name }).points
  }

  @Test("Mean and min–max band over seeds, with counts; series in natural order")
  func minMax() throws {
    let data = try Aggregation(x: "step", y: "value", series: ["preset"], over: "seed", band: .minMax).apply(to: table)
    #expect(data.series.map(\.name) == ["mup", "sp"])
    #expect(try series(data, "mup") == [
      AggregatedPoint(x: 0, mean: 3, lower: 1, upper: 5, count: 3),
      AggregatedPoint(x: 10, mean: 3, lower: 2, upper: 4, count: 2),
    ])
    #expect(try series(data, "sp") == [AggregatedPoint(x: 0, mean: 505, lower: 10, upper: 1000, count: 2)])
    #expect(data.countRange == 2...3)
  }

  @Test("Mean ± one sample standard deviation")
  func standardDeviation() throws {
    let data = try Aggregation(x: "step", y: "value", series: ["preset"], over: "seed", band: .standardDeviation)
      .apply(to: table)
    let mup = try series(data, "mup")
    #expect(mup[0].mean == 3 && mup[0].lower == 1 && mup[0].upper == 5)  // sd of 1, 3, 5 is 2
    #expect(abs(mup[1].lower! - (3 - 2.0.squareRoot())) < 1e-12)
    #expect(abs(mup[1].upper! - (3 + 2.0.squareRoot())) < 1e-12)
  }

  @Test("On a log y axis the mean is geometric and the sd band is taken in log space")
  func geometricMean() throws {
    let data = try Aggregation(
      x: "step", y: "value", series: ["preset"], over: "seed", band: .standardDeviation, yScale: .log
    ).apply(to: table)
    let sp = try series(data, "sp")[0]
    #expect(abs(sp.mean - 100) < 1e-10)  // √(10 · 1000)
    let logSD = abs(log(1000.0) - log(10.0)) / 2.0.squareRoot()
    #expect(abs(sp.lower! - 100 * exp(-logSD)) < 1e-9)
    #expect(abs(sp.upper! - 100 * exp(logSD)) < 1e-6)
    #expect(abs(try series(data, "mup")[0].mean - pow(15, 1.0 / 3)) < 1e-12)
    let minMax = try Aggregation(x: "step", y: "value", series: ["preset"], over: "seed", yScale: .log).apply(to: table)
    #expect(try series(minMax, "sp")[0].lower == 10 && series(minMax, "sp")[0].upper == 1000)
  }

  @Test("Non-finite and empty values are dropped and counted with their first line, never plotted")
  func droppedValues() throws {
    let data = try Aggregation(x: "step", y: "value", series: ["preset"], over: "seed").apply(to: table)
    #expect(data.dropped == [
      DroppedValues(column: "value", reason: .empty, count: 1, firstLine: 9, firstValue: ""),
      DroppedValues(column: "value", reason: .nonFinite, count: 1, firstLine: 6, firstValue: "nan"),
    ])
    #expect(data.series.allSatisfy { $0.points.allSatisfy { $0.mean.isFinite } })
    #expect(data.dropped[1].description == "value: 1 non-finite value not shown (first: nan on line 6).")
  }

  @Test("A log axis drops zero and negative values with a note instead of failing")
  func nonPositiveOnLogAxis() throws {
    let table = try CSVTable(parsing: "step,value\n0,0\n1,-2\n2,0.5\n3,inf\n")
    let data = try Aggregation(x: "step", y: "value", yScale: .log).apply(to: table)
    #expect(data.series.map(\.points.count) == [1])
    #expect(data.dropped.map(\.reason) == [.nonFinite, .nonPositiveOnLogAxis])
    #expect(data.dropped[1].count == 2 && data.dropped[1].firstLine == 2 && data.dropped[1].firstValue == "0")
    let logX = try Aggregation(x: "step", y: "value", xScale: .log).apply(to: table)
    #expect(logX.dropped.first == DroppedValues(column: "step", reason: .nonPositiveOnLogAxis, count: 1, firstLine: 2, firstValue: "0"))
  }

  @Test("Rows that fall on one point without an over column are an error naming lines and differing columns")
  func ambiguousRows() throws {
    let aggregation = Aggregation(x: "step", y: "value", series: ["preset"])
    #expect(throws: PlotError.ambiguousRows(
      x: "step", xValue: "0", fixed: ["preset = mup"], lines: [2, 3, 4], differingColumns: ["seed"], over: nil)
    ) { try aggregation.apply(to: table) }
    let message = PlotError.ambiguousRows(
      x: "step", xValue: "0", fixed: ["preset = mup"], lines: [2, 3, 4], differingColumns: ["seed"], over: nil
    ).description
    #expect(message.contains("lines 2, 3, 4") && message.contains("differ in seed") && message.contains("--over"))
  }

  @Test("Facets group series per panel; layer keys sort numerically")
  func facets() throws {
    let table = try CSVTable(parsing: "layer,run,step,value\n10,a,0,1\n2,a,0,2\n10,b,0,3\n2,b,0,4\n10,a,1,5\n")
    let data = try Aggregation(x: "step", y: "value", series: ["layer"], facet: "run").apply(to: table)
    #expect(data.facets == ["a", "b"])
    #expect(data.series.map { "\($0.facet!):\($0.name)" } == ["a:2", "a:10", "b:2", "b:10"])
    #expect(data.series[1].points.map(\.mean) == [1, 5])
  }

  @Test("Bad specs: a column in two roles, an unknown column, a text x column")
  func badSpecs() throws {
    #expect(throws: PlotError.columnUsedTwice(column: "step", roles: ["--x", "--series"])) {
      try Aggregation(x: "step", y: "value", series: ["step"]).apply(to: table)
    }
    #expect(throws: CSVTableError.unknownColumn(path: "text", name: "sed", available: table.columnNames)) {
      try Aggregation(x: "step", y: "value", over: "sed").apply(to: table)
    }
    #expect(throws: CSVTableError.notANumber(path: "text", column: "preset", line: 2, value: "mup")) {
      try Aggregation(x: "preset", y: "value", series: ["seed", "step"]).apply(to: table)
    }
  }
}
