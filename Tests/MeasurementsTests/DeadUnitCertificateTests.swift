import Testing
import NumericCore
import Networks
import Measurements
import _TestSupport

/// Theory §4: when units of a ReLU layer's input are dead on the whole batch, the certified lower
/// bound `η a² λ_min(g gᵀ)` is an eigenvalue of the hidden kernel `K_ℓ`, attained by the
/// dead-unit vector; `λ_min` is then known from one product.
@Suite struct DeadUnitCertificateTests {
  /// A ReLU MLP (width 16 > batch 4) in which unit `dead` of the features feeding position
  /// `position` is zero on every sample (its incoming weight row is zeroed), so ReLU' = 0 there.
  static func setUp(bias: Bool, deadUnits: [Int] = [2, 5], position: Int = 2) throws -> (Network<Double>, Workspace<Double>, LearningRates) {
    let spec = try TestNetworks.spec(kind: .mlp, inputDimension: 12, width: 16, depth: 4, outputDimension: 3, activation: .relu, bias: bias)
    var network = try Network<Double>(spec: spec, seed: 11)
    for i in deadUnits {
      for j in 0..<network.parameters.layers[position - 1][0].weight.columns { network.parameters.layers[position - 1][0].weight[i, j] = 0 }
      if bias { network.parameters.layers[position - 1][0].bias![0, i] = -1 }
    }
    let ws = TestNetworks.workspace(for: spec, rows: 4, seed: 12, as: Double.self)
    return (network, ws, LearningRates(spec: spec, baseLearningRate: 0.2))
  }

  @Test("The dead-unit vector is an eigenvector at the lower bound, which is the dense λ_min")
  func certificateIsExact() throws {
    let (network, ws, rates) = try Self.setUp(bias: false)
    var kernel = BackwardFeatureKernel(network: network, learningRates: rates, inputs: ws.input, position: 2)
    let lower = try kernel.smallestEigenvalueLowerBound()
    let u = try #require(try kernel.deadUnitEigenvector())
    let ku = kernel.apply(u)
    #expect(abs(Matrix.dot(u, u) - 1) < 1e-12)
    // K u = λ u with λ the lower bound (up to its 64-ulp margin): an eigenvector, not just a small quotient.
    var residual = ku
    residual.add(u, scaledBy: -lower)
    #expect(residual.norm <= 1e-12 * ku.norm + 1e-13, "‖Ku − λu‖ = \(residual.norm)")
    let dense = try KernelTests.matrixFree(&kernel).symmetricEigen().values.sorted()
    #expect(abs(dense.first! - lower) <= 1e-11 * dense.last!, "dense λ_min \(dense.first!) vs bound \(lower)")
    #expect(lower > 1e-4 * dense.last!, "the bound must not be trivially zero: \(lower)")

    let solver = LanczosEigensolver(relativeTolerance: 1e-3, maximumProducts: 60, seed: 4)
    let spectrum = try kernel.extremeEigenvalues(using: solver)
    #expect(spectrum.smallestCertified && spectrum.certificateProducts == 1)
    #expect(abs(spectrum.lanczos.smallest - dense.first!) <= 1e-11 * dense.last!)
    #expect(abs(spectrum.lanczos.largest - dense.last!) <= 1e-3 * dense.last!)
  }

  @Test("No certificate when biases keep the bound from being attained, without dead units (tanh), or for residual blocks")
  func noFalseCertificate() throws {
    // Biases on the dead units' layer: their rows are zero but the bias makes them negative, still
    // dead; the layer's own bias adds η‖1ᵀu‖² to the quotient, so the bound is not attained.
    let (biased, ws, rates) = try Self.setUp(bias: true)
    var kernel = BackwardFeatureKernel(network: biased, learningRates: rates, inputs: ws.input, position: 2)
    let dense = try KernelTests.matrixFree(&kernel).symmetricEigen().values.sorted()
    let lower = try kernel.smallestEigenvalueLowerBound()
    #expect(dense.first! > (1 + 1e-3) * lower, "with biases the bound is not attained: λ_min \(dense.first!), bound \(lower)")
    let u = try #require(try kernel.deadUnitEigenvector(), "the dead units are still dead")
    #expect(Matrix.dot(u, kernel.apply(u)) > (1 + 1e-3) * lower)
    let spectrum = try kernel.extremeEigenvalues(using: LanczosEigensolver(relativeTolerance: 1e-10, maximumProducts: kernel.dimension, seed: 4))
    #expect(!spectrum.smallestCertified)
    #expect(abs(spectrum.lanczos.smallest - dense.first!) <= 1e-10 * dense.last!)

    // No unit with zero derivative on the whole batch (tanh never has one): no vector.
    let smooth = try TestNetworks.spec(kind: .mlp, inputDimension: 12, width: 16, depth: 4, outputDimension: 3, activation: .tanh)
    let kernel2 = BackwardFeatureKernel(
      network: try Network<Double>(spec: smooth, seed: 11), learningRates: LearningRates(spec: smooth, baseLearningRate: 0.2),
      inputs: TestNetworks.workspace(for: smooth, rows: 4, seed: 12, as: Double.self).input, position: 2)
    #expect(try kernel2.deadUnitEigenvector() == nil)

    let resnet = try TestNetworks.spec(kind: .resnet, inputDimension: 5, width: 8, depth: 3, outputDimension: 3, activation: .relu)
    let r = BackwardFeatureKernel(
      network: try Network<Double>(spec: resnet, seed: 1), learningRates: LearningRates(spec: resnet, baseLearningRate: 0.1),
      inputs: TestNetworks.workspace(for: resnet, rows: 4, seed: 2, as: Double.self).input, position: 2)
    #expect(try r.deadUnitEigenvector() == nil)
  }

  @Test("Lanczos without the smallest extreme stops as soon as the largest converges")
  func lanczosLargestOnly() throws {
    let (network, ws, rates) = try Self.setUp(bias: false)
    var kernel = BackwardFeatureKernel(network: network, learningRates: rates, inputs: ws.input, position: 3)
    let solver = LanczosEigensolver(relativeTolerance: 1e-6, maximumProducts: kernel.dimension, seed: 5)
    let both = try solver.extremeEigenvalues(dimension: kernel.dimension) { x, y in kernel.apply(x, into: &y) }
    let largest = try solver.extremeEigenvalues(dimension: kernel.dimension, needsSmallest: false) { x, y in kernel.apply(x, into: &y) }
    #expect(largest.products <= both.products)
    #expect(largest.converged && largest.largestResidualBound <= 1e-6 * largest.largest)
    #expect(abs(largest.largest - both.largest) <= 1e-6 * both.largest)
  }
}
