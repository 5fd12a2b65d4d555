import ArgumentParser
import Foundation
import Networks
import Measurements
import Training
import Experiments

/// `featurespeed kernel`: the spectrum of every layer's backward-to-feature kernel, matrix-free
/// (theory §4), with the bounds on the backward–feature angle it implies and the measured angle.
public struct KernelCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "kernel",
    abstract: "Spectra of the backward-to-feature kernels K_ℓ (theory §4), matrix-free, and the angle bounds they imply.",
    discussion: """
      Builds the model, data and preset exactly as `train` does (same flags), takes the first \
      training batch, and for every layer ℓ computes, without ever forming the Gram matrix: the \
      extreme eigenvalues λ_min, λ_max of K_ℓ = Σ_{k≤ℓ} η_k J_k J_kᵀ by Lanczos (each product one \
      pullback and one tangent pass), κ = λ_max/λ_min, the moments m_1 = tr(K)/N and m_2 = tr(K²)/N \
      by Hutchinson probes, the Kantorovich bound 2√κ/(1+κ), the estimate m_1/√m_2, and the \
      measured cos θ_ℓ of the batch's gradient step; and the extreme singular values of the \
      Jacobian J_{first→ℓ} with the isometry bound. K_L at the output is the learning-rate-weighted \
      empirical NTK. Works at initialization (--seed) or on saved weights (--weights: FeatureSpeed's \
      names or a PyTorch nn.Sequential state_dict, as for train --weights). When the weights file sits \
      in a run directory with a config.json (train --save-tensors writes weights-final.safetensors \
      there), the model, data, loss, learning rate, batch size, seed and dtype come from that config: \
      flags that repeat them must agree with it, a contradicting flag is refused. Writes kernel.csv, \
      kernel.json, the figure kernel.svg (per layer: measured cos θ, m_1/√m_2, the Kantorovich bound) \
      and report.md / index.html, whose first sentence is the conclusion computed from this run's numbers.

      Examples:
        featurespeed kernel --width 512 --depth 8 --batch-size 64 --preset sp
        featurespeed kernel --arch resnet --depth 16 --branch-scale inv-sqrt \\
          --layers 16,17
        # model and data from runs/demo/config.json:
        featurespeed kernel --weights runs/demo/weights-final.safetensors
      """)

  @OptionGroup public var model: ModelOptions

  @OptionGroup public var dataOptions: DataOptions

  @Option(help: "Loss: cross-entropy or mse.")
  public var loss: Loss = .crossEntropy

  @Option(parsing: .unconditional, help: "Base learning rate η; the kernel weights layer k by η × its preset multiplier.")
  public var learningRate: Double = 0.05

  @Option(help: ArgumentHelp("Weights to analyze instead of the initialization (.safetensors, as --save-tensors writes, or a PyTorch state_dict); beside a run's config.json, the model and data flags come from it.", valueName: "file"))
  public var weights: String?

  @Option(help: ArgumentHelp("Layer indices, comma-separated (default: all).", valueName: "list"))
  public var layers: String?

  @Option(parsing: .unconditional, help: "Lanczos relative tolerance on the extreme eigenvalues.")
  public var tolerance: Double = 1e-3

  @Option(parsing: .unconditional, help: "Lanczos products per layer at most.")
  public var maxProducts: Int = 60

  @Option(parsing: .unconditional, help: "Hutchinson probes per layer.")
  public var probes: Int = 32

  @Flag(help: "Skip the layer-to-layer Jacobian singular values.")
  public var noJacobians = false

  @Option(help: "Directory for kernel.csv, kernel.json, kernel.svg and the report (default: runs/kernel-<run name>).")
  public var output: String?

  @Option(parsing: .unconditional, help: "BLAS threads (default: all cores).")
  public var threads: Int?

  public init() {}

  public func validate() throws {
    if maxProducts < 1 || probes < 1 { throw ValidationError("--max-products and --probes must be positive.") }
    if !(tolerance > 0 && tolerance < 1) { throw ValidationError("--tolerance must be in (0, 1), got \(tolerance).") }
    do { _ = try request() } catch { throw ValidationError("\(error)") }
  }

  /// The run request the model, data and optimizer flags build.
  func runRequest() throws -> RunRequest {
    var r = RunRequest()
    try model.apply(to: &r)
    try dataOptions.apply(to: &r)
    r.loss = loss
    r.learningRate = learningRate
    r.testSize = 0
    r.steps = 1
    r.threads = threads
    r.output = output
    return r
  }

  /// The library request for these options (with `--weights` from a run directory, its saved
  /// model and data; see `KernelRequest.merging`).
  /// - Throws: `KernelError.contradictsRunConfiguration`, `.unreadableRunConfiguration`, and the
  ///   validation errors of the run request.
  public func request() throws -> KernelRequest {
    var r = try runRequest()
    if let weights, let (saved, configPath) = try KernelRequest.savedRunRequest(besideWeights: weights) {
      r = try KernelRequest.merging(flags: r, defaults: try Self.parse([]).runRequest(), saved: saved, configPath: configPath)
    }
    try r.validate()
    var settings = KernelSettings()
    settings.relativeTolerance = tolerance
    settings.maximumProducts = maxProducts
    settings.probes = probes
    settings.jacobians = !noJacobians
    settings.seed = r.seed
    let layerList = try layers.map { text in
      try text.split(separator: ",").map { part -> Int in
        guard let value = Int(part.trimmingCharacters(in: .whitespaces)) else {
          throw ValidationError("--layers expects layer indices separated by commas, found '\(part)'.")
        }
        return value
      }
    }
    return KernelRequest(run: r, weights: weights, layers: layerList, settings: settings)
  }

  static func format(_ value: Double?) -> String {
    guard let value else { return "—" }
    if !value.isFinite { return value.isNaN ? "nan" : "∞" }
    return abs(value) >= 1e4 || (abs(value) < 1e-3 && value != 0) ? String(format: "%.3e", value) : String(format: "%.4f", value)
  }

  public func run() throws {
    let request = try request()
    let header = ["layer", "N", "λ_min ≥", "λ_min ≤", "λ_max", "κ", "m1", "m2", "bound", "certified", "m1/√m2", "cos θ", "products", "J s_min", "J s_max"]
    printOut(header.map { $0.padding(toLength: 10, withPad: " ", startingAt: 0) }.joined(separator: " "))
    let result: KernelResult
    do {
      result = try KernelRun.execute(request) { r in
        let cells = ["\(r.layer)", "\(r.dimension)", Self.format(r.lambdaMinLowerBound),
                     Self.format(r.lambdaMin) + (r.lambdaMinCertified ? "†" : ""), Self.format(r.lambdaMax),
                     Self.format(r.conditionNumber), Self.format(r.m1), Self.format(r.m2), Self.format(r.kantorovichBound),
                     Self.format(r.certifiedKantorovichBound), Self.format(r.estimate), Self.format(r.bfaCos),
                     "\(r.lanczosProducts)\(r.lanczosConverged ? "" : "*")", Self.format(r.jacobianMinSingularValue),
                     Self.format(r.jacobianMaxSingularValue)]
        printOut(cells.map { $0.padding(toLength: 10, withPad: " ", startingAt: 0) }.joined(separator: " "))
      }
    } catch let error as RunError {
      printError(error.description)
      throw ExitCode(error.exitCode)
    } catch let error as KernelError {
      printError(error.description)
      throw ExitCode(64)
    }
    if result.layers.contains(where: \.lambdaMinCertified) {
      printOut("† λ_min certified by the dead-unit vector (units of the layer's input that are inactive on the whole batch): "
        + "one product attains the lower bound to the tolerance, so Lanczos ran for λ_max only.")
    }
    if result.layers.contains(where: { !$0.lanczosConverged }) {
      printOut("* Lanczos stopped at --max-products before reaching --tolerance: λ_min lies between the certified lower bound "
        + "(λ_min ≥) and the Ritz value (λ_min ≤), and κ and the bound are optimistic; the certified bound always holds.")
    }
    let directory = URL(fileURLWithPath: output ?? "runs/kernel-\(request.run.runName)")
    let files = try KernelRun.write(result, to: directory)
    let report = try KernelReportOutput.write(directory: directory, title: request.run.runName)
    printOut(report.conclusion)
    let written = files.map(\.path) + report.files.map { directory.appendingPathComponent($0).path }
    printOut(String(format: "%d layers in %.1f s. Files: ", result.layers.count, result.seconds) + written.joined(separator: ", "))
  }
}
