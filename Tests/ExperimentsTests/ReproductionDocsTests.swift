import Foundation
import Testing
import _TestSupport
@testable import Experiments

/// The numbers of docs/reproductions.md come from the reproductions' own output files: every
/// generated "Measured" block is rendered again from the CSV it was made from
/// (docs/results/NAME.csv, copied there with the block by scripts/update-reproduction-docs.sh)
/// and must be unchanged, so a hand edit or a stale copy fails.
@Suite struct ReproductionDocsTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The text between a reproduction's markers, or nil.
  static func block(_ name: ReproductionName, in doc: String) -> String? {
    let (begin, end) = MeasuredTable.markers(name)
    guard let start = doc.range(of: begin), let stop = doc.range(of: end, range: start.upperBound..<doc.endIndex) else { return nil }
    return String(doc[start.upperBound..<stop.lowerBound])
  }

  /// A plain CSV (no quoted fields, as these summaries are) as header and rows.
  static func csv(_ text: String) throws -> (header: [String], rows: [[String]]) {
    #expect(!text.contains("\""), "the summary files have no quoted fields")
    let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    let header = try #require(lines.first)
    return (header, Array(lines.dropFirst()))
  }

  @Test func everyGeneratedBlockIsTheRenderingOfItsCSV() throws {
    let docsDirectory = Self.root.appendingPathComponent("docs")
    let files = try FileManager.default.contentsOfDirectory(atPath: docsDirectory.path).filter { $0.hasSuffix(".md") }.sorted()
    var blocks = [(file: String, name: ReproductionName, block: String)]()
    for file in files {
      let doc = String(decoding: try contents(of: docsDirectory.appendingPathComponent(file)), as: UTF8.self)
      for name in ReproductionName.allCases {
        if let block = Self.block(name, in: doc) { blocks.append((file, name, block)) }
      }
    }
    // Every reproduction with a summary or slopes file has its generated block in reproductions.md
    // (control-depth's hand-copied single-seed numbers once went stale).
    for name in ReproductionName.allCases where MeasuredTable.sourceFile(for: name) != nil {
      #expect(blocks.contains { $0.file == "reproductions.md" && $0.name == name }, "docs/reproductions.md has no generated \(name.rawValue) block")
    }
    for (file, name, block) in blocks {
      let url = Self.root.appendingPathComponent("docs/results/\(name.rawValue).csv")
      let (header, rows) = try Self.csv(String(decoding: try contents(of: url), as: UTF8.self))
      let table = try MeasuredTable.markdown(name, header: header, rows: rows)
      #expect(block.contains("\n" + table + "\n"), "the \(name.rawValue) block of docs/\(file) is not the rendering of docs/results/\(name.rawValue).csv: rerun `featurespeed reproduce \(name.rawValue)` and `bash scripts/update-reproduction-docs.sh`")
      #expect(block.hasPrefix("\n**Measured** by `featurespeed reproduce \(name.rawValue)` ("), "\(file), \(name.rawValue): the block comes from a full run")
    }
  }

  @Test func controlDepthTableShowsMeanAndSpreadOverSeeds() throws {
    let header = ["depth", "method", "mean", "min", "max", "seeds", "diverged"]
    let rows = [
      ["8", "sp-global", "0.84", "0.83", "0.85", "3", "0"],
      ["8", "sp-tuned", "0.8", "0.8", "0.8", "3", "0"],
      ["8", "fsc-control", "0.82", "0.81", "0.83", "3", "0"],
      ["64", "sp-global", "0.1", "0.1", "0.1", "3", "3"],
    ]
    let table = try MeasuredTable.markdown(.controlDepth, header: header, rows: rows)
    let lines = table.split(separator: "\n").map(String.init)
    #expect(lines[0] == "| depth | sp-global | sp-tuned | fsc-control |")
    #expect(lines[2] == "| 8 | 84.0 % (83.0–85.0) | 80.0 % (80.0–80.0) | 82.0 % (81.0–83.0) |")
    #expect(lines[3] == "| 64 | 10.0 % (10.0–10.0), 3 of 3 diverged | — | — |")
    #expect(lines.last!.contains("mean over 3 seeds"))
    #expect(throws: ReproductionError.self) { try MeasuredTable.markdown(.controlDepth, header: ["depth"], rows: []) }
  }

  @Test func slopeTableShowsExponentsWithIntervals() throws {
    let header = ["preset", "layer", "quantity", "slope", "lower", "upper", "seeds"]
    let table = try MeasuredTable.markdown(.spectralWidth, header: header, rows: [["mup", "2", "feature_change_relative", "0.004", "-0.03", "0.04", "3"]])
    let lines = table.split(separator: "\n").map(String.init)
    #expect(lines[0] == "| preset | layer | quantity | exponent [95 % interval] | seeds |")
    #expect(lines[2] == "| `mup` | 2 | `feature_change_relative` | +0.00 [-0.03, +0.04] | 3 |")
  }
}
