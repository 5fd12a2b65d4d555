import Foundation
import Testing
import _TestSupport

import Scalings
import Training

/// `featurespeed coordcheck` judging the feature-learning desiderata by default (docs/coordcheck.md):
/// the verdicts can fail, and they fail where the theory says — sp at the output and in the hidden
/// spectral ratios, ntk as lazy, a μP with an SP readout at the readout — while μP and the
/// spectral parametrization pass. Several seeds, small widths, synthetic data.
@Suite("featurespeed coordcheck, feature-learning desiderata", .serialized)
struct CoordCheckDesiderataCommandTests {
  static let width = [
    "coordcheck", "--depth", "3", "--widths", "64,128,256,512", "--seeds", "6", "--steps", "5", "--batch-size", "32",
    "--learning-rate", "0.05",
  ]

  /// `coordcheck-layers.csv` as layer → verdict slug, for one axis.
  func layerVerdicts(_ output: URL, axis: String = "width") throws -> [String: String] {
    let table = try readCSV(output.appendingPathComponent("coordcheck-layers.csv"))
    let (a, l, v) = (
      try #require(table.header.firstIndex(of: "axis")), try #require(table.header.firstIndex(of: "layer")),
      try #require(table.header.firstIndex(of: "verdict"))
    )
    return Dictionary(table.rows.filter { $0[a] == axis }.map { ($0[l], $0[v]) }, uniquingKeysWith: { x, _ in x })
  }

  /// `coordcheck.csv` rows as (layer, quantity) → judgement.
  func judgements(_ output: URL, axis: String = "width") throws -> [String: String] {
    let table = try readCSV(output.appendingPathComponent("coordcheck.csv"))
    let h = table.header
    let (a, l, q, j) = (
      try #require(h.firstIndex(of: "axis")), try #require(h.firstIndex(of: "layer")), try #require(h.firstIndex(of: "quantity")),
      try #require(h.firstIndex(of: "judgement"))
    )
    #expect(h.starts(with: ["axis", "layer", "position", "quantity", "slope", "lower", "upper", "seeds", "predicted", "verdict"]))
    #expect(h.contains("band") && h.contains("rule") && h.contains("layer_verdict"))
    return Dictionary(table.rows.filter { $0[a] == axis }.map { ("\($0[l])/\($0[q])", $0[j]) }, uniquingKeysWith: { x, _ in x })
  }

