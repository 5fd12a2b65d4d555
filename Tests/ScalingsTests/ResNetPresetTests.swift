import Networks
@testable import Scalings
import Testing

@Suite struct ResNetPresetTests {
  @Test(arguments: [1, 4, 16, 64])
  func presetsSetTheBranchScale(depth: Int) throws {
    let L = Double(depth)
    let sqrt = try PresetResolution(
      architecture: resnet(width: 32, depth: depth), loss: .mse, preset: Presets.resnetSqrt, optimizer: .sgd)
    #expect(sqrt.branchScale == .inverseSqrt)
    #expect(close(sqrt.spec.architecture.branchScale, 1 / L.squareRoot()))
    #expect(sqrt.spec.layers[1...depth].allSatisfy { close($0.residualScale!, 1 / L.squareRoot()) })
    let inv = try PresetResolution(
      architecture: resnet(width: 32, depth: depth), loss: .mse, preset: Presets.resnetInv, optimizer: .sgd)
    #expect(inv.branchScale == .inverseDepth)
    #expect(inv.spec.layers[1...depth].allSatisfy { close($0.residualScale!, 1 / L) })
  }

  @Test func otherPresetsDefaultToInverseSqrtDepthOrTakeTheRequest() throws {
    let byDefault = try PresetResolution(
      architecture: resnet(width: 32, depth: 16), loss: .mse, preset: Presets.mup, optimizer: .sgd)
    #expect(byDefault.branchScale == .inverseSqrt && byDefault.spec.architecture.branchScale == 0.25)
    let requested = try PresetResolution(
      architecture: resnet(width: 32, depth: 16), loss: .mse, preset: Presets.mup, optimizer: .sgd,
      branchScale: .constant(1))
    #expect(requested.spec.architecture.branchScale == 1)
    let mlpResolution = try PresetResolution(
      architecture: mlp(width: 32, depth: 3), loss: .mse, preset: Presets.mup, optimizer: .sgd)
    #expect(mlpResolution.branchScale == nil)
  }

  @Test func resnetPresetsRejectMLPs() throws {
    for preset in [Presets.resnetSqrt, Presets.resnetInv] {
      let error = PresetError.architectureNotSupported(preset: preset.name, allowed: [.resnet], found: .mlp)
      #expect(throws: error) { try resolve(mlp(width: 32, depth: 4), preset) }
      #expect(error.description == "Preset \(preset.name) is for ResNets: pass --arch resnet, or pick mup for an MLP.")
    }
  }

  @Test func conflictingBranchScaleIsRejected() throws {
    let arch = try resnet(width: 32, depth: 16)
    let error = PresetError.conflictingBranchScale(
      preset: "resnet-sqrt", prescribed: .inverseSqrt, requested: .constant(1), depth: 16)
    #expect(throws: error) {
      try PresetResolution(architecture: arch, loss: .mse, preset: Presets.resnetSqrt, optimizer: .sgd,
                           branchScale: .constant(1))
    }
    #expect(error.description.contains("β = 1/√L (0.25 at depth 16)"))
    #expect(error.description.contains("--branch-scale 1"))
    // The same β, however spelled, is accepted.
    for same in [BranchScale.inverseSqrt, .constant(0.25), .inverseSqrtDepth(multiplier: 1)] {
      let r = try PresetResolution(architecture: arch, loss: .mse, preset: Presets.resnetSqrt, optimizer: .sgd,
                                   branchScale: same)
      #expect(r.spec.architecture.branchScale == 0.25)
    }
    #expect(throws: PresetError.conflictingBranchScale(
      preset: "resnet-inv", prescribed: .inverseDepth, requested: .inverseSqrt, depth: 16)) {
      try PresetResolution(architecture: arch, loss: .mse, preset: Presets.resnetInv, optimizer: .sgd,
                           branchScale: .inverseSqrt)
    }
  }

  @Test func branchScaleIsForResNetsOnly() throws {
    #expect(throws: PresetError.branchScaleForMLP(.inverseDepth)) {
      try PresetResolution(architecture: mlp(width: 8, depth: 3), loss: .mse, preset: Presets.mup,
                           optimizer: .sgd, branchScale: .inverseDepth)
    }
  }

  @Test(arguments: OptimizerFamily.allCases)
  func hiddenRateFactorsRelativeToMup(optimizer: OptimizerFamily) throws {
    for depth in [4, 25] {
      for width in [64, 256] {
        let arch = try resnet(width: width, depth: depth)
        let mupRows = try scalingTable(for: resolve(arch, Presets.mup, optimizer), baseLearningRate: 1)
        let L = Double(depth)
        // Spectral-descent rates are √(fanOut/fanIn) in every preset.
        let sqrtFactor = optimizer == .adam ? 1 / L.squareRoot() : 1
        let invFactor = optimizer == .sgd ? L : 1
        for (preset, factor) in [(Presets.resnetSqrt, sqrtFactor), (Presets.resnetInv, invFactor)] {
          let rows = try scalingTable(for: resolve(arch, preset, optimizer), baseLearningRate: 1)
          for (row, mupRow) in zip(rows, mupRows) {
            let expected = row.role == .hidden ? factor : 1
            #expect(close(row.learningRateMultiplier, expected * mupRow.learningRateMultiplier),
                    "\(preset.name) \(optimizer) L=\(depth) \(row.role)")
            #expect(row.initStandardDeviation == mupRow.initStandardDeviation)
            #expect(row.forwardMultiplier == mupRow.forwardMultiplier)
          }
        }
      }
    }
  }
}
