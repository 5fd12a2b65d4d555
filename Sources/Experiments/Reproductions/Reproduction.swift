import Foundation
import Networks
import Measurements
import Scalings
import Training

/// The published results FeatureSpeed reproduces with one command (`featurespeed reproduce NAME`,
/// SPEC §6). Each is a small sweep of training runs plus an analysis that writes tidy CSV and the
/// key numbers to compare with the paper; the CLI adds the figures and the report.
public enum ReproductionName: String, CaseIterable, Codable, Sendable {
  /// SPEC §6.6 [SC]: relative feature and spectral weight changes vs width for sp/ntk/mup/spectral.
  case spectralWidth = "spectral-width"
  /// SPEC §6.7 [SC]: stable rank of one-step and accumulated updates vs batch size.
  case spectralRank = "spectral-rank"
  /// SPEC §6.4 [FSF] Fig. 3: feature speed per unit loss decay at ℓ = L−1 vs depth.
  case fig3
  /// SPEC §6.5 [FSF]: the FSF residual and the BFA over a real training run.
  case fsfTraining = "fsf-training"
}

/// One reproduction with its sizes: the default (≤ 10 minutes on 2 cores) or `quick` (seconds,
/// synthetic data: what the tests run).
public struct Reproduction: Sendable {
  public let name: ReproductionName
  public let quick: Bool
  /// The data of the runs (default: Fashion-MNIST where the paper uses image data, synthetic in
  /// quick mode; fig3 always uses Gaussian inputs and targets, as SPEC §6.1).
  public var data: DataSource

  public init(_ name: ReproductionName, quick: Bool, data: DataSource? = nil) {
    self.name = name
    self.quick = quick
    self.data = data ?? (quick || name == .fig3 ? .synthetic(.teacher) : .fashionMNIST(directory: DataSource.defaultFashionMNISTDirectory))
  }

  /// One line: what is reproduced.
  public var title: String {
    switch name {
    case .spectralWidth: "Relative feature change and relative spectral weight change vs width (sp, ntk, mup, spectral)"
    case .spectralRank: "Stable rank of one-step and accumulated weight updates vs batch size"
    case .fig3: "Feature speed per unit loss decay at the last hidden layer vs depth"
    case .fsfTraining: "Feature speed formula residual and backward–feature angle over a training run"
    }
  }

  /// SPEC section and paper.
  public var source: String {
    switch name {
    case .spectralWidth: "SPEC §6.6; Yang, Simon & Bernstein, A Spectral Condition for Feature Learning [SC]"
    case .spectralRank: "SPEC §6.7; [SC]"
    case .fig3: "SPEC §6.4; Chizat & Netrapalli, The Feature Speed Formula [FSF], Fig. 3"
    case .fsfTraining: "SPEC §6.5; [FSF] §3"
    }
  }

  /// The claim being checked, as the paper (or SPEC) states it.
  public var claim: String {
    switch name {
    case .spectralWidth:
      "Under μP and the spectral parametrization, features and weights move by a width-independent relative amount (slope 0 against width); under NTK both shrink like width^−1/2."
    case .spectralRank:
      "Gradient updates have low stable rank: a one-step update is at most batch-size rank and its stable rank stays small; accumulated updates stay low-rank too."
    case .fig3:
      "At the last hidden layer, the feature speed per unit loss decay stays ≈ constant in depth under fsc and grows ≈ √L under mf-mup; ResNets with β = 1/√L keep it bounded."
    case .fsfTraining:
      "The feature speed formula ‖δF_ℓ‖ = Σ_{k≤ℓ} C_k / (‖b_ℓ‖ cos θ_ℓ) is an identity: its residual stays at rounding level throughout training, in float32 and float64."
    }
  }

  // MARK: Cells

