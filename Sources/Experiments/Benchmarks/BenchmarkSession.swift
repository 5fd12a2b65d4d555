import Foundation
#if canImport(Glibc)
  import Glibc
#endif
import NumericCore
import Networks
import Measurements
import Training

/// What a benchmark step does (BENCHMARKS.md).
public enum BenchmarkVariant: String, CaseIterable, Codable, Sendable {
  /// A plain SGD step (SGD fused into the backward pass).
  case train
  /// The step plus the exact first-order feature update `δF_ℓ` of every layer (tangent pass along
  /// the SGD step, through the batch Gram matrix) and the BFA cosine of every layer.
  case diag
  /// The step plus the actual feature change `ΔF_ℓ` by a second forward pass with the updated
  /// weights, and its angle with `−b_ℓ` for every layer.
  case diagForward = "diag-forward"
  /// Training with FeatureSpeed's full measurement every 10 steps on a 32-row probe (the default
  /// cadence of `featurespeed train --probe 32`).
  case cadence
}

/// One implementation's side of the benchmark: a workload loaded from an exported directory and
/// driven step by step (the `featurespeed bench worker` process uses it). Everything timed is the
/// library's own code path.
public struct BenchmarkSession {
  /// The workload.
  public let workload: BenchmarkWorkload
  /// The variant.
  public let variant: BenchmarkVariant
  /// FLOPs of one training step (`6·B·Σ fanIn·fanOut`).
  public let trainFlops: Double
  private let spec: NetworkSpec
  private let directory: URL
  private let inputs: Matrix<Float>
  private let labels: [Int32]
  // `train`/`cadence` use the library's step engine; `diag`/`diag-forward` compose the passes.
  // Only the variant's own buffers exist, so no parameter copy is shared (and copied on write).
  private var engine: StepEngine<Float>!
  private var network: Network<Float>!
  private var workspace: Workspace<Float>!
  private var after: Workspace<Float>?
  private var gradients: NetworkParameters<Float>
  private var rates: LearningRates
  private var sgd: SGD<Float>
  private var stepIndex = 0
  /// Per-layer BFA cosine and rms feature update of the last `diag`/`diag-forward` step.
  public private(set) var diagnostics: (bfaCos: [Double], featureUpdateRMS: [Double])?

  /// Loads `directory` (written by `BenchmarkWorkload.export`) for `variant`.
  public init(directory: URL, variant: BenchmarkVariant) throws {
    let loaded = try BenchmarkWorkload.load(from: directory)
    workload = loaded.workload
    self.variant = variant
    spec = loaded.spec
    trainFlops = loaded.workload.trainFlops(spec: loaded.spec)
    self.directory = directory
    inputs = loaded.inputs
    labels = loaded.labels
    network = Network(spec: spec, parameters: loaded.parameters)
    gradients = variant == .diag ? NetworkParameters(zerosFor: spec) : NetworkParameters(layers: [])
    rates = LearningRates(spec: spec, baseLearningRate: BenchmarkWorkload.learningRate)
    sgd = SGD(spec: spec, baseLearningRate: BenchmarkWorkload.learningRate)
    try reset(reloading: false)
  }

  /// Back to the initial weights (read again from the directory, so that no second copy of the
  /// parameters stays in memory) and step 0; the cadence meter restarts.
  /// - Throws: the errors of reading the weights file.
  public mutating func reset() throws {
    try reset(reloading: true)
  }

  private mutating func reset(reloading: Bool) throws {
    stepIndex = 0
    diagnostics = nil
    if reloading {
      engine = nil  // release the trained parameters before reading the initial ones
      network = nil
      network = Network(spec: spec, parameters: try BenchmarkWorkload.load(from: directory).parameters)
    }
    switch variant {
    case .train, .cadence:
      engine = nil
      engine = try StepEngine(
        network: network, batchSize: workload.batchSize, baseLearningRate: BenchmarkWorkload.learningRate,
        measurement: variant == .cadence ? MeasurementSettings(probeRows: min(32, workload.batchSize)) : nil)
      network = nil
      load(into: &engine.workspace)
    case .diag, .diagForward:
      if workspace == nil {
        workspace = Workspace(spec: spec, rows: workload.batchSize, backward: true, tangents: variant == .diag)
      }
      load(into: &workspace)
      if variant == .diagForward {
        if after == nil { after = Workspace(spec: spec, rows: workload.batchSize, backward: false) }
        after!.loadBatch(from: workspace)
      }
    }
  }

  private func load(into ws: inout Workspace<Float>) {
    ws.input.copy(from: inputs)
    for (i, label) in labels.enumerated() { ws.targets.labels[i] = label }
  }

  /// Runs `count` steps; returns the wall time (ms) and the loss before the update of each.
  public mutating func steps(_ count: Int) -> (timesMs: [Double], losses: [Double]) {
    var times = [Double]()
    var losses = [Double]()
    let clock = ContinuousClock()
    for _ in 0..<count {
      let start = clock.now
      let loss = step()
      let d = clock.now - start
      times.append(Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15)
      losses.append(loss)
    }
    return (times, losses)
  }

