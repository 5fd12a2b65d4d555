import Foundation
import Networks
import Measurements
import Scalings
import Training

/// The published results FeatureSpeed reproduces with one command (`featurespeed reproduce NAME`,
/// theory §6). Each is a small sweep of training runs plus an analysis that writes tidy CSV and the
/// key numbers to compare with the paper; the CLI adds the figures and the report.
public enum ReproductionName: String, CaseIterable, Codable, Sendable {
  /// Theory §6.6 [SC]: relative feature and spectral weight changes vs width for sp/ntk/mup/spectral.
  case spectralWidth = "spectral-width"
  /// Theory §6.7 [SC]: stable rank of one-step and accumulated updates vs batch size.
  case spectralRank = "spectral-rank"
  /// Theory §6.4 [FSF] Fig. 3: feature speed per unit loss decay at ℓ = L−1 vs depth.
  case fig3
  /// Theory §6.5 [FSF]: the FSF residual and the BFA over a real training run.
  case fsfTraining = "fsf-training"
  /// Theory §6.1 [FSF] Fig. 2a: the BFA at init against the layer, MLP and ResNet (β = 1/√L).
  case fig2a
  /// Theory §6.2 [FSF] Fig. 2b: the output BFA at init against depth, MLP and ResNets (β = 1, 1/√L, 1/L).
  case fig2b
  /// Theory §6.3 [FSF] Fig. 2c: the output BFA at init against the normalized branch scale √L·β.
  case fig2c
  /// Theory §5.3: deep ReLU MLPs on Fashion-MNIST under one global SGD rate against FSC-control, over depth.
  case controlDepth = "control-depth"
  /// theory §6.8 (Tensor Programs V): the best base learning rate across widths, sp against mup.
  case muTransfer = "mu-transfer"
  /// Learning-rate transfer across depth: ResNet β = 1/√L with its rates against β = 1.
  case depthTransfer = "depth-transfer"
}

extension ReproductionName {
  /// Whether the runs use theory §6.1's Gaussian inputs and targets whatever `--data` says.
  public var usesGaussianData: Bool { [.fig3, .fig2a, .fig2b, .fig2c].contains(self) }
}

/// One reproduction with its sizes: the default (≤ 10 minutes on 2 cores) or `quick` (seconds,
/// synthetic data: what the tests run).
public struct Reproduction: Sendable {
  public let name: ReproductionName
  public let quick: Bool
  /// The data of the runs (default: Fashion-MNIST where the paper uses image data, synthetic in
  /// quick mode; fig3 always uses Gaussian inputs and targets, as theory §6.1).
  public var data: DataSource

  public init(_ name: ReproductionName, quick: Bool, data: DataSource? = nil) {
    self.name = name
    self.quick = quick
    self.data = data ?? (quick || name.usesGaussianData ? .synthetic(.teacher) : .fashionMNIST(directory: DataSource.defaultFashionMNISTDirectory))
  }

  /// One line: what is reproduced.
  public var title: String {
    switch name {
    case .spectralWidth: "Relative feature change and relative spectral weight change vs width (sp, ntk, mup, spectral)"
    case .spectralRank: "Stable rank of one-step and accumulated weight updates vs batch size"
    case .fig3: "Feature speed per unit loss decay at the last hidden layer vs depth"
    case .fsfTraining: "Feature speed formula residual and backward–feature angle over a training run"
    case .fig2a: "Backward–feature angle at initialization against the layer (ReLU MLP, ResNet with β = 1/√L)"
    case .fig2b: "Output backward–feature angle at initialization against depth (MLP; ResNets with β = 1, 1/√L, 1/L)"
    case .fig2c: "Output backward–feature angle at initialization against the normalized branch scale √L·β"
    case .controlDepth: "Deep ReLU MLPs on Fashion-MNIST: one global SGD learning rate against FSC-control, across depths 8–64"
    case .muTransfer: "Learning-rate transfer across widths on Fashion-MNIST: the best base learning rate under sp and mup"
    case .depthTransfer: "Learning-rate transfer across depths on Fashion-MNIST: the best base learning rate of ResNets with β = 1/√L and with β = 1"
    }
  }

