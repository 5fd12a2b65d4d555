import ArgumentParser
import Networks
import Scalings

/// `featurespeed presets`: the per-layer table of a parametrization for a given model.
public struct PresetsCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "presets",
    abstract: "Print the per-layer scaling table of a parametrization preset (theory §5.1).",
    discussion: """
      For every tensor: layer, role, fanIn, fanOut, init std, forward multiplier and learning-rate \
      multiplier (the learning rate is the base rate times the multiplier). With --list, the \
      presets and their summaries; with --rules, the preset's formulas per role.

      With --base-width B, every width factor is taken relative to the network of width B \
      (microsoft/mup's base shapes), so the preset equals sp at width B.

      Examples:
        featurespeed presets --arch mlp --width 1024 --depth 8 --preset mup
        featurespeed presets --preset mup --width 1024 --base-width 256
      """)

  @OptionGroup public var model: ModelOptions

  @Option(parsing: .unconditional, help: "Input dimension d_0 (784 for MNIST).")
  public var inputDim: Int = 784

  @Option(parsing: .unconditional, help: "Output dimension (classes).")
  public var outputDim: Int = 10

  @Option(help: "Learning-rate table: sgd (also momentum), adam (also adamw) or spectral (spectral descent).")
  public var optimizer: OptimizerFamily = .sgd

  @Option(parsing: .unconditional, help: "Base learning rate, to show the resolved per-tensor rates.")
  public var learningRate: Double?

  @Flag(help: "List every preset with its summary.")
  public var list = false

  @Flag(help: "Show the preset's formulas per role instead of numbers.")
  public var rules = false

  public init() {}

  public func validate() throws {
    if inputDim < 1 { throw ValidationError("--input-dim must be a positive integer, got \(inputDim).") }
    if outputDim < 1 { throw ValidationError("--output-dim must be a positive integer, got \(outputDim).") }
  }

  public func run() throws {
    if list {
      for preset in Presets.all {
        print("\(preset.name)\(preset.isReconstruction ? " (reconstruction)" : "")")
        print("    \(preset.summary)")
        if let note = preset.note { print("    Note: \(note)") }
      }
      return
    }
    let preset = try Presets.named(model.preset)
    if rules {
      print(renderRules(preset, optimizer: optimizer))
      return
    }
    let architecture = try Architecture(
      kind: model.arch, inputDimension: inputDim, width: model.width, depth: model.depth, outputDimension: outputDim,
      activation: model.activation, hasBias: model.bias, branchScale: 1, branchMatrices: model.branchMatrices,
      normalizesFeatures: model.normalizeFeatures)
    let resolution = try PresetResolution(
      architecture: architecture, loss: .crossEntropy, preset: preset, optimizer: optimizer,
      branchScale: try model.parsedBranchScale(), initScale: model.initScale,
      baseShapes: model.baseWidth.map(BaseShapes.init(width:)))
    var header = "\(preset.name) (\(optimizer.rawValue)) for a \(model.arch.rawValue) of width \(model.width), depth \(model.depth), "
      + "\(model.activation.rawValue), d_0 = \(inputDim), outputs = \(outputDim)"
    if let rule = resolution.branchScale {
      header += ", β = \(rule) = \(resolution.spec.architecture.branchScale)"
    }
    if let base = model.baseWidth {
      header += ", base width \(base) (width factors relative to width \(base), where \(preset.name) equals sp)"
    }
    print(header)
    if preset.isReconstruction, let note = preset.note { print("Note: \(note)") }
    print(renderTable(resolution.table(baseLearningRate: learningRate ?? 1)))
    print("fwd multiplier: the factor a in F = a·W·x; lr = base rate η × lr multiplier, here with η = "
      + (learningRate.map { String(format: "%g", $0) } ?? "1 (pass --learning-rate η for a run's rates)") + ".")
  }
}
