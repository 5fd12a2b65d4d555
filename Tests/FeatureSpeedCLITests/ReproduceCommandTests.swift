import Foundation
import Testing
import _TestSupport

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// `featurespeed reproduce NAME --quick` for every reproduction (theory §5.3, §6.1–§6.8): the files of the
/// report exist, the CSV files have the expected columns and rows, the figures and the HTML page
/// are well-formed XML, and a second invocation reuses the finished runs.
@Suite("featurespeed reproduce --quick")
struct ReproduceCommandTests {
  struct Expected: Sendable, CustomTestStringConvertible {
    var name: String
    var dataColumns: [String]
    var quantities: Set<String>
    var figures: [String]
    var slopeColumns: [String]?
    var testDescription: String { name }
  }

  static let cases: [Expected] = [
    Expected(
      name: "spectral-width", dataColumns: ["preset", "width", "seed", "layer", "quantity", "value"],
      quantities: ["feature_change_relative", "weight_change_relative"], figures: ["feature-change.svg", "weight-change.svg"],
      slopeColumns: ["preset", "layer", "quantity", "slope", "lower", "upper", "seeds"]),
    Expected(
      name: "spectral-rank", dataColumns: ["batch_size", "seed", "layer", "quantity", "value"],
      quantities: [], figures: ["stable-rank.svg"], slopeColumns: nil),
    Expected(
      name: "fig3", dataColumns: ["preset", "architecture", "depth", "seed", "layer", "value"],
      quantities: [], figures: ["fig3.svg"], slopeColumns: ["preset", "slope", "lower", "upper", "seeds"]),
    Expected(
      name: "fig2a", dataColumns: ["architecture", "batch_size", "seed", "layer", "quantity", "value"],
      quantities: ["bfa_cos", "bfa_cos_sqrt_layer"], figures: ["bfa-sqrt-layer.svg", "bfa-layer.svg"],
      slopeColumns: ["architecture", "batch_size", "layers", "slope", "lower", "upper", "seeds"]),
    Expected(
      name: "fig2b", dataColumns: ["model", "depth", "seed", "layer", "value"],
      quantities: [], figures: ["output-bfa-depth.svg"], slopeColumns: ["model", "slope", "lower", "upper", "seeds"]),
    Expected(
      name: "fig2c", dataColumns: ["depth", "beta_tilde", "seed", "layer", "value"],
      quantities: [], figures: ["output-bfa-beta.svg"], slopeColumns: nil),
    Expected(
      name: "fsf-training", dataColumns: ["dtype", "step", "layer", "quantity", "value"],
      quantities: ["fsf_residual", "bfa_cos", "train_loss"], figures: ["fsf-residual.svg", "bfa.svg", "loss.svg"],
      slopeColumns: nil),
    Expected(
      name: "control-depth", dataColumns: ["method", "depth", "seed", "step", "layer", "quantity", "value"],
      quantities: ["train_loss", "test_accuracy", "final_test_accuracy", "contribution_share_step0"],
      figures: ["accuracy-depth.svg", "loss-curves.svg", "contributions.svg"], slopeColumns: nil),
    Expected(
      name: "mu-transfer", dataColumns: ["preset", "width", "seed", "learning-rate", "log2_learning_rate", "diverged", "quantity", "value"],
      quantities: ["loss", "learning_rate_opt"], figures: ["transfer-loss.svg"],
      slopeColumns: ["preset", "slope", "lower", "upper", "seeds", "verdict"]),
    Expected(
      name: "depth-transfer", dataColumns: ["model", "depth", "seed", "learning-rate", "log2_learning_rate", "diverged", "quantity", "value"],
      quantities: ["loss", "learning_rate_opt"], figures: ["transfer-loss.svg"],
      slopeColumns: ["model", "slope", "lower", "upper", "seeds", "verdict"]),
  ]

