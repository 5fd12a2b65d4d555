import Foundation
import Experiments
import Testing
import Training
import _TestSupport

/// `--data` from the user's files through every command, and `--weights` to start from or
/// analyze saved weights, end to end.
@Suite("featurespeed with the user's data and weights")
struct OwnDataAndWeightsTests {
  /// A small iris-like CSV with scikit-learn's header: 30 rows, 4 features, 3 classes.
  static let csv = "30,4,setosa,versicolor,virginica\n" + (0..<30).map { i in
    let c = i % 3
    return "\(5 + c).\(i % 7),\(3 + c % 2).\(i % 5),\(1 + 2 * c).\(i % 4),0.\(c * 3 + i % 3),\(c)"
  }.joined(separator: "\n") + "\n"

  @Test("csv: trains, and kernel and diagnose accept the same --data; a bad file names its line")
  func csvThroughTheCommands() throws {
    try withTemporaryDirectory { tmp in
      let file = tmp.appendingPathComponent("iris.csv")
      try Data(Self.csv.utf8).write(to: file)
      let model = ["--data", "csv:" + file.path, "--width", "16", "--depth", "3", "--batch-size", "8"]
      let train = try FeatureSpeedBinary.run(
        ["train"] + model + ["--steps", "5", "--test-size", "6", "--quiet", "--output", tmp.appendingPathComponent("run").path])
      try #require(train.status == 0, "\(train.error)")
      let data = try #require(try readConfig(tmp.appendingPathComponent("run"))["data"] as? [String: Any])
      #expect(data["slug"] as? String == "csv" && data["trainCount"] as? Int == 24 && data["testCount"] as? Int == 6)
      #expect(data["classNames"] as? [String] == ["setosa", "versicolor", "virginica"])
      #expect((data["normalization"] as? [String: Any])?["scale"] as? Double == 1)
      let kernel = try FeatureSpeedBinary.run(
        ["kernel"] + model + ["--no-jacobians", "--output", tmp.appendingPathComponent("kernel").path])
      #expect(kernel.status == 0, "\(kernel.error)")
      let diagnose = try FeatureSpeedBinary.run(
        ["diagnose"] + model + ["--steps", "4", "--output", tmp.appendingPathComponent("diagnose").path])
      #expect(diagnose.status == 0, "\(diagnose.error)")

      try Data("a,b,y\n1,2,0\n3,4\n".utf8).write(to: tmp.appendingPathComponent("bad.csv"))
      let bad = try FeatureSpeedBinary.run(
        ["train", "--data", "csv:" + tmp.appendingPathComponent("bad.csv").path, "--steps", "1",
         "--output", tmp.appendingPathComponent("bad").path])
      #expect(bad.status != 0 && bad.status < 128)
      #expect(bad.error.contains("line 3: 2 cells, but line 1 has 3"), "\(bad.error)")
    }
  }

  static let model = [
    "train", "--width", "16", "--depth", "3", "--input-dim", "8", "--output-dim", "3", "--train-size", "128",
    "--test-size", "32", "--batch-size", "16", "--steps", "6", "--measure-every", "2", "--quiet", "--bias", "--seed", "3",
  ]

  /// Runs the model into `tmp/name`, returning its directory.
  func train(_ name: String, in tmp: URL, _ extra: [String] = [], model: [String] = Self.model) throws -> URL {
    let out = tmp.appendingPathComponent(name)
    let result = try FeatureSpeedBinary.run(model + ["--output", out.path] + extra)
    try #require(result.status == 0, "\(result.error)")
    return out
  }

  /// The initial weights of `run` renamed as a PyTorch `nn.Sequential` state dict (`net.0`,
  /// `net.2`, `net.10`: natural order differs from text order), stored as F64, minus `drop`.
  func pytorchFile(from run: URL, to url: URL, drop: String? = nil) throws {
    let saved = try SafetensorsFile.read(from: run.appendingPathComponent("weights-init.safetensors"))
    var file = SafetensorsFile()
    // Inserted in reverse: the mapping must follow the names, not the file order.
    for (index, prefix) in zip([3, 2, 1], ["net.10", "net.2", "net.0"]) {
      for part in ["bias", "weight"] where "\(prefix).\(part)" != drop {
        let tensor = try #require(saved["layer\(index).\(part)"])
        let values = try #require(tensor.doubleValues())
        file.add("\(prefix).\(part)", values, shape: tensor.shape)
      }
    }
    try file.write(to: url)
  }

  @Test("--weights with the seeded init (own or PyTorch names) reproduces the seeded run exactly")
  func weightsReproduceTheSeededRun() throws {
    try withTemporaryDirectory { tmp in
      let seeded = try train("seeded", in: tmp, ["--save-tensors"])
      let reloaded = try train("reloaded", in: tmp, ["--weights", seeded.appendingPathComponent("weights-init.safetensors").path])
      let expected = try contents(of: seeded.appendingPathComponent("measurements.csv"))
      #expect(try contents(of: reloaded.appendingPathComponent("measurements.csv")) == expected)
      let record = try #require(try readConfig(reloaded)["initialWeights"] as? [String: Any])
      #expect(record["naming"] as? String == "featurespeed" && (record["byteCount"] as? Int ?? 0) > 0)

      let torch = tmp.appendingPathComponent("torch.safetensors")
      try pytorchFile(from: seeded, to: torch)
      let mapped = try train("mapped", in: tmp, ["--weights", torch.path])
      #expect(try contents(of: mapped.appendingPathComponent("measurements.csv")) == expected)
      let mappedRecord = try #require(try readConfig(mapped)["initialWeights"] as? [String: Any])
      #expect(mappedRecord["naming"] as? String == "natural-order")
      #expect(mappedRecord["weightTensors"] as? [String] == ["net.0.weight", "net.2.weight", "net.10.weight"])
    }
  }

