import _TestSupport
import Foundation
import Networks
import NumericCore
import Testing

@testable import Experiments
import Training

/// A small network spec with Gaussian `1/√fanIn` weights and, with `hasBias`, biases.
func smallSpec(
  _ kind: ArchitectureKind, width: Int = 4, depth: Int = 3, hasBias: Bool = true, branchMatrices: Int = 1
) throws -> NetworkSpec {
  let architecture = try Architecture(
    kind: kind, inputDimension: 5, width: width, depth: depth, outputDimension: 2, hasBias: hasBias,
    branchMatrices: branchMatrices)
  return try NetworkSpec(architecture: architecture, loss: .mse) { layout in
    UnitScaling(
      weight: LayerScaling(initStandardDeviation: 1 / Double(layout.fanIn).squareRoot()),
      bias: layout.hasBias ? LayerScaling(initStandardDeviation: 0.1) : nil)
  }
}

@Suite struct SafetensorsNetworkParametersTests {
  @Test func mlpTensorsAreNamedByUserFacingLayerIndex() throws {
    let spec = try smallSpec(.mlp)
    var generator = SeededGenerator(seed: 1)
    let parameters = try NetworkParameters<Float>(initializing: spec, using: &generator)
    var file = SafetensorsFile()
    file.add(parameters, layerIndices: spec.layerIndices)
    #expect(file.names == [
      "layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias", "layer3.weight", "layer3.bias",
    ])
    #expect(file["layer1.weight"]?.shape == [4, 5])
    #expect(file["layer1.bias"]?.shape == [4])
    #expect(file["layer3.weight"]?.shape == [2, 4])
  }

  @Test func resNetWithTwoMatrixBranchesNamesUnits() throws {
    let spec = try smallSpec(.resnet, depth: 2, hasBias: false, branchMatrices: 2)
    let parameters = NetworkParameters<Double>(zerosFor: spec)
    var file = SafetensorsFile()
    file.add(parameters, layerIndices: spec.layerIndices)
    #expect(file.names == [
      "layer0.weight", "layer1.0.weight", "layer1.1.weight", "layer2.0.weight", "layer2.1.weight", "layer3.weight",
    ])
  }

  func roundTrip<Scalar: BLASScalar>(_ type: Scalar.Type, spec: NetworkSpec) throws {
    try withTemporaryDirectory { directory in
      var generator = SeededGenerator(seed: 7)
      let parameters = try NetworkParameters<Scalar>(initializing: spec, using: &generator)
      var file = SafetensorsFile(metadata: ["step": "0"])
      file.add(parameters, layerIndices: spec.layerIndices)
      let url = directory.appendingPathComponent("weights-init.safetensors")
      try file.write(to: url)
      let loaded = try SafetensorsFile.read(from: url).networkParameters(for: spec, as: Scalar.self)
      #expect(loaded == parameters)
      #expect(loaded.matches(spec))
    }
  }

  @Test func roundTripMLPFloat() throws { try roundTrip(Float.self, spec: smallSpec(.mlp)) }
  @Test func roundTripMLPDouble() throws { try roundTrip(Double.self, spec: smallSpec(.mlp, hasBias: false)) }
  @Test func roundTripResNetFloat() throws { try roundTrip(Float.self, spec: smallSpec(.resnet, branchMatrices: 2)) }
  @Test func roundTripResNetDouble() throws { try roundTrip(Double.self, spec: smallSpec(.resnet, depth: 1)) }

  func savedFile(_ spec: NetworkSpec) throws -> SafetensorsFile {
    var file = SafetensorsFile()
    file.add(NetworkParameters<Float>(zerosFor: spec), layerIndices: spec.layerIndices)
    return try SafetensorsFile(parsing: file.serialized(), source: "w.safetensors")
  }

  @Test func aWiderNetworkGivesAShapeMismatch() throws {
    let file = try savedFile(smallSpec(.mlp, width: 4))
    #expect(throws: SafetensorsError.shapeMismatch(source: "w.safetensors", name: "layer1.weight", expected: [8, 5], found: [4, 5])) {
      try file.networkParameters(for: smallSpec(.mlp, width: 8), as: Float.self)
    }
  }

  @Test func aDeeperNetworkGivesAShapeMismatch() throws {
    // The readout of a depth-1 ResNet is layer 2 (2×4); in a depth-2 ResNet layer 2 is a 4×4 block.
    let file = try savedFile(smallSpec(.resnet, depth: 1))
    #expect(throws: SafetensorsError.shapeMismatch(source: "w.safetensors", name: "layer2.weight", expected: [4, 4], found: [2, 4])) {
      try file.networkParameters(for: smallSpec(.resnet, depth: 2), as: Float.self)
    }
  }

  @Test func anotherBranchStructureGivesAMissingTensor() throws {
    let file = try savedFile(smallSpec(.resnet, depth: 1, branchMatrices: 1))
    #expect(throws: SafetensorsError.missingTensor(
      source: "w.safetensors", name: "layer1.0.weight",
      available: ["layer0.weight", "layer0.bias", "layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"])) {
      try file.networkParameters(for: smallSpec(.resnet, depth: 1, branchMatrices: 2), as: Float.self)
    }
  }

  @Test func extraTensorsAreReported() throws {
    var file = try savedFile(smallSpec(.mlp, hasBias: false))
    file.add("optimizer.step", [Int64(3)], shape: [1])
    #expect(throws: SafetensorsError.unexpectedTensors(source: "w.safetensors", names: ["optimizer.step"])) {
      try file.networkParameters(for: smallSpec(.mlp, hasBias: false), as: Float.self)
    }
  }

  @Test func aMissingBiasAndAWrongPrecisionAreReported() throws {
    let file = try savedFile(smallSpec(.mlp, hasBias: false))
    #expect(throws: SafetensorsError.missingTensor(
      source: "w.safetensors", name: "layer1.bias", available: ["layer1.weight", "layer2.weight", "layer3.weight"])) {
      try file.networkParameters(for: smallSpec(.mlp, hasBias: true), as: Float.self)
    }
    #expect(throws: SafetensorsError.dtypeMismatch(source: "w.safetensors", name: "layer1.weight", expected: .float64, found: .float32)) {
      try file.networkParameters(for: smallSpec(.mlp, hasBias: false), as: Double.self)
    }
  }
}
