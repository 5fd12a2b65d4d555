import Foundation
import Testing
import _TestSupport

/// `featurespeed kernel` end to end: its files, agreement with `train`'s own BFA measurement on
/// the same batch, saved weights, and bad input.
@Suite("featurespeed kernel, end to end")
struct KernelCommandTests {
  static let model = [
    "--width", "12", "--depth", "3", "--input-dim", "5", "--output-dim", "3", "--train-size", "64", "--batch-size", "6",
    "--dtype", "float64", "--preset", "sp", "--learning-rate", "0.1",
  ]

  static func column(_ table: (header: [String], rows: [[String]]), _ name: String) throws -> [String] {
    let index = try #require(table.header.firstIndex(of: name), "no column \(name) in \(table.header)")
    return table.rows.map { $0[index] }
  }

  @Test("kernel.csv has a row per layer; cos θ equals train's step-0 BFA and respects the Kantorovich bound")
  func agreesWithTrain() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let kernelDirectory = tmp.appendingPathComponent("kernel")
      let k = try FeatureSpeedBinary.run(["kernel"] + Self.model + ["--max-products", "200", "--tolerance", "1e-9", "--output", kernelDirectory.path])
      try #require(k.status == 0, "\(k.error)")
      #expect(k.output.contains("λ_min") && k.output.contains("kernel.csv"))
      let table = try readCSV(kernelDirectory.appendingPathComponent("kernel.csv"))
      #expect(table.header.starts(with: ["layer", "dimension", "lambda_min", "lambda_max", "kappa", "m1", "m1_se", "m2", "m2_se",
                                         "kantorovich_bound", "estimate", "bfa_cos"]))
      #expect(try Self.column(table, "layer") == ["1", "2", "3"])
      #expect(try Self.column(table, "dimension") == ["72", "72", "18"])
      let cosines = try Self.column(table, "bfa_cos").map { try #require(Double($0)) }
      for (cosine, bound) in zip(cosines, try Self.column(table, "kantorovich_bound")) {
        if let bound = Double(bound) { #expect(cosine >= bound - 1e-12) }
      }
      let json = try JSONSerialization.jsonObject(with: Data(contentsOf: kernelDirectory.appendingPathComponent("kernel.json"))) as? [String: Any]
      #expect((json?["layers"] as? [Any])?.count == 3)
      // The figure and the report, with the conclusion computed from this run.
      #expect(k.output.contains("m₁/√m₂ tracks the measured cos θ within"), "\(k.output)")
      #expect(try isWellFormedXML(kernelDirectory.appendingPathComponent("kernel.svg")))
      #expect(try isWellFormedXML(kernelDirectory.appendingPathComponent("index.html")))
      let report = String(decoding: try contents(of: kernelDirectory.appendingPathComponent("report.md")), as: UTF8.self)
      #expect(report.contains("tracks the measured cos θ within") && report.contains("](kernel.svg)"))

      // train measures the BFA of the same first batch at step 0 with its tangent pass.
      let trainDirectory = tmp.appendingPathComponent("train")
      let t = try FeatureSpeedBinary.run(["train"] + Self.model + ["--steps", "1", "--measure-every", "1", "--quiet", "--output", trainDirectory.path])
      try #require(t.status == 0, "\(t.error)")
      let measurements = try readCSV(trainDirectory.appendingPathComponent("measurements.csv"))
      let measured = measurements.rows.filter { $0[1] == "0" && $0[3] == "bfa_cos" }.map { Double($0[4])! }
      try #require(measured.count == 3)
      for (a, b) in zip(cosines, measured) { #expect(abs(a - b) <= 1e-9, "kernel \(a) vs train \(b)") }
    }
  }

  @Test("Saved weights are analyzed; weights of another shape are rejected with the tensor and shapes")
  func savedWeights() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let run = tmp.appendingPathComponent("run")
      let t = try FeatureSpeedBinary.run(["train"] + Self.model + ["--steps", "20", "--measure-every", "0", "--quiet", "--save-tensors", "--output", run.path])
      try #require(t.status == 0, "\(t.error)")
      let initial = try FeatureSpeedBinary.run(["kernel"] + Self.model + ["--no-jacobians", "--output", tmp.appendingPathComponent("k0").path])
      let trained = try FeatureSpeedBinary.run(["kernel"] + Self.model + [
        "--no-jacobians", "--weights", run.appendingPathComponent("weights-final.safetensors").path, "--output", tmp.appendingPathComponent("k1").path,
      ])
      try #require(initial.status == 0 && trained.status == 0, "\(initial.error) \(trained.error)")
      let a = try Self.column(readCSV(tmp.appendingPathComponent("k0/kernel.csv")), "lambda_max")
      let b = try Self.column(readCSV(tmp.appendingPathComponent("k1/kernel.csv")), "lambda_max")
      #expect(a != b, "trained weights give another kernel")
      let json = String(decoding: try contents(of: tmp.appendingPathComponent("k1/kernel.json")), as: UTF8.self)
      #expect(json.contains("weights-final.safetensors"))

      // Out of its run directory (no config.json beside it) the file is checked against the flags.
      let loose = tmp.appendingPathComponent("loose.safetensors")
      try FileManager.default.copyItem(at: run.appendingPathComponent("weights-final.safetensors"), to: loose)
      var wider = Self.model
      wider[1] = "16"
      let mismatch = try FeatureSpeedBinary.run(["kernel"] + wider + [
        "--weights", loose.path, "--output", tmp.appendingPathComponent("k2").path,
      ])
      #expect(mismatch.status != 0)
      #expect(mismatch.error.contains("layer1.weight") && mismatch.error.contains("16"), "\(mismatch.error)")
      #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("k2/kernel.csv").path))
    }
  }

  @Test("bench kernel prints one JSON object with both layers of an exported workload")
  func benchKernel() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let directory = tmp.appendingPathComponent("workload")
      let export = try FeatureSpeedBinary.run(["bench", "export", "--workload", "mlp-16x3", "--batch-size", "4", "--output", directory.path])
      try #require(export.status == 0, "\(export.error)")
      let run = try FeatureSpeedBinary.run(["bench", "kernel", "--workload", directory.path, "--max-products", "200", "--tolerance", "1e-6"])
      try #require(run.status == 0, "\(run.error)")
      let json = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
      #expect(json["implementation"] as? String == "featurespeed-lanczos")
      let layers = try #require(json["layers"] as? [[String: Any]])
      #expect(layers.map { $0["layer"] as? String } == ["output", "last-hidden"])
      #expect(layers.map { $0["dimension"] as? Int } == [40, 64])
      for layer in layers {
        let low = try #require(layer["lambda_min"] as? Double), high = try #require(layer["lambda_max"] as? Double)
        #expect(0 <= low && low <= high)
        #expect(layer["converged"] as? Bool == true)
        // Lanczos stops at N products at most, plus the dead-unit certificate's one.
        #expect((layer["lanczos_products"] as? Int ?? .max) <= (layer["dimension"] as? Int ?? 0))
        #expect((layer["products"] as? Int ?? .max) == (layer["lanczos_products"] as? Int ?? 0) + (layer["certificate_products"] as? Int ?? 0))
      }
      let bad = try FeatureSpeedBinary.run(["bench", "kernel", "--workload", directory.path, "--layers", "first"])
      #expect(bad.status == 64 && bad.error.contains("last-hidden"))
    }
  }

  @Test("An unknown layer index or a malformed list is rejected with what exists")
  func badLayers() throws {
    let unknown = try FeatureSpeedBinary.run(["kernel"] + Self.model + ["--layers", "2,7"])
    #expect(unknown.status == 64)
    #expect(unknown.error.contains("no layer 7") && unknown.error.contains("1, 2, 3"), "\(unknown.error)")
    let malformed = try FeatureSpeedBinary.run(["kernel"] + Self.model + ["--layers", "two"])
    #expect(malformed.status == 64)
    #expect(malformed.error.contains("--layers"), "\(malformed.error)")
  }
}
