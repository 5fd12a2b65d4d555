import Testing
import NumericCore
import Networks
import _TestSupport

/// The partial passes behind theory §4's matrix-free kernels: the pullback of a seed at one feature
/// (`J_kᵀ u`, `J_{k→ℓ}ᵀ u`) and the tangent started at a feature (`J_{k→ℓ} v`), checked as exact
/// identities in Double against the full passes (which are checked against finite differences
/// in `FiniteDifferenceTests`): adjointness, the chain rule, and agreement with `backward`.
@Suite struct PartialPassTests {
  static let tolerance = 1e-12

  struct Case: CustomTestStringConvertible, Sendable {
    var kind: ArchitectureKind
    var bias: Bool
    var branchMatrices: Int
    var activation: Activation
    var testDescription: String { "\(kind.rawValue) bias=\(bias) branch=\(branchMatrices) \(activation.rawValue)" }
  }

  static let cases: [Case] = TestNetworks.configurations.flatMap { c in
    [Activation.tanh, .relu].map { Case(kind: c.kind, bias: c.bias, branchMatrices: c.branchMatrices, activation: $0) }
  }

  static func setUp(_ c: Case) throws -> (Network<Double>, Workspace<Double>) {
    let spec = try TestNetworks.spec(
      kind: c.kind, depth: 4, activation: c.activation, bias: c.bias, branchMatrices: c.branchMatrices)
    let network = try Network<Double>(spec: spec, seed: 3)
    var ws = TestNetworks.workspace(for: spec, rows: 5, as: Double.self)
    network.forward(&ws)
    return (network, ws)
  }

  static func gaussian(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix<Double> {
    var g = SeededGenerator(seed: seed, stream: "partial-pass")
    return .gaussian(rows: rows, columns: columns, standardDeviation: 1, using: &g)
  }

  static func expectClose(_ a: Double, _ b: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(abs(a - b) <= tolerance * max(1, abs(a), abs(b)), "\(what): \(a) vs \(b)", sourceLocation: sourceLocation)
  }

  @Test("⟨u, J_θ d⟩ = ⟨J_θᵀ u, d⟩ at every feature; gradients above the seeded layer are zero", arguments: cases)
  func parameterAdjoint(_ c: Case) throws {
    var (network, ws) = try Self.setUp(c)
    let positions = network.spec.layers.indices
    for top in positions {
      let u = Self.gaussian(ws.rows, network.spec.layers[top].outputWidth, seed: UInt64(top))
      var gradients: NetworkParameters<Double>? = NetworkParameters(zerosFor: network.spec)
      network.pullback(from: top, seed: u, &ws, gradients: &gradients)
      let d = TestNetworks.direction(for: network.spec, seed: 11 + UInt64(top), as: Double.self)
      network.tangent(.parameters(d), &ws, through: top)
      let lhs = Matrix.dot(u, ws.featureTangents[top])
      let rhs = NetworkParameters.layerInnerProducts(gradients!, d).reduce(0, +)
      Self.expectClose(lhs, rhs, "top \(top)")
      for l in positions where l > top {
        #expect(gradients!.layerSquaredNorms[l] == 0, "layer \(l) above \(top) has a gradient")
      }
    }
  }

  @Test("J_{k→ℓ}(J_{θ≤k} d) = J_{θ≤k→ℓ} d: a tangent started at a feature continues the full one", arguments: cases)
  func chainRule(_ c: Case) throws {
    var (network, ws) = try Self.setUp(c)
    let last = network.spec.layers.count - 1
    for k in 0..<last {
      let d = TestNetworks.direction(for: network.spec, seed: 5 + UInt64(k), layers: Set(0...k), as: Double.self)
      network.tangent(.parameters(d), &ws)
      let full = ws.featureTangents
      network.tangent(.fixedParameters, &ws, startingAt: (k, full[k]))
      for l in (k + 1)...last {
        let difference = ws.featureTangents[l].squaredDistance(to: full[l]).squareRoot()
        #expect(difference <= Self.tolerance * max(1, full[l].squaredNorm(rows: 0..<full[l].rows).squareRoot()), "k \(k) → \(l)")
      }
    }
  }

  @Test("⟨u, J_{k→ℓ} v⟩ = ⟨J_{k→ℓ}ᵀ u, v⟩ for every pair of features", arguments: cases)
  func featureAdjoint(_ c: Case) throws {
    var (network, ws) = try Self.setUp(c)
    let positions = Array(network.spec.layers.indices)
    for top in positions.dropFirst() {
      for k in 0..<top {
        let u = Self.gaussian(ws.rows, network.spec.layers[top].outputWidth, seed: UInt64(100 + top))
        let v = Self.gaussian(ws.rows, network.spec.layers[k].outputWidth, seed: UInt64(200 + k))
        var none: NetworkParameters<Double>? = nil
        network.pullback(from: top, seed: u, &ws, gradients: &none, downTo: k)
        let pulled = ws.backward[k]
        network.tangent(.fixedParameters, &ws, startingAt: (k, v), through: top)
        Self.expectClose(Matrix.dot(u, ws.featureTangents[top]), Matrix.dot(pulled, v), "\(k) → \(top)")
      }
    }
  }

  @Test("The pullback of ∂ℒ/∂output from the output is the backward pass", arguments: cases)
  func pullbackOfTheLossIsBackward(_ c: Case) throws {
    var (network, ws) = try Self.setUp(c)
    let reference = network.gradients(&ws)
    let backward = ws.backward
    var gradients: NetworkParameters<Double>? = NetworkParameters(zerosFor: network.spec)
    network.pullback(from: network.spec.layers.count - 1, seed: backward[backward.count - 1], &ws, gradients: &gradients)
    #expect(gradients! == reference)
    #expect(ws.backward == backward)
  }
}