  /// The loss of the current weights on the batch (no update).
  public mutating func loss() -> Double {
    switch variant {
    case .train, .cadence:
      return engine.currentLoss()
    case .diag, .diagForward:
      network.forward(&workspace)
      return network.computeLoss(&workspace, gradient: false)
    }
  }

  private mutating func step() -> Double {
    defer { stepIndex += 1 }
    switch variant {
    case .train, .cadence:
      switch engine.step(index: stepIndex, measure: variant == .cadence && stepIndex % 10 == 0) {
      case .stepped(let loss, _, _, _): return loss
      case .diverged: return .nan
      }
    case .diag:
      network.forward(&workspace)
      let loss = network.computeLoss(&workspace)
      network.backward(&workspace, gradients: &gradients)
      network.tangent(.sgdStep(rates, gradients: gradients), &workspace)
      diagnostics = Self.angles(backward: workspace.backward, update: workspace.featureTangents)
      sgd.apply(gradients: gradients, to: &network.parameters)
      return loss
    case .diagForward:
      network.forward(&workspace)
      let loss = network.computeLoss(&workspace)
      network.backwardApplyingSGD(&workspace, learningRates: rates)
      network.forward(&after!)
      after!.subtractFeatures(of: workspace)
      diagnostics = Self.angles(backward: workspace.backward, update: after!.features)
      return loss
    }
  }

  /// Per layer `cos(−b_ℓ, u_ℓ)` and `rms(u_ℓ)`.
  private static func angles(backward: [Matrix<Float>], update: [Matrix<Float>]) -> (bfaCos: [Double], featureUpdateRMS: [Double]) {
    let cosines = zip(backward, update).map { b, u in -Matrix.dot(b, u) / (b.norm * u.norm) }
    return (cosines, update.map(\.rms))
  }

  /// Bytes the benchmark needs in principle: parameters, gradients (when stored), activations
  /// and every workspace, and the measurement buffers of the `cadence` meter (probe workspace,
  /// re-forward workspace, initial-weight copy and difference buffers, fixed probe batch).
  public var expectedBytes: Int {
    let scalar = MemoryLayout<Float>.stride
    let parameters = spec.parameterCount * scalar
    switch variant {
    case .train:
      // Gradients are not stored (SGD is fused into the backward pass) but are counted, as in
      // the benchmark's yardstick "parameters + activations + gradients".
      return parameters * 2 + engine.workspace.byteCount
    case .cadence:
      let probe = Workspace<Float>(spec: spec, rows: min(32, workload.batchSize), backward: true, tangents: true).byteCount
      let reforward = Workspace<Float>(spec: spec, rows: workload.batchSize, backward: false).byteCount
      let fixed = Workspace<Float>(spec: spec, rows: min(32, workload.batchSize), backward: false).byteCount
      // Gradients and update are stored at measured steps; W⁰ and one difference buffer per weight.
      return parameters * 5 + engine.workspace.byteCount + probe + reforward + 2 * fixed
    case .diag:
      return parameters * 2 + workspace.byteCount
    case .diagForward:
      return parameters * 2 + workspace.byteCount + (after?.byteCount ?? 0)
    }
  }
}

/// Single-precision GEMM throughput of this machine's BLAS, the yardstick of BENCHMARKS.md.
public enum GEMMPeak {
  /// GFLOP/s of `size × size × size` sgemm, one value per repetition (after two warm-up calls).
  public static func measure(size: Int, repeats: Int) -> [Double] {
    var generator = SeededGenerator(seed: 1, stream: "gemm-peak")
    let a = Matrix<Float>.gaussian(rows: size, columns: size, standardDeviation: 1, using: &generator)
    let b = Matrix<Float>.gaussian(rows: size, columns: size, standardDeviation: 1, using: &generator)
    var c = Matrix<Float>(rows: size, columns: size)
    let flops = 2 * Double(size) * Double(size) * Double(size)
    let clock = ContinuousClock()
    var result = [Double]()
    for i in 0..<(repeats + 2) {
      let start = clock.now
      c.gemm(a, b)
      let d = clock.now - start
      let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
      if i >= 2 { result.append(flops / seconds / 1e9) }
    }
    return result
  }
}

/// Peak resident memory of this process (`VmHWM` of /proc/self/status), in kB; nil if unavailable.
public func peakResidentKilobytes() -> Int? {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
  for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
    return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
  }
  return nil
}

/// Returns freed heap memory to the system (glibc keeps large freed blocks, e.g. from reading
/// the weights file) and resets the peak-resident-memory mark of this process
/// (`echo 5 > /proc/self/clear_refs`, Linux ≥ 4.0), so that a later `peakResidentKilobytes()`
/// covers only what follows.
public func resetPeakResidentMemory() {
  #if canImport(Glibc)
    // glibc's malloc_trim (declared in <malloc.h>, which the Glibc module does not export).
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
      typealias MallocTrim = @convention(c) (Int) -> Int32
      _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
    }
  #endif
  try? Data("5".utf8).write(to: URL(fileURLWithPath: "/proc/self/clear_refs"))
}
