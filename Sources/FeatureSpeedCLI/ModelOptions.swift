import ArgumentParser
import NumericCore
import Networks
import Scalings
import Experiments

/// Model options shared by `train`, `kernel`, `coordcheck` and `presets` (theory §2, §5.1).
public struct ModelOptions: ParsableArguments {
  @Option(help: "Architecture: mlp or resnet.")
  public var arch: ArchitectureKind = .mlp

  @Option(parsing: .unconditional, help: "Hidden width (and ResNet residual-stream width).")
  public var width: Int = 256

  @Option(parsing: .unconditional, help: "MLP: number of weight matrices L (≥ 2). ResNet: number of residual blocks L (≥ 1).")
  public var depth: Int = 4

  @Option(help: ArgumentHelp(
    "ResNet branch scale β: a number, inv-sqrt (1/√L), inv (1/L), or m/sqrt (m/√L). Default: the preset's, else 1/√L.",
    valueName: "beta"))
  public var branchScale: String?

  @Option(parsing: .unconditional, help: "Weight matrices per ResNet branch: 1 (β a φ(F)Wᵀ) or 2 (β a φ(φ(F)W₁ᵀ)W₂ᵀ).")
  public var branchMatrices: Int = 1

  @Option(help: "Nonlinearity: relu, identity, tanh or gelu.")
  public var activation: Activation = .relu

  @Flag(help: "Give every layer a bias vector.")
  public var bias = false

  @Flag(help: "Forward feature normalization (theory §5.3): every layer reads its input feature as α(F/rms_row(F)).")
  public var normalizeFeatures = false

  @Option(help: ArgumentHelp(
    "Parametrization (theory §5.1): sp, ntk, mup, spectral, spectral-exact, mf-mup, fsc, resnet-sqrt, resnet-inv.",
    valueName: "name"))
  public var preset: String = "mup"

  @Option(parsing: .unconditional, help: "Global factor on every initialization standard deviation.")
  public var initScale: Double = 1

  @Option(parsing: .unconditional, help: ArgumentHelp(
    "mup-style base width B: every width factor of the preset is taken relative to the network of width B, so the preset equals sp at width B (rates tuned in sp at width B carry over).",
    valueName: "B"))
  public var baseWidth: Int?

  public init() {}

  public func validate() throws {
    if width < 1 { throw ValidationError("--width must be a positive integer, got \(width).") }
    if depth < 1 { throw ValidationError("--depth must be a positive integer, got \(depth).") }
    if branchMatrices != 1 && branchMatrices != 2 {
      throw ValidationError("--branch-matrices must be 1 or 2, got \(branchMatrices).")
    }
    if !(initScale.isFinite && initScale > 0) { throw ValidationError("--init-scale must be a positive number, got \(initScale).") }
    if let baseWidth, baseWidth < 1 {
      throw ValidationError("--base-width must be a positive integer (the width at which the preset equals sp), got \(baseWidth).")
    }
    do { _ = try Presets.named(preset) } catch { throw ValidationError("\(error)") }
    do { _ = try parsedBranchScale() } catch { throw ValidationError("\(error)") }
  }

  /// Sets the model fields of `request` (architecture, width, depth, branch scale and matrices,
  /// activation, bias, feature normalization, preset, init scale, base width) from these options.
  /// - Throws: `PresetError.invalidBranchScale`.
  public func apply(to request: inout RunRequest) throws {
    request.architecture = arch
    request.width = width
    request.depth = depth
    request.branchScale = try parsedBranchScale()
    request.branchMatrices = branchMatrices
    request.activation = activation
    request.bias = bias
    request.normalizesFeatures = normalizeFeatures ? true : nil
    request.preset = preset
    request.initScale = initScale
    request.baseWidth = baseWidth
  }

  /// `--branch-scale` parsed (`nil` when absent).
  /// - Throws: `PresetError.invalidBranchScale` with the accepted forms.
  public func parsedBranchScale() throws -> BranchScale? {
    try branchScale.map { try BranchScale(parsing: $0) }
  }
}
