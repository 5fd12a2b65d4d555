import NumericCore
import Networks

/// How `KernelAnalysis` computes the spectra (theory §4).
public struct KernelSettings: Codable, Equatable, Sendable {
  /// Lanczos stops when both extreme Ritz values have a residual bound below this, relatively.
  public var relativeTolerance: Double = 1e-3
  /// Lanczos products per layer at most (each one pullback and one tangent pass).
  public var maximumProducts: Int = 60
  /// Hutchinson probes per layer for `m_1`, `m_2`.
  public var probes: Int = 32
  /// Also the singular values of the Jacobian from the first feature to each layer.
  public var jacobians: Bool = true
  /// Build the Jacobian densely (LAPACK SVD, exact) when its smaller side has at most this many
  /// entries and its domain at most four times as many (one tangent pass per domain entry);
  /// Lanczos on the Gram operator otherwise.
  public var denseJacobianLimit: Int = 512
  /// Seed of the Lanczos start vectors and the Hutchinson probes.
  public var seed: UInt64 = 0

  public init() {}
}

/// Theory §4 for one layer: the spectrum of its backward-to-feature kernel `K_ℓ`, the bounds on the
/// backward–feature angle it implies, the measured angle, and the conditioning of the
/// layer-to-layer Jacobian from the first feature.
public struct LayerKernelReport: Codable, Equatable, Sendable {
  /// Layer index as everywhere else (MLP 1…L; ResNet 0 embedding, 1…L blocks, L+1 readout).
  public var layer: Int
  /// `N_ℓ = n·d_ℓ`.
  public var dimension: Int
  /// Extreme eigenvalues of `K_ℓ` (Lanczos Ritz values: `λ_max` from below, `λ_min` from above).
  public var lambdaMin: Double
  public var lambdaMax: Double
  /// A certified lower bound on `λ_min` (`BackwardFeatureKernel.smallestEigenvalueLowerBound`):
  /// `λ_min` lies in `[lambdaMinLowerBound, lambdaMin]`.
  public var lambdaMinLowerBound: Double
  /// `κ = λ_max/λ_min` (∞ when `λ_min ≤ 0`).
  public var conditionNumber: Double
  /// Lanczos products used, and whether both extremes met the tolerance (`λ_min` possibly through
  /// the certificate below, Lanczos then running for `λ_max` only).
  public var lanczosProducts: Int
  public var lanczosConverged: Bool
  /// `λ_min` is certified to the tolerance without Lanczos: the lower bound is attained by the
  /// dead-unit vector of `BackwardFeatureKernel.deadUnitEigenvector`, whose Rayleigh quotient
  /// (one product; it is `lambdaMin`) lies within the tolerance of `lambdaMinLowerBound`.
  public var lambdaMinCertified: Bool = false
  /// Residual bounds `|β_k s_k|` of the two extreme Ritz values (an eigenvalue lies that close).
  public var lambdaMinResidual: Double
  public var lambdaMaxResidual: Double
  /// Hutchinson estimates of `m_p = tr(K^p)/N` and their standard errors.
  public var m1: Double
  public var m1StandardError: Double
  public var m2: Double
  public var m2StandardError: Double
  /// Kantorovich lower bound `2√κ/(1+κ)` on `cos θ_ℓ` from the Lanczos extremes (nil when
  /// `λ_min ≤ 0`); optimistic until Lanczos has converged.
  public var kantorovichBound: Double?
  /// The same bound with `κ ≤ (λ_max + its residual bound)/lambdaMinLowerBound`: always valid
  /// (nil when the lower bound is 0).
  public var certifiedKantorovichBound: Double?
  /// The random-direction estimate `m_1/√m_2` of `cos θ_ℓ`.
  public var estimate: Double?
  /// The measured `cos θ_ℓ = ⟨b, K b⟩/(‖b‖‖K b‖)` with `b_ℓ = ∂ℒ/∂F_ℓ` of the batch (equal to the
  /// BFA of a GD step, theory §3.2).
  public var bfaCos: Double
  /// Layer index the Jacobian starts from (the first feature), when computed.
  public var jacobianFrom: Int?
  /// Extreme singular values of `J_{first→ℓ}` and the isometry bound `2 s_min s_max/(s_min²+s_max²)`.
  public var jacobianMinSingularValue: Double?
  public var jacobianMaxSingularValue: Double?
  public var isometryBound: Double?
  /// How they were computed: `dense` or `lanczos`.
  public var jacobianMethod: String?
  /// Products of the kernel and of the Jacobian (pullback + tangent pairs count as two Jacobian products).
  public var kernelProducts: Int
  public var jacobianProducts: Int
}