  @Test("Full-batch SGD from weights-final continues the run: the losses match the longer run's")
  func weightsFinalContinuesFullBatchSGD() throws {
    try withTemporaryDirectory { tmp in
      // One batch = the whole training set: the gradient does not depend on the shuffle, so
      // training on from saved weights follows the uninterrupted run (up to summation order).
      let fullBatch = [
        "train", "--width", "16", "--depth", "3", "--input-dim", "8", "--output-dim", "3", "--train-size", "32",
        "--test-size", "0", "--batch-size", "32", "--measure-every", "0", "--quiet", "--bias", "--dtype", "float64",
        "--learning-rate", "0.5",
      ]
      func trainLosses(_ run: URL) throws -> [Double] {
        try readCSV(run.appendingPathComponent("metrics.csv")).rows.filter { $0[2] == "train" }.map { try #require(Double($0[3])) }
      }
      let long = try trainLosses(try train("long", in: tmp, ["--steps", "10"], model: fullBatch))
      let first = try train("first", in: tmp, ["--steps", "6", "--save-tensors"], model: fullBatch)
      let resumed = try trainLosses(try train(
        "resumed", in: tmp, ["--steps", "4", "--weights", first.appendingPathComponent("weights-final.safetensors").path],
        model: fullBatch))
      try #require(long.count == 10 && resumed.count == 4)
      #expect(long[0] != long[6])
      for (a, b) in zip(long[6...], resumed) { #expect(abs(a - b) <= 1e-10 * abs(a), "\(a) vs \(b)") }
    }
  }

  @Test("--weights that do not fit list expected against found shapes; a missing tensor is named")
  func weightsThatDoNotFit() throws {
    try withTemporaryDirectory { tmp in
      let seeded = try train("seeded", in: tmp, ["--save-tensors", "--steps", "1"])
      let torch = tmp.appendingPathComponent("torch.safetensors")
      try pytorchFile(from: seeded, to: torch)
      var wider = Self.model
      wider[2] = "20"
      let shape = try FeatureSpeedBinary.run(wider + ["--weights", torch.path, "--output", tmp.appendingPathComponent("w").path])
      #expect(shape.status != 0 && shape.status < 128)
      #expect(shape.error.contains("'net.0.weight' has shape [16, 8] where weight 1 needs [20, 8]"), "\(shape.error)")
      #expect(shape.error.contains("expected (network, forward order): layer1.weight [20, 8]; layer1.bias [20]"))
      #expect(shape.error.contains("found (file, natural name order): net.0.weight [16, 8]; net.0.bias [16]"))

      let short = tmp.appendingPathComponent("short.safetensors")
      try pytorchFile(from: seeded, to: short, drop: "net.10.weight")
      let missing = try FeatureSpeedBinary.run(Self.model + ["--weights", short.path, "--output", tmp.appendingPathComponent("m").path])
      #expect(missing.status != 0)
      #expect(missing.error.contains("the network has 3 weight matrices, the file 2 rank-2 tensors"), "\(missing.error)")
      let noBias = try FeatureSpeedBinary.run(
        Array(Self.model.filter { $0 != "--bias" }) + ["--weights", torch.path, "--output", tmp.appendingPathComponent("b").path])
      #expect(noBias.error.contains("the file has bias 'net.0.bias' but the network has none (pass --bias)"), "\(noBias.error)")
    }
  }

  @Test("kernel --weights in a run directory takes the run's flags; a contradicting flag is refused")
  func kernelReadsTheRunConfiguration() throws {
    try withTemporaryDirectory { tmp in
      let run = try train("run", in: tmp, ["--save-tensors", "--preset", "sp", "--learning-rate", "0.2"])
      let weights = run.appendingPathComponent("weights-final.safetensors").path
      let flags = Array(Self.model.dropFirst().prefix(10)) + ["--batch-size", "16", "--bias", "--seed", "3", "--preset", "sp", "--learning-rate", "0.2"]
      let explicit = try FeatureSpeedBinary.run(
        ["kernel"] + flags + ["--weights", weights, "--no-jacobians", "--output", tmp.appendingPathComponent("k1").path])
      let implicit = try FeatureSpeedBinary.run(
        ["kernel", "--weights", weights, "--no-jacobians", "--output", tmp.appendingPathComponent("k2").path])
      try #require(explicit.status == 0 && implicit.status == 0, "\(explicit.error) \(implicit.error)")
      let a = try readCSV(tmp.appendingPathComponent("k1/kernel.csv")), b = try readCSV(tmp.appendingPathComponent("k2/kernel.csv"))
      #expect(a.rows == b.rows && a.rows.count == 3)
      let contradiction = try FeatureSpeedBinary.run(
        ["kernel", "--weights", weights, "--width", "32", "--output", tmp.appendingPathComponent("k3").path])
      #expect(contradiction.status != 0)
      #expect(contradiction.error.contains("--width 32 contradicts the run the weights come from"), "\(contradiction.error)")
      #expect(contradiction.error.contains("has 16"))
    }
  }
}
