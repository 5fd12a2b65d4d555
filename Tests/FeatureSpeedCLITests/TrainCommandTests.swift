import Foundation
import Testing
import Measurements
import _TestSupport

@Suite("featurespeed train, end to end")
struct TrainCommandTests {
  @Test("A run writes config.json, measurements.csv with every quantity, and metrics.csv")
  func runDirectory() throws {
    try withTemporaryDirectory { tmp in
      let out = tmp.appendingPathComponent("run")
      let result = try FeatureSpeedBinary.run(tinyRun + ["--output", out.path, "--evaluate-every", "6"])
      #expect(result.status == 0, "stderr: \(result.error)")
      #expect(result.output.contains("Results in \(out.path)"))
      let config = try readConfig(out)
      #expect(config["status"] as? String == "completed")
      #expect(config["completedSteps"] as? Int == 12)
      let layers = try #require(config["layers"] as? [[String: Any]])
      #expect(layers.count == 3)
      #expect(layers.allSatisfy { $0["learningRate"] is Double && $0["initStandardDeviation"] is Double && $0["forwardMultiplier"] is Double })

      let measurements = try readCSV(out.appendingPathComponent("measurements.csv"))
      #expect(measurements.header == ["run", "step", "layer", "quantity", "value"])
      let quantities = Set(measurements.rows.map { $0[3] })
      for q in Quantity.allCases { #expect(quantities.contains(q.rawValue), "missing \(q.rawValue)") }
      #expect(Set(measurements.rows.map { $0[1] }) == ["0", "4", "8"])
      #expect(measurements.rows.allSatisfy { $0.count == 5 && Double($0[4]) != nil || $0[4] == "nan" })
      let residuals = measurements.rows.filter { $0[3] == "fsf_residual" }.compactMap { Double($0[4]) }
      #expect(!residuals.isEmpty && residuals.allSatisfy { $0 < 1e-3 })

      let metrics = try readCSV(out.appendingPathComponent("metrics.csv"))
      #expect(metrics.header == ["run", "step", "split", "loss", "accuracy", "seconds", "learning_rate_factor"])
      #expect(metrics.rows.filter { $0[2] == "train" }.allSatisfy { $0[6] == "1.0" }, "no schedule: factor 1")
      #expect(metrics.rows.filter { $0[2] == "train" }.count == 12)
      #expect(metrics.rows.filter { $0[2] == "test" }.map { $0[1] } == ["6", "12"])
    }
  }

  @Test("Two runs with the same seed write byte-identical measurements.csv; another seed differs")
  func determinism() throws {
    try withTemporaryDirectory { tmp in
      func measurements(_ name: String, seed: Int, extra: [String] = []) throws -> [UInt8] {
        let out = tmp.appendingPathComponent(name)
        let result = try FeatureSpeedBinary.run(tinyRun + ["--output", out.path, "--seed", "\(seed)"] + extra)
        try #require(result.status == 0, "stderr: \(result.error)")
        return try contents(of: out.appendingPathComponent("measurements.csv"))
      }
      let a = try measurements("a", seed: 3), b = try measurements("b", seed: 3), c = try measurements("c", seed: 4)
      #expect(a == b)
      #expect(a != c)
      let resnet = ["--arch", "resnet", "--bias", "--dtype", "float64", "--probe", "8"]
      let e = try measurements("e", seed: 5, extra: resnet), f = try measurements("f", seed: 5, extra: resnet)
      #expect(e == f)
    }
  }

  @Test("--save-tensors writes weights and the first batch, and NumPy reproduces the step-0 loss")
  func safetensorsInterop() throws {
    try withTemporaryDirectory { tmp in
      let out = tmp.appendingPathComponent("run")
      let result = try FeatureSpeedBinary.run(tinyRun + ["--output", out.path, "--save-tensors", "--bias", "--dtype", "float64"])
      try #require(result.status == 0, "stderr: \(result.error)")
      for name in ["weights-init.safetensors", "weights-final.safetensors", "batch.safetensors"] {
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
      }
      let metrics = try readCSV(out.appendingPathComponent("metrics.csv"))
      let stepZeroLoss = try #require(Double(metrics.rows.first { $0[1] == "0" && $0[2] == "train" }![3]))
      guard PythonInterpreter.hasNumPy else { return }
      // An independent forward pass from the saved tensors, parsed by hand from the format.
      let script = """
        import json, struct, sys, numpy as np
        def load(path):
            raw = open(path, 'rb').read()
            n = struct.unpack('<Q', raw[:8])[0]
            header = json.loads(raw[8:8 + n]); data = raw[8 + n:]
            kinds = {'F64': np.float64, 'F32': np.float32, 'I64': np.int64}
            return {k: np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]], dtype=kinds[v['dtype']]).reshape(v['shape'])
                    for k, v in header.items() if k != '__metadata__'}
        w = load(sys.argv[1]); b = load(sys.argv[2]); cfg = json.load(open(sys.argv[3]))
        rows = {r['layerIndex']: r for r in cfg['layers'] if r['tensor'] == 'weight'}
        brows = {r['layerIndex']: r for r in cfg['layers'] if r['tensor'] == 'bias'}
        x = b['inputs']
        for l in (1, 2, 3):
            if l > 1: x = np.maximum(x, 0)
            x = rows[l]['forwardMultiplier'] * x @ w[f'layer{l}.weight'].T + brows[l]['forwardMultiplier'] * w[f'layer{l}.bias']
        z = x - x.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        print(repr(float(-logp[np.arange(len(x)), b['targets']].mean())))
        """
      let python = try PythonInterpreter.run(script, arguments: [
        out.appendingPathComponent("weights-init.safetensors").path, out.appendingPathComponent("batch.safetensors").path,
        out.appendingPathComponent("config.json").path,
      ])
      try #require(python.status == 0, "python failed: \(python.error)")
      let numpyLoss = try #require(Double(python.output.trimmingCharacters(in: .whitespacesAndNewlines)))
      #expect(abs(numpyLoss - stepZeroLoss) < 1e-12 * max(1, abs(stepZeroLoss)), "numpy \(numpyLoss) vs featurespeed \(stepZeroLoss)")
    }
  }

  @Test("A deep network's console tables are compact by default; --all-layers prints every layer")
  func compactTablesForDeepNetworks() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let args = [
        "train", "--width", "8", "--depth", "12", "--input-dim", "4", "--output-dim", "3", "--train-size", "32",
        "--batch-size", "8", "--test-size", "8", "--steps", "1", "--measure-every", "1",
      ]
      let compact = try FeatureSpeedBinary.run(args + ["--output", tmp.appendingPathComponent("a").path])
      try #require(compact.status == 0, "\(compact.error)")
      let lines = compact.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      // Scaling table: hidden layers 2…11 are identical, one line.
      #expect(lines.contains { $0.hasPrefix("2–11") && $0.contains("hidden") })
      // Step table: layers 1–3, the gap 4–9, layers 10–12, and the range line.
      let first = lines.firstIndex { $0.hasPrefix("layer") && $0.contains("cos θ") }!
      let shown: [String] = lines[(first + 1)...(first + 7)].map { String($0.split(separator: " ")[0]) }
      #expect(shown == ["1", "2", "3", "4–9", "10", "11", "12"])
      #expect(lines[first + 8].hasPrefix("layers 4–9 (6, --all-layers shows them): rms F"))
      let full = try FeatureSpeedBinary.run(args + ["--all-layers", "--output", tmp.appendingPathComponent("b").path])
      try #require(full.status == 0, "\(full.error)")
      let fullLines = full.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      #expect(fullLines.filter { $0.contains("hidden") }.count == 10)
      let header = fullLines.firstIndex { $0.hasPrefix("layer") && $0.contains("cos θ") }!
      let all: [String] = fullLines[(header + 1)...(header + 12)].map { String($0.split(separator: " ")[0]) }
      #expect(all == (1...12).map(String.init))
      #expect(!full.output.contains("⋮"))
    }
  }

  @Test("--version prints the version and exits 0")
  func version() throws {
    let result = try FeatureSpeedBinary.run(["--version"])
    #expect(result.status == 0, "\(result.error)")
    let version = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(version.split(separator: ".").count == 3 && version.split(separator: ".").allSatisfy { Int($0) != nil }, "\(version)")
  }

  @Test("presets prints the per-layer table; quantities lists every slug")
  func informationalCommands() throws {
    let presets = try FeatureSpeedBinary.run(["presets", "--arch", "mlp", "--width", "1024", "--depth", "8", "--preset", "mup"])
    #expect(presets.status == 0)
    let lines = presets.output.split(separator: "\n")
    #expect(lines.contains { $0.contains("input") && $0.contains("784") && $0.contains("1024") })
    #expect(lines.filter { $0.contains("hidden") }.count == 6)
    #expect(lines.contains { $0.contains("output") && $0.contains("0.0009766") })
    let list = try FeatureSpeedBinary.run(["presets", "--list"])
    for name in ["sp", "ntk", "mup", "spectral", "spectral-exact", "mf-mup", "fsc", "resnet-sqrt", "resnet-inv"] {
      #expect(list.output.contains("\n\(name)") || list.output.hasPrefix(name), "\(name)")
    }
    let quantities = try FeatureSpeedBinary.run(["quantities", "--markdown"])
    for q in Quantity.allCases { #expect(quantities.output.contains("`\(q.rawValue)`")) }
  }
}

