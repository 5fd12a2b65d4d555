import Networks
import NumericCore
@testable import Scalings
import Testing

/// mup-style base shapes (`BaseShapes`, `--base-width`): every preset law relative to the network
/// at width B, equal to `sp` there; and the zero-initialized readout.
@Suite struct BaseShapesTests {
  static let architectures: [@Sendable (Int) throws -> Architecture] = [
    { try mlp(width: $0, depth: 4) }, { try resnet(width: $0, depth: 3) }, { try resnet(width: $0, depth: 2, branchMatrices: 2) },
    { try mlp(width: $0, depth: 3, inputDimension: 64, bias: false) },
  ]

  func resolve(_ architecture: Architecture, _ preset: Preset, _ optimizer: OptimizerFamily, base: Int?, zeroReadout: Bool = false) throws -> NetworkSpec {
    try PresetResolution(
      architecture: architecture, loss: .mse, preset: preset, optimizer: optimizer,
      baseShapes: base.map(BaseShapes.init(width:)), zeroReadout: zeroReadout
    ).spec
  }

  /// The scalings of every unit, in forward order.
  func scalings(_ spec: NetworkSpec) -> [UnitScaling] { spec.layers.flatMap { $0.units.map(\.scaling) } }

  @Test("At n = B, mup (and ntk) resolve exactly to sp: same init std, forward multiplier and rates", arguments: OptimizerFamily.allCases)
  func equalsStandardAtBaseWidth(optimizer: OptimizerFamily) throws {
    for make in Self.architectures {
      for width in [256, 100] {
        let architecture = try make(width)
        let sp = try resolve(architecture, Presets.standard, optimizer, base: nil)
        for preset in [Presets.mup, Presets.ntk] where preset.architectures.contains(architecture.kind) {
          let based = try resolve(architecture, preset, optimizer, base: width)
          #expect(scalings(based) == scalings(sp), "\(preset.name) \(architecture.kind) width \(width) \(optimizer)")
        }
        // Without biases (whose init has no sp counterpart) spectral equals sp too.
        var noBias = architecture
        noBias.hasBias = false
        #expect(try scalings(resolve(noBias, Presets.spectral, optimizer, base: width))
          == scalings(resolve(noBias, Presets.standard, optimizer, base: nil)))
      }
    }
  }

  @Test("sp is unchanged by any base width", arguments: [16, 256, 4096])
  func standardIsInvariant(base: Int) throws {
    for make in Self.architectures {
      let architecture = try make(512)
      for optimizer in OptimizerFamily.allCases {
        #expect(try scalings(resolve(architecture, Presets.standard, optimizer, base: base))
          == scalings(resolve(architecture, Presets.standard, optimizer, base: nil)))
      }
    }
  }

  @Test("mup relative to B at width n: the theory §5.1 laws as powers of n/B (mup's MuSGD / MuAdam / MuReadout)")
  func mupLawsRelativeToBase() throws {
    let base = 128, n = 1024, ratio = Double(n) / Double(base)
    for optimizer in [OptimizerFamily.sgd, .adam] {
      let spec = try resolve(mlp(width: n, depth: 4, inputDimension: 784), Presets.mup, optimizer, base: base)
      let rows = scalingTable(for: spec, baseLearningRate: 1)
      for row in rows {
        let gain = row.tensor == .bias || row.layerIndex == 1 ? 1 : reluGain
        let (std, rate): (Double, Double)
        switch (row.role, optimizer) {
        case (.input, .sgd): (std, rate) = (1 / 784.0.squareRoot(), ratio)  // fanOut/B
        case (.hidden, .sgd): (std, rate) = (gain / Double(n).squareRoot(), 1)
        case (.output, .sgd): (std, rate) = (gain * Double(base).squareRoot() / Double(n), 1 / ratio)  // B/fanIn
        case (.bias, .sgd): (std, rate) = (0, row.fanOut == n ? ratio : 1)  // fanOut/B for hidden widths
        case (.input, .adam): (std, rate) = (1 / 784.0.squareRoot(), 1)
        case (.hidden, .adam), (.output, .adam):
          (std, rate) = (row.role == .output ? gain * Double(base).squareRoot() / Double(n) : gain / Double(n).squareRoot(), 1 / ratio)
        case (.bias, .adam): (std, rate) = (0, 1)
        default: Issue.record("unexpected \(row)"); continue
        }
        #expect(close(row.initStandardDeviation, std), "\(optimizer) \(row)")
        #expect(row.forwardMultiplier == 1)
        #expect(close(row.learningRateMultiplier, rate), "\(optimizer) \(row)")
      }
    }
  }

  @Test("A base width changes every law by a width-independent constant: μP's exponents are kept", arguments: ["mup", "mf-mup", "fsc", "spectral"])
  func exponentsAreKept(name: String) throws {
    let preset = try Presets.named(name)
    for optimizer in OptimizerFamily.allCases {
      func ratios(_ n: Int) throws -> [Double] {
        let a = try scalingTable(for: resolve(mlp(width: n, depth: 5), preset, optimizer, base: 64), baseLearningRate: 1)
        let b = try scalingTable(for: resolve(mlp(width: n, depth: 5), preset, optimizer, base: nil), baseLearningRate: 1)
        return zip(a, b).flatMap { x, y in
          [x.initStandardDeviation / y.initStandardDeviation, x.forwardMultiplier / y.forwardMultiplier,
           x.learningRateMultiplier / y.learningRateMultiplier].map { $0.isNaN ? 1 : $0 }  // 0/0: zero inits
        }
      }
      let small = try ratios(256), large = try ratios(4096)
      for (x, y) in zip(small, large) { #expect(close(x, y), "\(name) \(optimizer): \(x) vs \(y)") }
    }
  }

  @Test("The absolute mup is mup with base width 1, except the readout bias (no width in its shape: rate 1 instead of fanOut)")
  func absoluteMupIsBaseWidthOne() throws {
    for optimizer in [OptimizerFamily.sgd, .adam] {
      for architecture in [try mlp(width: 300, depth: 4), try resnet(width: 300, depth: 2)] {
        let one = try scalingTable(for: resolve(architecture, Presets.mup, optimizer, base: 1), baseLearningRate: 1)
        let absolute = try scalingTable(for: resolve(architecture, Presets.mup, optimizer, base: nil), baseLearningRate: 1)
        for (a, b) in zip(one, absolute) {
          #expect(close(a.initStandardDeviation, b.initStandardDeviation) && a.forwardMultiplier == b.forwardMultiplier, "\(a)")
          if a.tensor == .bias && a.fanOut == architecture.outputDimension {
            #expect(a.learningRateMultiplier == 1 && close(b.learningRateMultiplier, optimizer == .sgd ? 10 : 1), "\(a) vs \(b)")
          } else {
            #expect(close(a.learningRateMultiplier, b.learningRateMultiplier), "\(a) vs \(b)")
          }
        }
      }
    }
  }

  @Test("Depth factors are kept: fsc at n = B is sp times its depth factors")
  func depthFactorsAreKept() throws {
    let depth = 6, width = 200
    let fsc = try scalingTable(for: resolve(mlp(width: width, depth: depth), Presets.fsc, .sgd, base: width), baseLearningRate: 1)
    let sp = try scalingTable(for: resolve(mlp(width: width, depth: depth), Presets.standard, .sgd, base: nil), baseLearningRate: 1)
    let L = Double(depth)
    for (f, s) in zip(fsc, sp) {
      #expect(close(f.initStandardDeviation, s.initStandardDeviation * (f.role == .output ? L.squareRoot() : 1)), "\(f)")
      let depthFactor: Double = switch f.role {
      case .hidden: 1 / (L * L)
      case .input: 1 / L
      default: 1
      }
      #expect(close(f.learningRateMultiplier, s.learningRateMultiplier * depthFactor), "\(f)")
    }
  }

  @Test("A base width below 1 is a typed error that says how to fix it")
  func invalidBaseWidth() throws {
    #expect(throws: PresetError.invalidBaseWidth(0)) {
      try PresetResolution(architecture: mlp(width: 64, depth: 3), loss: .mse, preset: Presets.mup, optimizer: .sgd, baseShapes: BaseShapes(width: 0))
    }
    #expect(PresetError.invalidBaseWidth(0).description.contains("--base-width 256"))
  }

  @Test("Zero readout: the output layer's weight and bias start at 0, every other tensor is unchanged")
  func zeroReadout() throws {
    for make in Self.architectures {
      let architecture = try make(64)
      for preset in [Presets.mup, Presets.spectral] {
        let plain = try resolve(architecture, preset, .sgd, base: nil)
        let zero = try resolve(architecture, preset, .sgd, base: nil, zeroReadout: true)
        for (p, z) in zip(plain.layers.flatMap(\.units), zero.layers.flatMap(\.units)) {
          if p.layout.role == .output {
            #expect(z.scaling.weight.initStandardDeviation == 0 && (z.scaling.bias?.initStandardDeviation ?? 0) == 0)
            #expect(z.scaling.weight.learningRateMultiplier == p.scaling.weight.learningRateMultiplier)
          } else {
            #expect(z.scaling == p.scaling)
          }
        }
        var generator = SeededGenerator(seed: 3, stream: "init")
        let parameters = try NetworkParameters<Double>(initializing: zero, using: &generator)
        var other = SeededGenerator(seed: 3, stream: "init")
        let reference = try NetworkParameters<Double>(initializing: plain, using: &other)
        let last = parameters.layers.count - 1
        #expect(parameters.layers[last][0].weight.storage.allSatisfy { $0 == 0 })
        #expect(parameters.layers[last][0].bias?.storage.allSatisfy { $0 == 0 } ?? true)
        // Zeroing the readout does not shift the random draws of the other layers.
        #expect(parameters.layers[..<last].elementsEqual(reference.layers[..<last]))
      }
    }
  }
}