  /// Theory section and paper.
  public var source: String {
    switch name {
    case .spectralWidth: "Theory §6.6; Yang, Simon & Bernstein, A Spectral Condition for Feature Learning [SC]"
    case .spectralRank: "Theory §6.7; [SC]"
    case .fig3: "Theory §6.4; Chizat & Netrapalli, The Feature Speed Formula [FSF], Fig. 3"
    case .fsfTraining: "Theory §6.5; [FSF] §3"
    case .fig2a: "Theory §6.1 and §4; [FSF] Fig. 2a"
    case .fig2b: "Theory §6.2 and §4; [FSF] Fig. 2b"
    case .fig2c: "Theory §6.3 and §4; [FSF] Fig. 2c"
    case .controlDepth: "Theory §5.2–5.3; [FSF v2] FSC-control (our reconstruction)"
    case .muTransfer: "Theory §6.8; Yang et al. 2022, Tensor Programs V (arXiv 2203.03466)"
    case .depthTransfer: "Theory §6.8 along depth; Yang et al. 2023, depth-μP (arXiv 2310.02244)"
    }
  }

  /// The claim being checked, as the paper (or docs/theory.md) states it.
  public var claim: String {
    switch name {
    case .spectralWidth:
      "Under μP and the spectral parametrization, features and weights move by a width-independent relative amount (slope 0 against width); under NTK both shrink like width^−1/2."
    case .spectralRank:
      "Gradient updates have low stable rank: a one-step update is at most batch-size rank and its stable rank stays small; accumulated updates stay low-rank too."
    case .fig3:
      "At the last hidden layer, the feature speed per unit loss decay stays ≈ constant in depth under fsc and grows ≈ √L under mf-mup; ResNets with β = 1/√L keep it bounded."
    case .fig2a:
      "In an iid-initialized (He) ReLU MLP, cos θ_ℓ = Θ(1/√ℓ): cos θ_ℓ·√ℓ levels off (theory §4 predicts ≈ 1.22 per sample, n = 1); in a ResNet with β = 1/√L, cos θ_ℓ stays roughly level across layers (we test |p| ≤ 0.2 for cos θ_ℓ ∝ ℓ^p, against the MLP's −½)."
    case .fig2b:
      "The angle of the last feature before the readout (ResNet: the residual stream after block L; MLP: layer L − 1) decays to 0 with depth for the MLP and for ResNets with β = 1, is depth-independent for β = 1/√L, and tends to 1 (trivial alignment) for β = 1/L."
    case .fig2c:
      "For ResNets with β = β̃/√L, the angle of the last residual-stream feature is depth-independent and set by β̃ = √L·β: it decreases as β̃ grows, along the same curve at every depth."
    case .fsfTraining:
      "The feature speed formula ‖δF_ℓ‖ = Σ_{k≤ℓ} C_k / (‖b_ℓ‖ cos θ_ℓ) is an identity: its residual stays at rounding level throughout training, in float32 and float64."
    case .depthTransfer:
      "With the depth scaling β = 1/√L and its learning rates (resnet-sqrt) the loss-minimizing base learning rate does not move with depth (its drift exponent p in η* ∝ depth^p is 0 within ±0.2: verdict transfers); with β = 1 it shrinks as the network gets deeper (p < 0: verdict drifts)."
    case .muTransfer:
      "Under μP the loss-minimizing base learning rate does not move with width (its drift exponent p in η* ∝ width^p is 0 within ±0.2: verdict transfers); under the standard parametrization with SGD it shrinks as the width grows (p < 0: verdict drifts)."
    case .controlDepth:
      "A deep ReLU MLP (width 512, depth 32) under sp with the global SGD learning rate that suits a shallow one trains badly; FSC-control (per-layer rates calibrated on the first 10 steps so that, by the feature speed formula, every layer's features move at the same relative speed rms(δF_ℓ)/rms(F_ℓ) = 0.05 per step) trains it well with no tuning, and the same control settings carry over across depths 8, 16, 32 and 64."
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
    case .fig2a:
      // theory §6.1: width 1024, depth 64, Gaussian inputs d_0 = width, scalar output, MSE to
      // Gaussian targets, n = 1 and 16, 5 seeds. One measured step at initialization.
      let width = quick ? 16 : 1024, depth = quick ? 6 : 64
      for architecture in [ArchitectureKind.mlp, .resnet] {
        for batch in quick ? [1, 4] : [1, 16] {
          for seed in seeds {
            add([("architecture", architecture.rawValue), ("batch-size", "\(batch)"), ("seed", "\(seed)")]) { r in
              Self.configureAlignmentAtInit(&r, architecture: architecture, width: width, depth: depth, batch: batch, seed: seed)
              if architecture == .resnet { r.branchScale = .inverseSqrt }
            }
          }
        }
      }
    case .fig2b:
      let width = quick ? 16 : 256
      let configurations: [(String, ArchitectureKind, BranchScale?)] = [
        ("mlp", .mlp, nil), ("resnet-beta-1", .resnet, .constant(1)), ("resnet-beta-inv-sqrt", .resnet, .inverseSqrt),
        ("resnet-beta-inv", .resnet, .inverseDepth),
      ]
      for (label, architecture, beta) in configurations {
        for depth in quick ? [2, 4, 8] : [4, 8, 16, 32, 64, 128, 256] {
          for seed in seeds {
            add([("model", label), ("depth", "\(depth)"), ("seed", "\(seed)")]) { r in
              Self.configureAlignmentAtInit(&r, architecture: architecture, width: width, depth: depth, batch: quick ? 4 : 16, seed: seed)
              r.branchScale = beta
            }
          }
        }
      }
    case .fig2c:
      let width = quick ? 16 : 512
      for depth in quick ? [4, 8] : [32, 128] {
        for scale in quick ? [0.5, 2.0] : [0.25, 0.5, 1, 2, 4, 8] {
          for seed in seeds {
            add([("depth", "\(depth)"), ("beta-tilde", "\(scale)"), ("seed", "\(seed)")]) { r in
              Self.configureAlignmentAtInit(&r, architecture: .resnet, width: width, depth: depth, batch: quick ? 4 : 16, seed: seed)
              r.branchScale = .inverseSqrtDepth(multiplier: scale)
            }
          }
        }
      }
    case .controlDepth:
      for depth in ControlDepth.depths(quick: quick) {
        for method in ControlDepth.Method.allCases {
          for seed in seeds {
            add([("depth", "\(depth)"), ("method", method.rawValue), ("seed", "\(seed)")]) { r in
              ControlDepth.configure(&r, method: method, depth: depth, quick: quick)
              r.seed = seed
            }
          }
        }
      }
    case .muTransfer:
      for preset in MuTransfer.presets {
        for width in MuTransfer.widths(quick: quick) {
          for rate in MuTransfer.learningRates(quick: quick) {
            for seed in seeds {
              add([("preset", preset), ("width", "\(width)"), ("learning-rate", "\(rate)"), ("seed", "\(seed)")]) { r in
                MuTransfer.configure(&r, preset: preset, width: width, learningRate: rate, seed: seed, quick: quick)
              }
            }
          }
        }
      }
    case .depthTransfer:
      for model in DepthTransfer.models {
        for depth in DepthTransfer.depths(quick: quick) {
          for rate in DepthTransfer.learningRates(quick: quick) {
            for seed in seeds {
              add([("model", model), ("depth", "\(depth)"), ("learning-rate", "\(rate)"), ("seed", "\(seed)")]) { r in
                DepthTransfer.configure(&r, model: model, depth: depth, learningRate: rate, seed: seed, quick: quick)
              }
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

  /// Theory §6.1's setting for the angle at initialization: standard parametrization (He init, one
  /// learning rate), Gaussian inputs with `d_0 = width`, a scalar output, MSE to Gaussian targets,
  /// one step measured exactly (full-batch tangent pass), in Float64 (a ResNet with β = 1 grows
  /// like 1.5^L and would overflow Float32 at L = 256).
  static func configureAlignmentAtInit(
    _ r: inout RunRequest, architecture: ArchitectureKind, width: Int, depth: Int, batch: Int, seed: UInt64
  ) {
    r.architecture = architecture
    r.preset = "sp"
    r.width = width
    r.depth = depth
    r.seed = seed
    r.data = .synthetic(.gaussian)
    r.loss = .mse
    r.inputDimension = width
    r.outputDimension = 1
    r.batchSize = batch
    r.trainSize = max(batch, 16)
    r.testSize = 0
    r.learningRate = 0.01  // the angle does not depend on one global rate
    r.steps = 1
    r.measureEvery = 1
    r.measuresSpectra = false
    r.dtype = .float64
  }

  var seeds: [UInt64] {
    switch name {
    case .fsfTraining: [0]
    // Near the edge of stability one seed's accuracy moves with the BLAS's rounding: three seeds
    // give the spread.
    case .controlDepth: quick ? [0] : [0, 1, 2]
    case .fig2a: quick ? [0] : [0, 1, 2, 3, 4]
    case .fig2b, .fig2c: quick ? [0] : [0, 1, 2]
    case .fig3: quick ? [0] : [0, 1, 2, 3]
    // Three seeds: with two, the Student-t factor (12.7) makes the slope intervals uninformative.
    case .spectralWidth: quick ? [0] : [0, 1, 2]
    case .spectralRank: quick ? [0] : [0, 1]
    case .muTransfer, .depthTransfer: quick ? [0, 1] : [0, 1, 2]
    }
  }
}