  /// The training runs, in grid order.
  public func jobs() -> [SweepCell] {
    var jobs = [SweepCell]()
    func add(_ parameters: [(String, String)], _ configure: (inout RunRequest) -> Void) {
      var r = RunRequest()
      r.data = data
      r.trainSize = quick ? 512 : 4096
      r.testSize = quick ? 128 : 1024
      r.measuresActualStep = false
      configure(&r)
      let id = parameters.map { "\($0.0)=\($0.1)" }.joined(separator: "_")
      r.name = id
      jobs.append(SweepCell(index: jobs.count, values: parameters.map { SweepCell.Value(key: $0.0, value: $0.1) }, request: r, id: id))
    }
    switch name {
    case .spectralWidth:
      // Widths above the input dimension (784): the spectral parametrization's min(1, √(fanOut/fanIn))
      // makes narrower first layers a different, pre-asymptotic regime.
      let steps = quick ? 10 : 100
      for preset in ["sp", "ntk", "mup", "spectral"] {
        for width in quick ? [32, 64, 128] : [1024, 2048, 4096] {
          for seed in seeds {
            add([("preset", preset), ("width", "\(width)"), ("seed", "\(seed)")]) { r in
              r.preset = preset
              r.width = width
              r.depth = 3
              r.seed = seed
              r.learningRate = 0.005
              r.batchSize = quick ? 32 : 128
              r.steps = steps
              r.measureEvery = steps - 1  // step 0 (initial norms) and the last step
              r.probe = quick ? 8 : 32
            }
          }
        }
      }
    case .spectralRank:
      let steps = quick ? 6 : 50
      for batch in quick ? [2, 8] : [1, 4, 16, 64, 256] {
        for seed in seeds {
          add([("batch-size", "\(batch)"), ("seed", "\(seed)")]) { r in
            r.preset = "mup"
            r.width = quick ? 32 : 256
            r.depth = 3
            r.seed = seed
            r.learningRate = 0.02
            r.batchSize = batch
            r.steps = steps
            r.measureEvery = quick ? 2 : 10
            r.probe = min(batch, 32)
          }
        }
      }
    case .fig3:
      let width = quick ? 32 : 512
      let cases: [(String, ArchitectureKind)] = [
        ("ntk", .mlp), ("mf-mup", .mlp), ("fsc", .mlp), ("resnet-sqrt", .resnet), ("resnet-inv", .resnet),
      ]
      for (preset, kind) in cases {
        for depth in quick ? [2, 4] : [4, 8, 16, 32, 64, 128] {
          for seed in seeds {
            add([("preset", preset), ("depth", "\(depth)"), ("seed", "\(seed)")]) { r in
              r.architecture = kind
              r.preset = preset
              r.width = width
              r.depth = depth
              r.seed = seed
              r.data = .synthetic(.gaussian)
              r.loss = .mse
              r.inputDimension = width
              r.outputDimension = 1
              r.batchSize = 16
              r.trainSize = 256
              r.testSize = 0
              r.learningRate = 0.01  // the quantity is a ratio of first-order terms: η cancels
              r.steps = 1
              r.measureEvery = 1
              r.measuresSpectra = false
            }
          }
        }
      }
    case .fsfTraining:
      for dtype in DType.allCases {
        add([("dtype", dtype.rawValue)]) { r in
          r.preset = "mup"
          r.width = quick ? 32 : 256
          r.depth = 4
          r.dtype = dtype
          r.learningRate = 0.02
          r.batchSize = quick ? 32 : 128
          r.steps = quick ? 20 : 500
          r.measureEvery = quick ? 5 : 10
          r.evaluateEvery = quick ? 10 : 100
          r.measuresActualStep = true
        }
      }
    }
    return jobs
  }

  var seeds: [UInt64] {
    switch name {
    case .fsfTraining: [0]
    case .fig3: quick ? [0] : [0, 1, 2, 3]
    // Three seeds: with two, the Student-t factor (12.7) makes the slope intervals uninformative.
    case .spectralWidth: quick ? [0] : [0, 1, 2]
    case .spectralRank: quick ? [0] : [0, 1]
    }
  }
}