/// Computes `LayerKernelReport`s for the layers of a network on one batch (theory §4).
public enum KernelAnalysis {
  /// - Parameters:
  ///   - network: the network (at initialization or trained).
  ///   - learningRates: the `η_k` weighting the kernel.
  ///   - batch: a workspace holding the batch inputs and targets (its buffers are overwritten).
  ///   - positions: layer positions (0-based forward order) to analyze.
  ///   - settings: tolerances, products, probes, seed.
  ///   - layerDone: called after each layer (progress).
  /// - Throws: `NumericError` from LAPACK.
  public static func analyze<Scalar: BLASScalar>(
    network: Network<Scalar>, learningRates: LearningRates, batch: inout Workspace<Scalar>, positions: [Int],
    settings: KernelSettings, layerDone: (LayerKernelReport) -> Void = { _ in }
  ) throws -> [LayerKernelReport] {
    // The backward signals b_ℓ of the batch's loss.
    var gradients = NetworkParameters<Scalar>(zerosFor: network.spec)
    network.forward(&batch)
    network.computeLoss(&batch)
    network.backward(&batch, gradients: &gradients)
    let backward = batch.backward
    var reports = [LayerKernelReport]()
    for position in positions {
      var kernel = BackwardFeatureKernel(network: network, learningRates: learningRates, inputs: batch.input, position: position)
      let dimension = kernel.dimension
      let solver = LanczosEigensolver(
        relativeTolerance: settings.relativeTolerance, maximumProducts: settings.maximumProducts,
        seed: settings.seed &+ UInt64(position))
      let spectrum = try kernel.extremeEigenvalues(using: solver)
      let lanczos = spectrum.lanczos
      let moments = HutchinsonEstimator(probes: settings.probes, seed: settings.seed &+ UInt64(position))
        .moments(dimension: dimension) { x, y in kernel.apply(x, into: &y) }
      // Rounding can put the bound a few ulps above the spectrum when it is one point (κ = 1).
      let upper = lanczos.largest + lanczos.largestResidualBound
      let lower = min(spectrum.lowerBound, lanczos.smallest, upper)
      let b = backward[position]
      let kb = kernel.apply(b)
      let bNorm = Matrix.dot(b, b).squareRoot(), kbNorm = Matrix.dot(kb, kb).squareRoot()
      let cosine = Matrix.dot(b, kb) / (bNorm * kbNorm)
      var report = LayerKernelReport(
        layer: network.spec.layers[position].index, dimension: dimension,
        lambdaMin: lanczos.smallest, lambdaMax: lanczos.largest, lambdaMinLowerBound: lower,
        conditionNumber: lanczos.smallest > 0 ? lanczos.largest / lanczos.smallest : .infinity,
        lanczosProducts: lanczos.products, lanczosConverged: lanczos.converged,
        lambdaMinCertified: spectrum.smallestCertified,
        lambdaMinResidual: lanczos.smallestResidualBound, lambdaMaxResidual: lanczos.largestResidualBound,
        m1: moments.m1, m1StandardError: moments.m1StandardError, m2: moments.m2, m2StandardError: moments.m2StandardError,
        kantorovichBound: AlignmentBounds.kantorovich(smallestEigenvalue: lanczos.smallest, largestEigenvalue: lanczos.largest),
        certifiedKantorovichBound: AlignmentBounds.kantorovich(
          smallestEigenvalue: lower, largestEigenvalue: upper),
        estimate: AlignmentBounds.randomDirectionEstimate(m1: moments.m1, m2: moments.m2),
        bfaCos: cosine, kernelProducts: kernel.productCount, jacobianProducts: 0)
      if settings.jacobians && position > 0 {
        var jacobian = LayerJacobian(network: network, inputs: batch.input, from: 0, to: position)
        let (smallest, largest): (Double, Double)
        if min(jacobian.inputDimension, jacobian.outputDimension) <= settings.denseJacobianLimit
          && jacobian.inputDimension <= 4 * settings.denseJacobianLimit {
          let values = try jacobian.singularValues()
          (smallest, largest) = (values.last ?? .nan, values.first ?? .nan)
          report.jacobianMethod = "dense"
        } else {
          let result = try jacobian.extremeSingularValues(using: solver)
          (smallest, largest) = (result.smallest, result.largest)
          report.jacobianMethod = "lanczos"
        }
        report.jacobianFrom = network.spec.layers[0].index
        report.jacobianMinSingularValue = smallest
        report.jacobianMaxSingularValue = largest
        report.isometryBound = AlignmentBounds.isometry(smallestSingularValue: smallest, largestSingularValue: largest)
        report.jacobianProducts = jacobian.productCount
      }
      reports.append(report)
      layerDone(report)
    }
    return reports
  }
}
