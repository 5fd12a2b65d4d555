import Foundation
import Testing

@testable import Experiments

/// The error `yaml` gives (the test fails when it parses).
private func sweepError(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> SweepConfigError? {
  do {
    _ = try SweepConfig.parse(yaml: yaml, source: "t.yaml")
    Issue.record("The sweep file parsed, expected an error", sourceLocation: sourceLocation)
  } catch let error as SweepConfigError {
    return error
  } catch {
    Issue.record("Expected a SweepConfigError, got \(error)", sourceLocation: sourceLocation)
  }
  return nil
}

/// Checks the error's key path, line (and column when given) and that its message starts with
/// `t.yaml:line:column: keyPath: ` and contains every hint.
private func expectLocated(
  _ error: SweepConfigError?, keyPath: String, line: Int, column: Int? = nil, hints: [String],
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard let error, let location = error.location else {
    Issue.record("No located error", sourceLocation: sourceLocation)
    return
  }
  #expect(location.file == "t.yaml", sourceLocation: sourceLocation)
  #expect(location.keyPath == keyPath, sourceLocation: sourceLocation)
  #expect(location.line == line, sourceLocation: sourceLocation)
  if let column { #expect(location.column == column, sourceLocation: sourceLocation) }
  let prefix = "t.yaml:\(line):\(location.column): " + (keyPath.isEmpty ? "" : keyPath + ": ")
  #expect(error.description.hasPrefix(prefix), "\(error)", sourceLocation: sourceLocation)
  for hint in hints {
    #expect(error.description.contains(hint), "'\(hint)' missing from: \(error)", sourceLocation: sourceLocation)
  }
}

@Suite struct SweepConfigErrorTests {
  // MARK: Rules the train flags have too

  /// `train --optimizer adam --momentum 0.5` is refused; the same settings in a sweep file were
  /// once run and recorded as if momentum applied.
  @Test func anOptimizerConstantForAnotherOptimizerIsRefused() {
    let error = sweepError("""
      name: x
      base:
        optimizer: adam
        momentum: 0.5
      grid:
        seed: [0]
      """)
    expectLocated(error, keyPath: "base.momentum", line: 4, hints: ["momentum applies to optimizer momentum, but optimizer is adam", "Remove momentum"])
    // Where the optimizer uses it, it is fine.
    #expect(throws: Never.self) {
      _ = try SweepConfig.parse(yaml: "name: x\nbase:\n  optimizer: momentum\n  momentum: 0.5\ngrid:\n  seed: [0]\n", source: "t.yaml")
    }
  }

  /// A control setting's error points at its own line, in the file's spelling, with one period.
  @Test func controlErrorsNameTheirKey() {
    let error = sweepError("""
      name: x
      base:
        control-decay: 0.05
        control-cap: 0.5
      grid:
        seed: [0]
      """)
    expectLocated(error, keyPath: "base.control-cap", line: 4, hints: ["control-cap"])
    let text = error.map { "\($0)" } ?? ""
    #expect(!text.contains("--control-cap") && !text.contains(".."), "\(text)")
  }

  // MARK: YAML syntax

  @Test func yamlSyntaxErrorsKeepLibyamlsPosition() {
    let error = sweepError("""
      name: x
      grid:
        width: [128, 256
        seed: [0]
      """)
    guard case .syntax(let location, let problem) = error else {
      Issue.record("Expected .syntax, got \(String(describing: error))")
      return
    }
    #expect(location.line == 4)
    #expect(problem.contains("flow sequence"))
    expectLocated(error, keyPath: "", line: 4, hints: ["invalid YAML", "brackets of [a, b] lists"])
  }

  @Test func tabsAreASyntaxError() {
    let error = sweepError("name: x\ngrid:\n\twidth: [1]\n")
    guard case .syntax = error else {
      Issue.record("Expected .syntax, got \(String(describing: error))")
      return
    }
    expectLocated(error, keyPath: "", line: 3, hints: ["spaces, not tabs"])
  }

  @Test func aRepeatedKeyIsNamed() {
    let error = sweepError("""
      name: x
      grid:
        width: [1]
        width: [2]
      """)
    #expect(error == .duplicateKey(SweepLocation(file: "t.yaml", keyPath: "width", line: 3, column: 3), key: "width"))
    expectLocated(error, keyPath: "width", line: 3, hints: ["appears twice", "Keep one"])
  }

  @Test func theDocumentMustBeAMappingWithAName() {
    expectLocated(sweepError(""), keyPath: "name", line: 1, hints: ["empty", "docs/sweeps.md"])
    expectLocated(sweepError("- width\n"), keyPath: "", line: 1, hints: ["expected a mapping"])
    let noName = sweepError("grid:\n  seed: [0]\n")
    expectLocated(noName, keyPath: "name", line: 1, hints: ["has no 'name'", "name: my-sweep"])
    expectLocated(sweepError("name: a b\ngrid:\n  seed: [0]\n"), keyPath: "name", line: 1, column: 7,
                  hints: ["found 'a b'", "name: mup-width"])
    expectLocated(sweepError("name: x\nbase:\n  depth: 4\n"), keyPath: "grid", line: 1,
                  hints: ["has no 'grid'", "grid: {seed: [0, 1, 2]}"])
    expectLocated(sweepError("name: x\noutput: ''\ngrid:\n  seed: [0]\n"), keyPath: "output", line: 2,
                  hints: ["expected a directory path"])
  }

  // MARK: Unknown and misplaced keys

  @Test func unknownTopLevelKeysSuggestTheClosest() {
    let error = sweepError("""
      name: x
      gird:
        seed: [0]
      """)
    guard case .unknownKey(_, let key, let suggestion, let known) = error else {
      Issue.record("Expected .unknownKey, got \(String(describing: error))")
      return
    }
    #expect(key == "gird")
    #expect(suggestion == "grid")
    #expect(known == SweepConfig.topLevelKeys)
    expectLocated(error, keyPath: "gird", line: 2, column: 1, hints: ["unknown key 'gird'", "Did you mean 'grid'?"])
  }

  @Test func aSettingAtTheTopLevelIsToBeIndented() {
    let error = sweepError("name: x\nwidth: [1, 2]\n")
    guard case .notAllowed(_, "width", _, _) = error else {
      Issue.record("Expected .notAllowed, got \(String(describing: error))")
      return
    }
    expectLocated(error, keyPath: "width", line: 2, hints: ["Indent it under base:", "grid:"])
  }

  @Test(arguments: [
    ("base", "widht: 3", "width"),
    ("base", "learning_rate: 0.1", "learning-rate"),
    ("base", "lr: 0.1", "learning-rate"),
    ("base", "batch: 64", "batch-size"),
    ("grid", "Seed: [0]", "seed"),
    ("grid", "presets: [mup]", "preset"),
    ("grid", "measure_every: [5]", "measure-every"),
  ])
  func unknownSettingsSuggestTheClosest(section: String, line: String, suggestion: String) {
    let error = sweepError("name: x\ngrid:\n  seed: [9]\n\(section == "grid" ? "" : "\(section):\n")  \(line)\n")
    let key = String(line.prefix(while: { $0 != ":" }))
    guard case .unknownKey(_, key, suggestion, let known) = error else {
      Issue.record("Expected .unknownKey(\(key), \(suggestion)), got \(String(describing: error))")
      return
    }
    #expect(known == SweepConfig.settingKeys)
    expectLocated(error, keyPath: "\(section).\(key)", line: section == "grid" ? 4 : 5, column: 3,
                  hints: ["Did you mean '\(suggestion)'?"])
  }

  @Test func aKeyFarFromEveryKnownOneListsThemAll() {
    let error = sweepError("name: x\nbase:\n  scheduler: cosine\ngrid:\n  seed: [0]\n")
    guard case .unknownKey(_, "scheduler", nil, _) = error else {
      Issue.record("Expected .unknownKey without suggestion, got \(String(describing: error))")
      return
    }
    expectLocated(error, keyPath: "base.scheduler", line: 3, hints: ["Known keys here: arch, width, depth"])
  }

  @Test(arguments: [
    ("base", "output: runs/x", "top-level output:"),
    ("base", "name: x", "top-level name:"),
    ("base", "overwrite: true", "never replaces finished ones"),
    ("grid", "output: [a]", "top-level output:"),
    ("grid", "threads: [1, 2]", "Set it once in base:"),
    ("grid", "save-tensors: [true, false]", "Set it once in base:"),
  ])
  func keysTheSweepOwnsAreRejected(section: String, line: String, hint: String) {
    let yaml = section == "base" ? "name: x\nbase:\n  \(line)\ngrid:\n  seed: [0]\n" : "name: x\ngrid:\n  \(line)\n"
    let error = sweepError(yaml)
    let key = String(line.prefix(while: { $0 != ":" }))
    guard case .notAllowed(_, key, _, _) = error else {
      Issue.record("Expected .notAllowed(\(key)), got \(String(describing: error))")
      return
    }
    expectLocated(error, keyPath: "\(section).\(key)", line: 3, hints: ["'\(key)' is not allowed here", hint])
  }

  // MARK: Values

  @Test(arguments: [
    ("base", "width: abc", "base.width", 10, "a whole number ≥ 1", "found 'abc'", "width: 256"),
    ("base", "steps: 1.5", "base.steps", 10, "a whole number ≥ 1", "found '1.5'", "steps: 200"),
    ("base", "depth: ", "base.depth", 9, "a whole number ≥ 1", "found null", "depth: 4"),
    ("base", "learning-rate: -0.1", "base.learning-rate", 18, "a positive number", "found '-0.1'", "learning-rate: 0.05"),
    ("base", "bias: maybe", "base.bias", 9, "true or false", "found 'maybe'", "bias: true"),
    ("base", "activation: rleu", "base.activation", 15, "one of identity, relu, tanh, gelu", "found 'rleu'", "Did you mean 'relu'?"),
    ("base", "preset: mupp", "base.preset", 11, "a preset, one of sp, ntk, mup", "found 'mupp'", "Did you mean 'mup'?"),
    ("base", "preset: adam", "base.preset", 11, "resnet-sqrt, resnet-inv", "found 'adam'", "preset: mup"),
    ("base", "data: imagenet", "base.data", 9, "synthetic:gaussian, mnist:DIR", "found 'imagenet'", "data: synthetic"),
    ("base", "data: mnist", "base.data", 9, "mnist:DIR", "found 'mnist'", "data: synthetic"),
    ("base", "branch-matrices: 3", "base.branch-matrices", 20, "1 or 2", "found '3'", "branch-matrices: 1"),
    ("base", "branch-scale: 0", "base.branch-scale", 17, "m/sqrt (m > 0)", "found '0'", "branch-scale: inv-sqrt"),
    ("base", "width: [1, 2]", "base.width", 10, "a single value", "found a list", "move it to grid:"),
    ("grid", "seed: [0, -1]", "grid.seed[1]", 13, "a whole number ≥ 0", "found '-1'", "seed: 0"),
    ("grid", "width: [256, 0]", "grid.width[1]", 16, "a whole number ≥ 1", "found '0'", "width: 256"),
    ("grid", "width: [[1, 2]]", "grid.width[0]", 11, "a single value", "found a list", "width: [a, b, c]"),
    ("grid", "dtype: [float16]", "grid.dtype[0]", 11, "one of float32, float64", "found 'float16'", "Did you mean 'float32'?"),
    ("grid", "width: {a: 1}", "grid.width", 10, "a list of values", "found a mapping", "width: [256, …]"),
  ] as [(String, String, String, Int, String, String, String)])
  func wrongValuesNameWhatWasExpected(
    section: String, line: String, keyPath: String, column: Int, expected: String, found: String, fix: String
  ) {
    let yaml = section == "base" ? "name: x\nbase:\n  \(line)\ngrid:\n  seed: [0]\n" : "name: x\ngrid:\n  \(line)\n"
    let error = sweepError(yaml)
    guard case .invalidValue = error else {
      Issue.record("Expected .invalidValue, got \(String(describing: error))")
      return
    }
    expectLocated(error, keyPath: keyPath, line: 3, column: column, hints: [expected, found, fix])
  }

  @Test func aGridNeedsNonEmptyLists() {
    let scalar = sweepError("name: x\ngrid:\n  seed: [0]\n  width: 256\n")
    #expect(scalar == .notAList(SweepLocation(file: "t.yaml", keyPath: "grid.width", line: 4, column: 10), key: "width", found: "256"))
    expectLocated(scalar, keyPath: "grid.width", line: 4, hints: ["expected a list of values", "width: [256]", "move width to base:"])
    let empty = sweepError("name: x\ngrid:\n  seed: []\n")
    #expect(empty == .emptyList(SweepLocation(file: "t.yaml", keyPath: "grid.seed", line: 3, column: 9), key: "seed"))
    expectLocated(empty, keyPath: "grid.seed", line: 3, hints: ["the list is empty", "seed: [0]"])
    let emptyGrid = sweepError("name: x\ngrid: {}\n")
    expectLocated(emptyGrid, keyPath: "grid", line: 2, hints: ["has no 'grid'"])
  }

  @Test func aKeyInBaseAndGridIsAContradiction() {
    let error = sweepError("""
      name: x
      base:
        width: 256
        depth: 4
      grid:
        seed: [0]
        width: [128, 512]
      """)
    #expect(error == .keyGivenTwice(
      SweepLocation(file: "t.yaml", keyPath: "grid.width", line: 7, column: 3), key: "width",
      first: SweepLocation(file: "t.yaml", keyPath: "base.width", line: 3, column: 3)))
    expectLocated(error, keyPath: "grid.width", line: 7, hints: ["also given at base.width (line 3)", "Keep one"])
  }

  @Test func aKeyInGridAndZipIsAContradiction() {
    let error = sweepError("""
      name: x
      zip:
        width: [128, 512]
      grid:
        width: [128]
      """)
    // grid is read before zip, whatever the order in the file.
    expectLocated(error, keyPath: "zip.width", line: 3, hints: ["also given at grid.width (line 5)"])
  }

  @Test func zipListsMustHaveOneLength() {
    let error = sweepError("""
      name: x
      zip:
        width: [128, 256, 512]
        learning-rate: [0.1, 0.05]
      """)
    #expect(error == .zipLengthMismatch(
      SweepLocation(file: "t.yaml", keyPath: "zip.learning-rate", line: 4, column: 18), key: "learning-rate",
      count: 2, expected: 3, firstKey: "width"))
    expectLocated(error, keyPath: "zip.learning-rate", line: 4, hints: ["has 2 values but 'width' has 3", "Give every zip list 3 values"])
  }

  // MARK: Repeated values

  @Test func aRepeatedGridValueIsADuplicateCell() {
    let error = sweepError("""
      name: x
      grid:
        width: [128]
        seed:
          - 0
          - 1
          - 0
      """)
    #expect(error == .duplicateCell(
      SweepLocation(file: "t.yaml", keyPath: "grid.seed[2]", line: 7, column: 7), value: "seed: 0", firstLine: 5))
    expectLocated(error, keyPath: "grid.seed[2]", line: 7, hints: ["repeats the value at line 5", "Remove the repeated value"])
  }

  @Test func valuesRepeatByMeaningNotSpelling() {
    expectLocated(sweepError("name: x\ngrid:\n  learning-rate: [0.1, 1e-1]\n"), keyPath: "grid.learning-rate[1]", line: 3,
                  hints: ["learning-rate: 0.1 repeats"])
    expectLocated(sweepError("name: x\nbase:\n  arch: resnet\ngrid:\n  branch-scale: [inv-sqrt, 1/sqrt]\n"),
                  keyPath: "grid.branch-scale[1]", line: 5, hints: ["branch-scale: inv-sqrt repeats"])
    expectLocated(sweepError("name: x\ngrid:\n  data: [synthetic, synthetic:teacher]\n"), keyPath: "grid.data[1]", line: 3,
                  hints: ["data: synthetic repeats"])
  }

  @Test func aRepeatedZipRowIsADuplicateCell() {
    let error = sweepError("""
      name: x
      zip:
        width: [128, 256, 128]
        learning-rate: [0.1, 0.05, 0.1]
      """)
    expectLocated(error, keyPath: "zip.width[2]", line: 3, hints: ["width: 128, learning-rate: 0.1 repeats"])
    #expect(throws: Never.self) {
      try SweepConfig.parse(yaml: "name: x\nzip:\n  width: [128, 128]\n  learning-rate: [0.1, 0.05]\n", source: "t.yaml")
    }
  }

  // MARK: Contradictions among the combinations

  @Test func aResNetPresetWithAnMLPPointsAtThePresetEntry() {
    let error = sweepError("""
      name: x
      base:
        arch: mlp
      grid:
        preset:
          - mup
          - resnet-sqrt
        seed: [0, 1]
      """)
    guard case .contradiction(_, let cell, _, _) = error else {
      Issue.record("Expected .contradiction, got \(String(describing: error))")
      return
    }
    #expect(cell == "#2 (preset=resnet-sqrt, seed=0)")
    expectLocated(error, keyPath: "grid.preset[1]", line: 7, column: 7, hints: [
      "the cell #2 (preset=resnet-sqrt, seed=0) cannot run", "preset resnet-sqrt is for arch resnet, but arch is mlp",
      "Set arch: resnet in base:",
    ])
  }

  @Test func aResNetPresetInBaseWithAnMLPInTheGridPointsAtTheArchEntry() {
    let error = sweepError("name: x\nbase:\n  preset: resnet-inv\ngrid:\n  arch: [resnet, mlp]\n")
    expectLocated(error, keyPath: "grid.arch[1]", line: 5, column: 18, hints: ["preset resnet-inv is for arch resnet"])
  }

  @Test func aBranchScaleWithAnMLPIsAContradiction() {
    let error = sweepError("""
      name: x
      grid:
        width: [64]
        branch-scale: [inv]
      """)
    expectLocated(error, keyPath: "grid.branch-scale[0]", line: 4, column: 18, hints: [
      "branch-scale inv applies to ResNets only, but arch is mlp", "Remove branch-scale, or set arch: resnet",
    ])
  }

  @Test func aBranchScaleThePresetContradicts() {
    let error = sweepError("""
      name: x
      base:
        arch: resnet
        preset: resnet-inv
      grid:
        branch-scale: [inv, inv-sqrt]
      """)
    expectLocated(error, keyPath: "grid.branch-scale[1]", line: 6, hints: [
      "preset resnet-inv sets the branch scale β = 1/L, but branch-scale asks for inv-sqrt", "e.g. mup",
    ])
  }

  @Test func aProbeLargerThanTheBatchPointsAtTheVaryingKey() {
    let error = sweepError("""
      name: x
      base:
        probe: 64
      grid:
        batch-size: [128, 32]
      """)
    guard case .contradiction(_, "#1 (batch-size=32)", _, _) = error else {
      Issue.record("Expected .contradiction for cell #1, got \(String(describing: error))")
      return
    }
    expectLocated(error, keyPath: "grid.batch-size[1]", line: 5, column: 21, hints: [
      "probe 64 is larger than batch-size 32", "probe: null for exact measurements",
    ])
    // With the batch size fixed, the probe is the offending key.
    expectLocated(sweepError("name: x\nbase:\n  batch-size: 16\ngrid:\n  probe: [8, 32]\n"), keyPath: "grid.probe[1]",
                  line: 5, hints: ["probe 32 is larger than batch-size 16"])
    expectLocated(sweepError("name: x\nbase:\n  probe: 200\ngrid:\n  seed: [0]\n"), keyPath: "base.probe",
                  line: 3, hints: ["probe 200 is larger than batch-size 128"])
  }

  @Test func syntheticDimensionsWithFileDataAreAContradiction() {
    let error = sweepError("""
      name: x
      base:
        input-dim: 32
      grid:
        data: [synthetic, fashion-mnist]
      """)
    expectLocated(error, keyPath: "grid.data[1]", line: 5, hints: [
      "input-dim 32 applies to synthetic data, but data is fashion-mnist", "zip:",
    ])
    expectLocated(sweepError("name: x\nbase:\n  data: mnist:/data/mnist\ngrid:\n  output-dim: [10]\n"),
                  keyPath: "grid.output-dim[0]", line: 5, hints: ["output-dim 10 applies to synthetic data"])
  }

  @Test(arguments: [
    ("depth: [1]", "grid.depth[0]", "an MLP has depth ≥ 2"),
    ("train-size: [64]", "grid.train-size[0]", "train-size 64 is smaller than batch-size 128"),
    ("output-dim: [1]", "grid.output-dim[0]", "cross-entropy needs at least 2 classes"),
  ])
  func otherRunRequestRulesAreContradictions(line: String, keyPath: String, hint: String) {
    let error = sweepError("name: x\ngrid:\n  \(line)\n")
    guard case .contradiction = error else {
      Issue.record("Expected .contradiction, got \(String(describing: error))")
      return
    }
    expectLocated(error, keyPath: keyPath, line: 3, hints: [hint])
  }

  @Test func cellsThatShareADirectoryNameAreRejected() {
    let error = sweepError("name: x\ngrid:\n  data: ['mnist:/a/b', 'mnist:/a-b']\n")
    guard case .cellIDCollision(_, "data=mnist-a-b", _, _) = error else {
      Issue.record("Expected .cellIDCollision, got \(String(describing: error))")
      return
    }
    expectLocated(error, keyPath: "grid.data[1]", line: 3, hints: ["Rename one of the data directories"])
  }

  @Test func aRunawayGridIsRejectedBeforeExpansion() {
    let list = "[" + (0..<10).map(String.init).joined(separator: ", ") + "]"
    let yaml = "name: x\ngrid:\n  seed: \(list)\n" + ["width", "depth", "steps", "batch-size", "train-size"]
      .map { "  \($0): [" + (1...10).map { String($0 * 200) }.joined(separator: ", ") + "]\n" }.joined()
    let error = sweepError(yaml)
    #expect(error == .tooManyCells(
      SweepLocation(file: "t.yaml", keyPath: "grid", line: 2, column: 1), count: "at least 1000000", limit: 100_000))
    expectLocated(error, keyPath: "grid", line: 2, hints: ["more than the limit of 100000", "split the sweep"])
  }
}
