import Foundation
import Networks
import NumericCore
import Scalings
import Testing
import Training
import _TestSupport

@testable import Experiments

/// The package root, for the example files and docs.
let sweepPackageRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The sweep file of the issue and of docs/sweeps.md's first example.
let documentedSweep = """
  # sweep.yaml
  name: mup-width           # slug: letters, digits, '-', '_'
  output: runs/mup-width    # sweep directory; optional, default runs/<name>
  base:                     # fixed settings for every cell
    arch: mlp
    depth: 4
    data: fashion-mnist
    steps: 200
    measure-every: 10
    probe: 32
  grid:                     # the cartesian product of these lists
    width: [128, 256, 512, 1024]
    preset: [sp, mup]
    learning-rate: [0.01, 0.1]
    seed: [0, 1, 2]
  """

@Suite struct SweepConfigTests {
  @Test func theDocumentedExampleParses() throws {
    let config = try SweepConfig.parse(yaml: documentedSweep, source: "sweep.yaml")
    #expect(config.name == "mup-width")
    #expect(config.output == "runs/mup-width")
    #expect(config.cellsDirectory == "runs/mup-width/cells")
    #expect(config.base.map(\.key) == ["arch", "depth", "data", "steps", "measure-every", "probe"])
    #expect(config.base.map(\.value) == ["mlp", "4", "fashion-mnist", "200", "10", "32"])
    #expect(config.base.map(\.location.line) == [5, 6, 7, 8, 9, 10])
    #expect(config.axes.map(\.keys) == [["width"], ["preset"], ["learning-rate"], ["seed"]])
    #expect(config.axes.map(\.points.count) == [4, 2, 2, 3])
    #expect(config.cells.count == 48)
  }