  @Test("μP and spectral: every layer learns, exit status 0", arguments: ["mup", "spectral"])
  func muPTypePresetsPass(preset: String) throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let output = tmp.appendingPathComponent(preset)
      let result = try FeatureSpeedBinary.run(Self.width + ["--preset", preset, "--output", output.path])
      #expect(result.status == 0, "\(result.output)\n\(result.error)")
      #expect(result.output.contains("every layer learns"))
      let verdicts = try layerVerdicts(output)
      #expect(verdicts == ["1": "learns", "2": "learns", "3": "learns"], "\(result.output)")
      let json = try #require(
        try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("coordcheck.json"))) as? [String: Any])
      #expect(json["passes"] as? Bool == true)
      #expect((json["layers"] as? [Any])?.count == 3)
      #expect(json["band"] as? Double == 0.25)
    }
  }

  @Test("sp fails naming the output layer and the hidden spectral ratios; --against-preset has no prediction and exits 0")
  func standardParametrizationFails() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let output = tmp.appendingPathComponent("sp")
      let result = try FeatureSpeedBinary.run(Self.width + ["--preset", "sp", "--output", output.path])
      #expect(result.status == 1, "\(result.output)\n\(result.error)")
      let verdicts = try layerVerdicts(output)
      #expect(verdicts["3"] == "unstable", "\(result.output)")
      #expect(verdicts["2"] == "unstable", "\(result.output)")
      let j = try judgements(output)
      #expect(j["3/feature_update_rms"] == "unstable")
      #expect(j["2/update_spectral_ratio"] == "unstable")
      #expect(result.output.contains("unstable: "))
      #expect(result.output.contains("width layer 3 (unstable)"))
      // The report opens with the verdict that decides, not the preset-prediction count.
      let report = String(decoding: try contents(of: output.appendingPathComponent("report.md")), as: UTF8.self)
      #expect(report.contains("Summary: ") && report.contains("width layer 3 (unstable)"), "\(report.prefix(400))")
      #expect(!report.contains("Every prediction passes"))

      // Today's mode on the same cells (reused, nothing retrains): sp predicts nothing.
      let own = try FeatureSpeedBinary.run(Self.width + ["--preset", "sp", "--against-preset", "--output", output.path])
      #expect(own.status == 0, "\(own.output)\n\(own.error)")
      #expect(own.output.contains("0 pass, 0 fail, 0 inconclusive, 12 without prediction"))
    }
  }

  @Test("ntk fails as lazy; against its own predictions (−½) it passes")
  func ntkIsLazy() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let output = tmp.appendingPathComponent("ntk")
      let result = try FeatureSpeedBinary.run(Self.width + ["--preset", "ntk", "--output", output.path])
      #expect(result.status == 1, "\(result.output)\n\(result.error)")
      let verdicts = try layerVerdicts(output)
      #expect(verdicts["1"] == "lazy" && verdicts["2"] == "lazy", "\(result.output)")
      #expect(try judgements(output)["2/feature_update_rms"] == "lazy")
      #expect(result.output.contains("lazy: feature_update_rms vanishes like width^-0."))

      let own = try FeatureSpeedBinary.run(Self.width + ["--preset", "ntk", "--against-preset", "--output", output.path])
      #expect(own.status == 0, "\(own.output)\n\(own.error)")
    }
  }

  @Test("μP with an SP readout (std 1/√fanIn, global rate) fails naming the readout, whose update grows fastest")
  func brokenMuPFailsAtTheReadout() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      var broken = Presets.mup
      broken.name = "mup-sp-readout"
      broken.summary = "μP with the readout of sp (test only)."
      broken.rules.output = Presets.standard.rules.output
      let file = tmp.appendingPathComponent("broken.json")
      try JSONEncoder().encode(broken).write(to: file)
      let output = tmp.appendingPathComponent("broken")
      let result = try FeatureSpeedBinary.run(Self.width + ["--preset-definition", file.path, "--output", output.path])
      #expect(result.status == 1, "\(result.output)\n\(result.error)")
      let verdicts = try layerVerdicts(output)
      #expect(verdicts["3"] == "unstable", "\(result.output)")
      #expect(result.output.contains("mup-sp-readout: "))
      #expect(result.output.contains("width layer 3 (unstable)"))
      // The readout is where it breaks: its feature update grows fastest (≈ width^+1; the hidden
      // layers follow through the √width-times larger backward signal the SP readout sends them).
      let table = try readCSV(output.appendingPathComponent("coordcheck.csv"))
      let (l, q, slope) = (
        try #require(table.header.firstIndex(of: "layer")), try #require(table.header.firstIndex(of: "quantity")),
        try #require(table.header.firstIndex(of: "slope"))
      )
      let updates = table.rows.filter { $0[q] == "feature_update_rms" }.map { ($0[l], Double($0[slope]) ?? .nan) }
      #expect(updates.max { $0.1 < $1.1 }?.0 == "3", "\(updates)")
      #expect((updates.first { $0.0 == "3" }?.1 ?? 0) > 0.7)
    }
  }

  /// Whether Debian's `dataset-fashion-mnist` is installed where `--data fashion-mnist` reads it.
  static let hasFashionMNIST = FileManager.default.fileExists(
    atPath: DataSource.defaultFashionMNISTDirectory + "/train-images-idx3-ubyte.gz")

  @Test(
    "On Fashion-MNIST too: μP learns, sp fails at the readout and the hidden spectral ratio",
    .enabled(if: hasFashionMNIST, "Fashion-MNIST is not installed (sudo apt-get install dataset-fashion-mnist): skipped"))
  func fashionMNIST() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      // A smaller rate than on synthetic data: at 0.05 μP's 784-input layer makes the seeds disagree.
      let options = [
        "coordcheck", "--data", "fashion-mnist", "--depth", "3", "--widths", "64,128,256,512", "--seeds", "6", "--steps", "5",
        "--batch-size", "32", "--learning-rate", "0.01",
      ]
      let mup = tmp.appendingPathComponent("mup")
      let good = try FeatureSpeedBinary.run(options + ["--preset", "mup", "--output", mup.path])
      #expect(good.status == 0, "\(good.output)\n\(good.error)")
      #expect(try layerVerdicts(mup) == ["1": "learns", "2": "learns", "3": "learns"])
      let sp = tmp.appendingPathComponent("sp")
      let bad = try FeatureSpeedBinary.run(options + ["--preset", "sp", "--output", sp.path])
      #expect(bad.status == 1, "\(bad.output)\n\(bad.error)")
      #expect(try layerVerdicts(sp)["3"] == "unstable", "\(bad.output)")
      #expect(try judgements(sp)["2/update_spectral_ratio"] == "unstable", "\(bad.output)")
    }
  }

  static let depth = [
    "coordcheck", "--widths", "", "--depths", "4,8,16,32", "--width", "64", "--seeds", "6", "--steps", "3", "--batch-size", "32",
  ]

  @Test("Against depth, MLPs under every preset fail the alignment (cos θ ∝ depth^-1/2)", arguments: ["sp", "ntk", "mup", "fsc"])
  func mlpsLoseAlignmentWithDepth(preset: String) throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let output = tmp.appendingPathComponent(preset)
      let result = try FeatureSpeedBinary.run(Self.depth + ["--preset", preset, "--output", output.path])
      #expect(result.status == 1, "\(result.output)\n\(result.error)")
      let j = try judgements(output, axis: "depth")
      #expect(j["last-hidden/bfa_cos"] == "lazy", "\(result.output)")
      #expect(try layerVerdicts(output, axis: "depth")["last-hidden"] != "learns")
      #expect(result.output.contains("lazy: bfa_cos vanishes like depth^-0."))
      // [FSF]: fsc keeps the feature speed per unit loss decay flat in depth; μP lets it grow.
      if preset == "fsc" { #expect(j["last-hidden/feature_speed_per_loss_decay"] == "ok") }
      if preset == "mup" { #expect(j["last-hidden/feature_speed_per_loss_decay"] == "unstable") }
    }
  }

  @Test("Against depth, a ResNet with β = 1/√L learns; with β = 1 it fails (its features blow up)")
  func resNetBranchScale() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let sqrt = tmp.appendingPathComponent("sqrt")
      let good = try FeatureSpeedBinary.run(Self.depth + ["--arch", "resnet", "--preset", "resnet-sqrt", "--output", sqrt.path])
      #expect(good.status == 0, "\(good.output)\n\(good.error)")
      #expect(try layerVerdicts(sqrt, axis: "depth")["last-hidden"] == "learns")
      let j = try judgements(sqrt, axis: "depth")
      #expect(j["last-hidden/bfa_cos"] == "ok" && j["last-hidden/feature_speed_per_loss_decay"] == "ok")

      let one = tmp.appendingPathComponent("one")
      let bad = try FeatureSpeedBinary.run(
        Self.depth + ["--arch", "resnet", "--preset", "mup", "--branch-scale", "1", "--output", one.path])
      #expect(bad.status == 1, "\(bad.output)\n\(bad.error)")
      #expect(try layerVerdicts(one, axis: "depth")["last-hidden"] == "unstable", "\(bad.output)")
      #expect(try judgements(one, axis: "depth")["last-hidden/feature_rms"] == "unstable")
    }
  }

  @Test("Bad --band or --preset-definition is rejected before anything runs")
  func badInput() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let output = tmp.appendingPathComponent("bad")
      let band = try FeatureSpeedBinary.run(Self.width + ["--band", "-1", "--output", output.path])
      #expect(band.status == 64)
      #expect(band.error.contains("--band"))
      let missing = try FeatureSpeedBinary.run(Self.width + ["--preset-definition", tmp.appendingPathComponent("none.json").path, "--output", output.path])
      #expect(missing.status == 64)
      #expect(missing.error.contains("--preset-definition"))
      let junk = tmp.appendingPathComponent("junk.json")
      try Data("{\"name\": 3}".utf8).write(to: junk)
      let malformed = try FeatureSpeedBinary.run(Self.width + ["--preset-definition", junk.path, "--output", output.path])
      #expect(malformed.status == 64)
      #expect(malformed.error.contains("not a preset"))
      #expect(!FileManager.default.fileExists(atPath: output.path))
    }
  }
}
