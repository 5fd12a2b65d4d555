import ArgumentParser
import Foundation
import NumericCore
import Networks
import Measurements
import Experiments

extension BenchCommand {
  /// `featurespeed bench kernel`: the extreme eigenvalues of the BFKs of an exported workload by
  /// matrix-free Lanczos (theory §4), timed; what `bench/kernel` compares with a dense Gram.
  public struct Kernel: ParsableCommand {
    public static let configuration = CommandConfiguration(
      abstract: "Time Lanczos on the backward-to-feature kernels of an exported workload (prints JSON).",
      discussion: """
        Loads a directory written by `featurespeed bench export` (weights, batch, per-layer \
        learning rates) and, for each requested layer (output = the last layer, last-hidden = the \
        one before), runs Lanczos with full reorthogonalization on K_ℓ = Σ_{k≤ℓ} η_k J_k J_kᵀ, each \
        product one pullback and one tangent pass. Prints one JSON object: per layer the dimension \
        N_ℓ, λ_min, λ_max, their residual bounds, the certified lower bound on λ_min \
        (lambda_min_lower), whether λ_min was certified by the dead-unit vector (one product; \
        Lanczos then runs for λ_max only), the products, whether both met the tolerance, and the \
        seconds (lower bound, certificate and Lanczos); and the process's peak RSS.
        """)

    @Option(help: "Directory written by `featurespeed bench export`.")
    public var workload: String

    @Option(help: "Layers, comma-separated: output, last-hidden.")
    public var layers: String = "output,last-hidden"

    @Option(parsing: .unconditional, help: "BLAS threads.")
    public var threads: Int = 1

    @Option(parsing: .unconditional, help: "Lanczos relative tolerance.")
    public var tolerance: Double = 1e-3

    @Option(parsing: .unconditional, help: "Lanczos products per layer at most.")
    public var maxProducts: Int = 60

    @Option(parsing: .unconditional, help: "Seed of the Lanczos start vector.")
    public var seed: UInt64 = 0

    public init() {}

    func parsedLayers() throws -> [String] {
      let names = layers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      for name in names where name != "output" && name != "last-hidden" {
        throw ValidationError("--layers takes output and last-hidden, found '\(name)'.")
      }
      return names
    }

    public func validate() throws {
      _ = try parsedLayers()
      if threads < 1 || maxProducts < 1 { throw ValidationError("--threads and --max-products must be positive.") }
      if !(tolerance > 0 && tolerance < 1) { throw ValidationError("--tolerance must be in (0, 1).") }
    }

    public func run() throws {
      BLASThreads.set(threads)
      let (workload, spec, parameters, inputs, _) = try BenchmarkWorkload.load(from: URL(fileURLWithPath: workload))
      let network = Network(spec: spec, parameters: parameters)
      let rates = LearningRates(spec: spec, baseLearningRate: BenchmarkWorkload.learningRate)
      let solver = LanczosEigensolver(relativeTolerance: tolerance, maximumProducts: maxProducts, seed: seed)
      var results = [[String: Any]]()
      for name in try parsedLayers() {
        let position = spec.layers.count - (name == "output" ? 1 : 2)
        var kernel = BackwardFeatureKernel(network: network, learningRates: rates, inputs: inputs, position: position)
        let start = ContinuousClock.now
        let spectrum = try kernel.extremeEigenvalues(using: solver)
        let elapsed = ContinuousClock.now - start
        let result = spectrum.lanczos
        results.append([
          "lambda_min_lower": spectrum.lowerBound, "lambda_min_certified": spectrum.smallestCertified,
          "certificate_products": spectrum.certificateProducts, "lanczos_products": result.products,
          "layer": name, "index": spec.layers[position].index, "dimension": kernel.dimension,
          "lambda_min": result.smallest, "lambda_max": result.largest,
          "lambda_min_residual": result.smallestResidualBound, "lambda_max_residual": result.largestResidualBound,
          "products": spectrum.products, "converged": result.converged, "stop": result.stopReason.rawValue,
          "seconds": Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18,
        ])
      }
      let json: [String: Any] = [
        "implementation": "featurespeed-lanczos", "workload": workload.name, "batch_size": workload.batchSize,
        "threads": threads, "dtype": "float32", "tolerance": tolerance, "max_products": maxProducts,
        "parameters": spec.parameterCount, "layers": results,
        "peak_rss_bytes": (peakResidentKilobytes() ?? -1) * 1024,
      ]
      try printJSON(json)
    }
  }
}
