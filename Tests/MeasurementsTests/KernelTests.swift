import Testing
import NumericCore
import Networks
import Measurements
import _TestSupport

/// Theory §4 as identities and properties: the matrix-free kernel against `Σ η_k J_k J_kᵀ` built
/// from explicit Jacobians, `δF_ℓ = −K_ℓ b_ℓ`, Lanczos against the dense eigensolver, Hutchinson
/// against exact traces, the Kantorovich bound against the measured angle, and the layer-to-layer
/// Jacobian's singular values two ways.
@Suite struct KernelTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var kind: ArchitectureKind
    var bias: Bool
    var branchMatrices: Int
    var activation: Activation
    var testDescription: String { "\(kind.rawValue) bias=\(bias) branch=\(branchMatrices) \(activation.rawValue)" }
  }

  static let cases: [Case] = TestNetworks.configurations.map {
    Case(kind: $0.kind, bias: $0.bias, branchMatrices: $0.branchMatrices, activation: $0.kind == .mlp ? .relu : .tanh)
  }

  /// A tiny network (N_ℓ ≤ 18) with a batch and its SGD rates.
  static func setUp(_ c: Case, seed: UInt64 = 3, rows: Int = 3) throws -> (Network<Double>, Workspace<Double>, LearningRates) {
    let spec = try TestNetworks.spec(
      kind: c.kind, inputDimension: 4, width: 6, depth: 3, outputDimension: 2, activation: c.activation, bias: c.bias,
      branchMatrices: c.branchMatrices)
    let network = try Network<Double>(spec: spec, seed: seed)
    let ws = TestNetworks.workspace(for: spec, rows: rows, seed: seed &+ 1, as: Double.self)
    return (network, ws, LearningRates(spec: spec, baseLearningRate: 0.3))
  }

  /// `K_ℓ` as a dense `N × N` matrix from `K e_i` (matrix-free products).
  static func matrixFree(_ kernel: inout BackwardFeatureKernel<Double>) -> Matrix<Double> {
    let n = kernel.dimension
    var entries = [Double](repeating: 0, count: n * n)
    var basis = [Double](repeating: 0, count: n), column = [Double]()
    for j in 0..<n {
      basis[j] = 1
      kernel.apply(basis, into: &column)
      basis[j] = 0
      for i in 0..<n { entries[i * n + j] = column[i] }
    }
    return Matrix(rows: n, columns: n, storage: entries)
  }

  /// `Σ_k η_k J_k J_kᵀ` from explicit Jacobians `J_k = ∂F_ℓ/∂θ_k`, one tangent pass per parameter
  /// entry along the unit direction (independent of the pullback).
  static func explicit(_ network: Network<Double>, _ ws: Workspace<Double>, _ rates: LearningRates, position: Int) -> Matrix<Double> {
    var w = ws
    network.forward(&w)
    let n = w.rows * network.spec.layers[position].outputWidth
    var gram = [Double](repeating: 0, count: n * n)
    var column = [Double]()
    var direction = NetworkParameters<Double>(zerosFor: network.spec)
    for l in 0...position {
      for u in network.spec.layers[l].units.indices {
        for isBias in [false, true] {
          guard let tensor = isBias ? direction.layers[l][u].bias : direction.layers[l][u].weight else { continue }
          let rate = isBias ? rates.units[l][u].bias! : rates.units[l][u].weight
          for entry in 0..<tensor.count {
            var e = [Double](repeating: 0, count: tensor.count)
            e[entry] = 1
            let unit = Matrix(rows: tensor.rows, columns: tensor.columns, storage: e)
            if isBias { direction.layers[l][u].bias = unit } else { direction.layers[l][u].weight = unit }
            network.tangent(direction, &w)
            w.featureTangents[position].copyEntries(into: &column)
            for i in 0..<n { for j in 0..<n { gram[i * n + j] += rate * column[i] * column[j] } }
          }
          let zeros = Matrix<Double>(rows: tensor.rows, columns: tensor.columns)
          if isBias { direction.layers[l][u].bias = zeros } else { direction.layers[l][u].weight = zeros }
        }
      }
    }
    return Matrix(rows: n, columns: n, storage: gram)
  }

  static func maxAbsDifference(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
    zip(a.storage, b.storage).map { abs($0 - $1) }.max() ?? 0
  }

  @Test("The matrix-free K_ℓ equals Σ η_k J_k J_kᵀ from explicit Jacobians, at every layer", arguments: cases)
  func matrixFreeEqualsExplicit(_ c: Case) throws {
    let (network, ws, rates) = try Self.setUp(c)
    for position in network.spec.layers.indices {
      var kernel = BackwardFeatureKernel(network: network, learningRates: rates, inputs: ws.input, position: position)
      let k = Self.matrixFree(&kernel)
      let reference = Self.explicit(network, ws, rates, position: position)
      let scale = reference.storage.map(abs).max() ?? 1
      #expect(Self.maxAbsDifference(k, reference) <= 1e-12 * scale, "position \(position)")
      #expect(Self.maxAbsDifference(k, k.transposed()) <= 1e-12 * scale, "K is symmetric")
    }
  }

  @Test("δF_ℓ = −K_ℓ b_ℓ: the GD step's feature update is the kernel applied to the backward signal", arguments: cases)
  func featureUpdateIsKernelTimesBackward(_ c: Case) throws {
    let (network, batch, rates) = try Self.setUp(c, rows: 5)
    var ws = batch
    let gradients = network.gradients(&ws)
    network.tangent(.sgdStep(rates, gradients: gradients), &ws)
    for position in network.spec.layers.indices {
      var kernel = BackwardFeatureKernel(network: network, learningRates: rates, inputs: ws.input, position: position)
      let kb = kernel.apply(ws.backward[position])
      var sum = kb
      sum.add(ws.featureTangents[position])
      let relative = Matrix.dot(sum, sum).squareRoot() / Matrix.dot(kb, kb).squareRoot()
      #expect(relative <= 1e-12, "position \(position): \(relative)")
    }
  }

  @Test("Lanczos extreme eigenvalues of K_ℓ match the dense eigensolver to 1e-8", arguments: cases)
  func lanczosMatchesDense(_ c: Case) throws {
    let (network, ws, rates) = try Self.setUp(c, rows: 4)
    for position in network.spec.layers.indices {
      var kernel = BackwardFeatureKernel(network: network, learningRates: rates, inputs: ws.input, position: position)
      let eigen = try Self.matrixFree(&kernel).symmetricEigen().values.sorted()
      let solver = LanczosEigensolver(relativeTolerance: 1e-12, maximumProducts: kernel.dimension, seed: 9)
      let result = try solver.extremeEigenvalues(dimension: kernel.dimension) { x, y in kernel.apply(x, into: &y) }
      #expect(abs(result.largest - eigen.last!) <= 1e-8 * eigen.last!, "λ_max at \(position)")
      #expect(abs(result.smallest - eigen.first!) <= 1e-8 * eigen.last!, "λ_min at \(position)")
      let lower = try kernel.smallestEigenvalueLowerBound()
      #expect(lower >= 0 && lower <= eigen.first! + 1e-12 * eigen.last!, "certified lower bound \(lower) > λ_min \(eigen.first!)")
    }
  }

  @Test("Hutchinson moments fall within four standard errors of the exact tr(K)/N and tr(K²)/N")
  func hutchinsonWithinError() throws {
    for (index, c) in Self.cases.enumerated() {
      let (network, ws, rates) = try Self.setUp(c, seed: 10 + UInt64(index), rows: 6)
      let position = network.spec.layers.count - 2
      var kernel = BackwardFeatureKernel(network: network, learningRates: rates, inputs: ws.input, position: position)
      let k = Self.matrixFree(&kernel)
      let n = kernel.dimension
      let m1 = (0..<n).map { k.storage[$0 * n + $0] }.reduce(0, +) / Double(n)
      let m2 = k.storage.map { $0 * $0 }.reduce(0, +) / Double(n)  // tr(K²) = ‖K‖_F² for symmetric K
      let moments = HutchinsonEstimator(probes: 64, seed: UInt64(index)).moments(dimension: n) { x, y in kernel.apply(x, into: &y) }
      #expect(abs(moments.m1 - m1) <= 4 * moments.m1StandardError + 1e-12 * m1, "\(c): m1 \(moments.m1) vs \(m1) ± \(moments.m1StandardError)")
      #expect(abs(moments.m2 - m2) <= 4 * moments.m2StandardError + 1e-12 * m2, "\(c): m2 \(moments.m2) vs \(m2) ± \(moments.m2StandardError)")
    }
  }

  @Test("The measured cos θ_ℓ never falls below the Kantorovich bound, on 60 random networks")
  func kantorovichNeverViolated() throws {
    var checked = 0, informative = 0, certifiedCount = 0
    for trial in 0..<60 {
      let c = Self.cases[trial % Self.cases.count]
      let activation: Activation = [.relu, .tanh, .gelu, .identity][trial % 4]
      let spec = try TestNetworks.spec(
        kind: c.kind, inputDimension: 3 + trial % 4, width: 4 + trial % 5, depth: 2 + trial % 3, outputDimension: 2 + trial % 3,
        activation: activation, bias: c.bias, loss: trial % 2 == 0 ? .mse : .crossEntropy, branchMatrices: c.branchMatrices)
      let network = try Network<Double>(spec: spec, seed: UInt64(100 + trial))
      var ws = TestNetworks.workspace(for: spec, rows: 1 + trial % 3, seed: UInt64(200 + trial), as: Double.self)
      let rates = LearningRates(spec: spec, baseLearningRate: 0.1)
      var settings = KernelSettings()
      settings.relativeTolerance = 1e-12
      settings.maximumProducts = 400
      settings.probes = 4
      settings.jacobians = false
      let reports = try KernelAnalysis.analyze(
        network: network, learningRates: rates, batch: &ws, positions: Array(spec.layers.indices), settings: settings)
      for report in reports where report.lanczosConverged {
        checked += 1
        guard let bound = report.kantorovichBound else { continue }
        informative += 1
        #expect(report.bfaCos >= bound - 1e-10, "trial \(trial) layer \(report.layer): cos \(report.bfaCos) < bound \(bound)")
        #expect(report.bfaCos <= 1 + 1e-12)
        #expect(report.lambdaMinLowerBound <= report.lambdaMin + 1e-10 * report.lambdaMax)
        if let certified = report.certifiedKantorovichBound {
          certifiedCount += 1
          #expect(certified <= bound + 1e-12 && report.bfaCos >= certified - 1e-10)
        }
      }
    }
    #expect(checked >= 100 && informative >= 50 && certifiedCount >= 20,
            "checked \(checked), with a positive λ_min \(informative), with a certified bound \(certifiedCount)")
  }

  @Test("KernelAnalysis reports the BFA of the GD step and consistent spectra", arguments: cases)
  func analysisConsistent(_ c: Case) throws {
    let (network, batch, rates) = try Self.setUp(c, rows: 4)
    var ws = batch
    var settings = KernelSettings()
    settings.relativeTolerance = 1e-10
    settings.maximumProducts = 200
    let reports = try KernelAnalysis.analyze(
      network: network, learningRates: rates, batch: &ws, positions: Array(network.spec.layers.indices), settings: settings)
    let gradients = network.gradients(&ws)
    network.tangent(.sgdStep(rates, gradients: gradients), &ws)
    for (position, report) in reports.enumerated() {
      let b = ws.backward[position], dF = ws.featureTangents[position]
      let cosine = -Matrix.dot(b, dF) / (Matrix.dot(b, b) * Matrix.dot(dF, dF)).squareRoot()
      #expect(abs(report.bfaCos - cosine) <= 1e-12, "layer \(report.layer)")
      #expect(report.layer == network.spec.layers[position].index)
      #expect(report.lambdaMin <= report.m1 + 1e-12 && report.m1 <= report.lambdaMax + 1e-12)
      if let estimate = report.estimate { #expect(estimate > 0 && estimate <= 1 + 1e-12) }
      if position > 0 {
        #expect(report.jacobianMethod == "dense")
        #expect(report.jacobianMinSingularValue! <= report.jacobianMaxSingularValue!)
      }
    }
  }

  @Test("Extreme singular values of J_{k→ℓ}: Lanczos on the Gram operator matches the dense SVD", arguments: cases)
  func jacobianSingularValues(_ c: Case) throws {
    let (network, ws, _) = try Self.setUp(c, rows: 2)
    let last = network.spec.layers.count - 1
    for to in 1...last {
      var jacobian = LayerJacobian(network: network, inputs: ws.input, from: 0, to: to)
      let dense = try jacobian.singularValues()
      let solver = LanczosEigensolver(relativeTolerance: 1e-13, maximumProducts: 200, seed: 4)
      let (largest, smallest, _) = try jacobian.extremeSingularValues(using: solver)
      #expect(abs(largest - dense.first!) <= 1e-8 * dense.first!, "s_max 0 → \(to)")
      #expect(abs(smallest - dense.last!) <= 1e-6 * dense.first!, "s_min 0 → \(to): \(smallest) vs \(dense.last!)")
    }
  }
}