  @Test func everyYAMLBlockOfTheDocsParses() throws {
    let text = try String(contentsOf: sweepPackageRoot.appendingPathComponent("docs/sweeps.md"), encoding: .utf8)
    let blocks = text.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    #expect(blocks.count >= 3)
    for block in blocks {
      #expect(throws: Never.self, "docs/sweeps.md block:\n\(block)") {
        _ = try SweepConfig.parse(yaml: block, source: "docs/sweeps.md")
      }
    }
    #expect(blocks.contains(documentedSweep + "\n"), "docs/sweeps.md shows the documented example verbatim")
  }

  @Test(arguments: [
    ("width-sp-mup.yaml", 16, "width=64_preset=sp_seed=0"),
    ("resnet-depth.yaml", 20, "preset=resnet-sqrt_depth=2_seed=0"),
    ("lr-transfer.yaml", 96, "preset=sp_width=128_learning-rate=0.003_seed=0"),
  ])
  func theExampleFilesParse(file: String, cellCount: Int, firstID: String) throws {
    let url = sweepPackageRoot.appendingPathComponent("examples").appendingPathComponent(file)
    let config = try SweepConfig.load(from: url)
    #expect(config.cells.count == cellCount)
    #expect(config.cells.first?.id == firstID)
    #expect(config.name + ".yaml" == file)
  }

  @Test func theSyntheticExampleIsSmall() throws {
    let url = sweepPackageRoot.appendingPathComponent("examples/width-sp-mup.yaml")
    for cell in try SweepConfig.load(from: url).cells {
      #expect(cell.request.data == .synthetic(.teacher))
      #expect(cell.request.steps * cell.request.width <= 100 * 512)
    }
  }

  @Test func loadNamesTheFileInErrors() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("bad.yaml")
      try Data("name: x\ngrid:\n  width: [0]\n".utf8).write(to: url)
      do {
        _ = try SweepConfig.load(from: url)
        Issue.record("expected an error")
      } catch let error as SweepConfigError {
        #expect(error.location?.file == url.relativePath)
        #expect(error.description.hasPrefix(url.relativePath + ":3:11: grid.width[0]: "))
      }
      let missing = directory.appendingPathComponent("missing.yaml")
      #expect(throws: SweepConfigError.unreadable(file: missing.relativePath, reason: "no such file")) {
        try SweepConfig.load(from: missing)
      }
    }
  }

  @Test func outputDefaultsToRunsName() throws {
    let config = try SweepConfig.parse(yaml: "name: abc_1\ngrid:\n  seed: [0]\n", source: "s.yaml")
    #expect(config.output == "runs/abc_1")
    #expect(config.cells[0].request.output == "runs/abc_1/cells/seed=0")
    let trailing = try SweepConfig.parse(yaml: "name: a\noutput: /tmp/out/\ngrid:\n  seed: [0]\n", source: "s.yaml")
    #expect(trailing.cells[0].request.output == "/tmp/out/cells/seed=0")
  }

  @Test func theUsersDataFilesParseAsOnTheCommandLine() throws {
    let yaml = """
      name: own
      base:
        test-size: 30
      grid:
        data: ["csv:iris.csv#label=species", "npy:x.npy,y.npy", "npz:d.npz", "safetensors:d.safetensors"]
      """
    let config = try SweepConfig.parse(yaml: yaml, source: "s.yaml")
    #expect(config.cells.map(\.request.data) == [
      .csv(path: "iris.csv", targets: .label("species")), .npy(inputs: "x.npy", labels: "y.npy"), .npz(path: "d.npz"),
      .safetensors(path: "d.safetensors"),
    ])
    #expect(config.cells.allSatisfy { $0.request.testSize == 30 })
    #expect(throws: (any Error).self) {
      try SweepConfig.parse(yaml: "name: own\nbase:\n  data: csv:d.csv\n  input-dim: 4\ngrid:\n  seed: [0]\n", source: "s.yaml")
    }
  }

  // MARK: Requests: the same fields `featurespeed train` with the same flags sets

  @Test func aCellRequestIsTheTrainRequestOfItsFlags() throws {
    let config = try SweepConfig.parse(yaml: documentedSweep, source: "sweep.yaml")
    let cell = config.cells[11]  // width 128, preset mup, learning-rate 0.1, seed 2
    // featurespeed train --arch mlp --depth 4 --data fashion-mnist --steps 200 --measure-every 10
    //   --probe 32 --width 128 --preset mup --learning-rate 0.1 --seed 2 --name <id> --output <dir>
    var expected = RunRequest()
    expected.architecture = .mlp
    expected.depth = 4
    expected.data = .fashionMNIST(directory: DataSource.defaultFashionMNISTDirectory)
    expected.steps = 200
    expected.measureEvery = 10
    expected.probe = 32
    expected.width = 128
    expected.preset = "mup"
    expected.learningRate = 0.1
    expected.seed = 2
    expected.name = "width=128_preset=mup_learning-rate=0.1_seed=2"
    expected.output = "runs/mup-width/cells/width=128_preset=mup_learning-rate=0.1_seed=2"
    #expect(cell.id == expected.name)
    #expect(cell.request == expected)
    #expect(cell.request.runName == cell.id)
    #expect(!cell.request.overwrite)
  }

  @Test func everyKeyMapsOntoItsRequestField() throws {
    let yaml = """
      name: every-key
      base:
        arch: resnet
        depth: 3
        branch-scale: 2/sqrt
        branch-matrices: 2
        activation: tanh
        bias: true
        normalize-features: true
        loss: mse
        preset: spectral
        init-scale: 0.5
        data: synthetic:gaussian
        input-dim: 16
        output-dim: 3
        train-size: 512
        test-size: 0
        batch-size: 32
        steps: 7
        seed: 42
        dtype: float64
        measure-every: 0
        probe: 8
        no-actual: true
        no-spectral: true
        evaluate-every: 5
        save-tensors: true
        threads: 1
        momentum: 0.5
        nesterov: false
        beta1: 0.8
        beta2: 0.99
        adam-epsilon: 1e-6
        weight-decay: 0.2
        newton-schulz-steps: 7
        newton-schulz-variant: cubic
        preset-file: calib/lr-multipliers.json
        control-backward-norm: 2
        control-decay: 0.04
        control-profile: 1,2,2,1,1
        control-feature-speed: null
        control-cap: 50
        control-smoothing: 0.5
        control-floor: 1e-20
        control-calibration: 10
        lr-schedule: cosine
        warmup-steps: 2
        lr-final-fraction: 0.1
        zero-readout: true
        base-width: 32
      grid:
        learning-rate: [0.02]
        width: [64]
        optimizer: [adamw]     # varied by the grid: the other optimizers' constants apply where read
      """
    let config = try SweepConfig.parse(yaml: yaml, source: "every.yaml")
    #expect(Set(config.base.map(\.key) + config.axes.flatMap(\.keys)) == Set(SweepConfig.settingKeys))
    var expected = RunRequest()
    expected.architecture = .resnet
    expected.width = 64
    expected.depth = 3
    expected.branchScale = .inverseSqrtDepth(multiplier: 2)
    expected.branchMatrices = 2
    expected.activation = .tanh
    expected.bias = true
    expected.normalizesFeatures = true
    expected.loss = .mse
    expected.preset = "spectral"
    expected.initScale = 0.5
    expected.learningRate = 0.02
    expected.data = .synthetic(.gaussian)
    expected.inputDimension = 16
    expected.outputDimension = 3
    expected.trainSize = 512
    expected.testSize = 0
    expected.batchSize = 32
    expected.steps = 7
    expected.seed = 42
    expected.dtype = .float64
    expected.measureEvery = 0
    expected.probe = 8
    expected.measuresActualStep = false
    expected.measuresSpectra = false
    expected.evaluateEvery = 5
    expected.saveTensors = true
    expected.threads = 1
    expected.optimizer = OptimizerSettings(
      kind: .adamw, momentum: 0.5, nesterov: false, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.2,
      newtonSchulzSteps: 7, newtonSchulzVariant: .cubic)
    expected.presetFile = "calib/lr-multipliers.json"
    expected.controlBackwardNorm = 2
    expected.controlDecay = 0.04
    expected.controlProfile = .weights([1, 2, 2, 1, 1])
    expected.controlCap = 50
    expected.controlSmoothing = 0.5
    expected.controlFloor = 1e-20
    expected.controlCalibration = 10
    expected.learningRateSchedule = .cosine
    expected.warmupSteps = 2
    expected.learningRateFinalFraction = 0.1
    expected.zeroReadout = true
    expected.baseWidth = 32
    expected.name = "learning-rate=0.02_width=64_optimizer=adamw"
    expected.output = "runs/every-key/cells/learning-rate=0.02_width=64_optimizer=adamw"
    #expect(config.cells == [SweepCell(
      index: 0,
      values: [.init(key: "learning-rate", value: "0.02"), .init(key: "width", value: "64"), .init(key: "optimizer", value: "adamw")],
      request: expected, id: "learning-rate=0.02_width=64_optimizer=adamw")])
  }

  @Test func valuesAreParsedAsTheCommandLineParsesThem() throws {
    let yaml = """
      name: spellings
      base:
        arch: ResNet
        preset: " MUP "
        data: Synthetic
        bias: yes
        learning-rate: 1e-2
        no-actual: false
        seed: "7"
      grid:
        branch-scale: [inv-sqrt, INV, 0.5, 2/sqrt, 3.0/sqrt, null]
      """
    let config = try SweepConfig.parse(yaml: yaml, source: "s.yaml")
    let request = config.cells[0].request
    #expect(request.architecture == .resnet)
    #expect(request.preset == "mup")
    #expect(request.data == .synthetic(.teacher))
    #expect(request.bias)
    #expect(request.learningRate == 0.01)
    #expect(request.measuresActualStep)
    #expect(request.seed == 7)
    #expect(config.cells.map(\.request.branchScale) == [
      .inverseSqrt, .inverseDepth, .constant(0.5), .inverseSqrtDepth(multiplier: 2), .inverseSqrtDepth(multiplier: 3), nil,
    ])
    #expect(config.cells.map(\.id) == [
      "branch-scale=inv-sqrt", "branch-scale=inv", "branch-scale=0.5", "branch-scale=2-sqrt", "branch-scale=3-sqrt",
      "branch-scale=default",
    ])
  }

  @Test func nullLeavesAnOptionalAtItsDefault() throws {
    let yaml = """
      name: probes
      grid:
        data: [synthetic, fashion-mnist]
      zip:
        probe: [~, 8]
      """
    let config = try SweepConfig.parse(yaml: yaml, source: "s.yaml")
    #expect(config.cells.map(\.request.probe) == [nil, 8, nil, 8])
    #expect(config.cells.map(\.id) == [
      "data=synthetic_probe=default", "data=synthetic_probe=8",
      "data=fashion-mnist_probe=default", "data=fashion-mnist_probe=8",
    ])
  }

  @Test func zipPairsSyntheticSettingsWithTheirData() throws {
    let yaml = """
      name: data-kinds
      zip:
        data: [synthetic, fashion-mnist]
        input-dim: [32, null]
      grid:
        seed: [0, 1]
      """
    let config = try SweepConfig.parse(yaml: yaml, source: "s.yaml")
    #expect(config.axes.map(\.keys) == [["seed"], ["data", "input-dim"]])
    #expect(config.cells.map(\.request.inputDimension) == [32, nil, 32, nil])
    #expect(config.cells.map(\.id) == [
      "seed=0_data=synthetic_input-dim=32", "seed=0_data=fashion-mnist_input-dim=default",
      "seed=1_data=synthetic_input-dim=32", "seed=1_data=fashion-mnist_input-dim=default",
    ])
  }
}