@Suite("Documentation stays in sync with the code")
struct DocumentationTests {
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  @Test("No path of the development machine in product code: users have no /work or ../shared")
  func noWorkplacePaths() throws {
    let sources = Self.packageRoot.appendingPathComponent("Sources")
    let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
    var offenders: [String] = []
    for case let url as URL in files where ["swift", "c", "h"].contains(url.pathExtension) {
      let text = String(decoding: try contents(of: url), as: UTF8.self)
      for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
      where line.contains("/work/") || line.contains("../shared") {
        offenders.append("\(url.lastPathComponent):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
      }
    }
    #expect(offenders.isEmpty, "\(offenders.joined(separator: "\n"))")
  }

  /// Help examples are pasted into a shell: on an 80-column terminal no example command may be
  /// wrapped by the help formatter (a wrapped line starts at column 0 and breaks the command).
  @Test("Every help example fits an 80-column terminal, so it can be pasted as shown")
  func helpExamplesCanBePasted() throws {
    let commands = [
      "", "train", "diagnose", "kernel", "presets", "quantities", "plot", "sweep", "merge", "transfer", "coordcheck", "reproduce",
      "bench", "doctor",
    ]
    var broken = [String]()
    for command in commands {
      let result = try FeatureSpeedBinary.run((command.isEmpty ? [] : [command]) + ["--help"], environment: ["COLUMNS": "80"])
      #expect(result.status == 0, "\(command) --help: \(result.error)")
      let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      // An example line: an indented command, or an indented line after a `\` continuation.
      var inExample = false
      for (line, next) in zip(lines, lines.dropFirst()) {
        let indented = line.hasPrefix("  ")
        inExample = indented && (line.trimmingCharacters(in: .whitespaces).hasPrefix("featurespeed ") || inExample)
        if inExample && !next.isEmpty && !next.hasPrefix(" ") {
          broken.append("featurespeed \(command) --help: \"\(line)\" is continued by \"\(next)\"")
        }
        inExample = inExample && line.hasSuffix("\\")
      }
    }
    #expect(broken.isEmpty, "\(broken.joined(separator: "\n"))")
  }

  @Test("The README's quantity table is exactly `featurespeed quantities --markdown`")
  func quantityTable() throws {
    let readme = String(decoding: try contents(of: Self.packageRoot.appendingPathComponent("README.md")), as: UTF8.self)
    let table = try FeatureSpeedBinary.run(["quantities", "--markdown"])
    try #require(table.status == 0)
    #expect(readme.contains(table.output), "regenerate the README table: bash scripts/update-readme-quantities.sh")
  }

  @Test("The README starts with the two commands, and .ci/run calls the test command")
  func twoCommands() throws {
    let readme = String(decoding: try contents(of: Self.packageRoot.appendingPathComponent("README.md")), as: UTF8.self)
    let firstLines = readme.split(separator: "\n").prefix(5).joined(separator: "\n")
    #expect(firstLines.contains("bash scripts/demo.sh") && firstLines.contains("bash scripts/test.sh"))
    let ci = String(decoding: try contents(of: Self.packageRoot.appendingPathComponent(".ci/run")), as: UTF8.self)
    #expect(ci.contains("bash scripts/test.sh"))
  }
}