  @Test("Every reproduction runs in quick mode and writes its files", arguments: cases)
  func quick(_ expected: Expected) throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let output = tmp.appendingPathComponent("out")
      let result = try FeatureSpeedBinary.run(["reproduce", expected.name, "--quick", "--output", output.path])
      try #require(result.status == 0, "exit \(result.status): \(result.error)")
      #expect(result.output.contains("Claim:"))
      #expect(result.output.contains("Measured:"))
      // Tiny sizes say nothing about the paper: no verdict on the claim, in the console or the report.
      let reportText = String(decoding: try contents(of: output.appendingPathComponent("report.md")), as: UTF8.self)
      for text in [result.output, reportText] {
        #expect(!text.contains("agree with the claim"), "a quick run must not judge the claim")
      }
      if result.output.contains("→") { #expect(result.output.contains("none in quick mode")) }

      let data = try readCSV(output.appendingPathComponent("data.csv"))
      #expect(data.header == expected.dataColumns)
      #expect(!data.rows.isEmpty)
      #expect(data.rows.allSatisfy { $0.count == expected.dataColumns.count })
      let values = data.rows.compactMap { Double($0.last ?? "") }
      #expect(values.count == data.rows.count, "every value parses as a number")
      if let index = expected.dataColumns.firstIndex(of: "quantity"), !expected.quantities.isEmpty {
        #expect(expected.quantities.isSubset(of: Set(data.rows.map { $0[index] })))
      }

      let slopesURL = output.appendingPathComponent("slopes.csv")
      if let columns = expected.slopeColumns {
        let slopes = try readCSV(slopesURL)
        #expect(slopes.header == columns)
        #expect(!slopes.rows.isEmpty)
        #expect(slopes.rows.allSatisfy { Double($0[columns.firstIndex(of: "slope")!]) != nil })
      } else {
        #expect(!FileManager.default.fileExists(atPath: slopesURL.path))
      }

      // The docs' "Measured" block, rendered from the run's own summary or slopes file.
      let measured = output.appendingPathComponent("measured.md")
      let block = String(decoding: try contents(of: measured), as: UTF8.self)
      #expect(block.hasPrefix("**Measured** by `featurespeed reproduce \(expected.name) --quick`"))
      #expect(block.contains("| ---") || block.contains("|---"))
      #expect(!block.contains("Verdict"), "a quick run gives no verdict")

      for figure in expected.figures {
        let url = output.appendingPathComponent(figure)
        #expect(try isWellFormedXML(url), "\(figure) is not well-formed XML")
        #expect(String(decoding: try contents(of: url), as: UTF8.self).hasPrefix("<svg"))
      }
      let html = output.appendingPathComponent("index.html")
      #expect(try isWellFormedXML(html), "index.html is not well-formed XML")
      let page = String(decoding: try contents(of: html), as: UTF8.self)
      #expect(page.components(separatedBy: "<svg").count - 1 == expected.figures.count, "every figure is inlined once")
      let report = String(decoding: try contents(of: output.appendingPathComponent("report.md")), as: UTF8.self)
      #expect(report.contains("## Claim") && report.contains("## Measured"))
      #expect(expected.figures.allSatisfy { report.contains("](\($0))") })

      // Rerunning reuses every finished run: the data does not change.
      let before = try contents(of: output.appendingPathComponent("data.csv"))
      let again = try FeatureSpeedBinary.run(["reproduce", expected.name, "--quick", "--output", output.path])
      #expect(again.status == 0)
      #expect(try contents(of: output.appendingPathComponent("data.csv")) == before)
    }
  }

  @Test("An unknown reproduction name is rejected with the list of names")
  func unknownName() throws {
    let result = try FeatureSpeedBinary.run(["reproduce", "fig9", "--quick"])
    #expect(result.status != 0)
    #expect(result.error.contains("fig9"))
    #expect(result.error.contains("spectral-width"))
  }
}

/// `featurespeed coordcheck` as CI would run it: exit status 0 when every slope matches the
/// preset's prediction, 1 when a prediction (here one given with `--expect`) fails.
@Suite("featurespeed coordcheck, end to end")
struct CoordCheckCommandTests {
  static let small = [
    "coordcheck", "--depth", "3", "--widths", "64,128,256,512", "--seeds", "4", "--steps", "3", "--batch-size", "32",
    "--learning-rate", "0.05",
  ]

  @Test("μP passes its own predictions (--against-preset); exit status 0, coordcheck.csv and figures written")
  func mupPasses() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let output = tmp.appendingPathComponent("mup")
      let result = try FeatureSpeedBinary.run(Self.small + ["--preset", "mup", "--against-preset", "--output", output.path])
      #expect(result.status == 0, "\(result.output)\n\(result.error)")
      #expect(result.output.contains(" 0 fail, 0 inconclusive"))
      let table = try readCSV(output.appendingPathComponent("coordcheck.csv"))
      #expect(table.header.contains("verdict"))
      let verdict = try #require(table.header.firstIndex(of: "verdict"))
      #expect(table.rows.contains { $0[verdict] == "pass" })
      #expect(!table.rows.contains { $0[verdict] == "fail" })
      #expect(try isWellFormedXML(output.appendingPathComponent("index.html")))
    }
  }

  @Test("A wrong prediction given with --expect fails: exit status 1 and a fail row")
  func wrongExpectationFails() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let output = tmp.appendingPathComponent("ntk")
      // Under NTK the hidden feature updates shrink like width^-1/2; claiming they are flat must fail.
      let result = try FeatureSpeedBinary.run(
        Self.small + ["--preset", "ntk", "--expect", "feature_update_rms=0", "--output", output.path])
      #expect(result.status == 1, "\(result.output)\n\(result.error)")
      let table = try readCSV(output.appendingPathComponent("coordcheck.csv"))
      let verdict = try #require(table.header.firstIndex(of: "verdict"))
      let quantity = try #require(table.header.firstIndex(of: "quantity"))
      #expect(table.rows.contains { $0[quantity] == "feature_update_rms" && $0[verdict] == "fail" })
    }
  }

  @Test("A malformed --expect is rejected before anything runs")
  func malformedExpectation() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let output = tmp.appendingPathComponent("bad")
      let result = try FeatureSpeedBinary.run(Self.small + ["--expect", "feature_rms", "--output", output.path])
      #expect(result.status == 64)
      #expect(result.error.contains("quantity=exponent"))
      #expect(!FileManager.default.fileExists(atPath: output.path))
    }
  }
}
