import Foundation
import Networks
import NumericCore
@testable import Scalings
import Testing

/// `|a − b| ≤ 1e-12 · max(|a|, |b|)` (exact-formula comparisons in Double).
func close(_ a: Double, _ b: Double, relative: Double = 1e-12) -> Bool {
  a == b || abs(a - b) <= relative * max(abs(a), abs(b))
}

/// `√2`, the ReLU gain.
let reluGain = 2.0.squareRoot()

/// A ReLU MLP with biases: input `inputDimension`, hidden `width`, `depth` layers, 10 outputs.
func mlp(width: Int, depth: Int, inputDimension: Int = 784, outputs: Int = 10, bias: Bool = true) throws
  -> Architecture
{
  try Architecture(
    kind: .mlp, inputDimension: inputDimension, width: width, depth: depth, outputDimension: outputs,
    activation: .relu, hasBias: bias)
}

/// A ReLU ResNet with biases and `depth` one-matrix blocks.
func resnet(width: Int, depth: Int, inputDimension: Int = 784, outputs: Int = 10, bias: Bool = true,
            branchMatrices: Int = 1) throws -> Architecture
{
  try Architecture(
    kind: .resnet, inputDimension: inputDimension, width: width, depth: depth, outputDimension: outputs,
    activation: .relu, hasBias: bias, branchMatrices: branchMatrices)
}

/// The spec of `architecture` under `preset`.
func resolve(
  _ architecture: Architecture, _ preset: Preset, _ optimizer: OptimizerFamily = .sgd,
  initScale: Double = 1
) throws -> NetworkSpec {
  try PresetResolution(
    architecture: architecture, loss: .mse, preset: preset, optimizer: optimizer, initScale: initScale
  ).spec
}

/// The unit layout of a single weight with the given shape and input activation.
func unit(
  role: LayerRole, fanIn: Int, fanOut: Int, activation: Activation = .relu, bias: Bool = true,
  depth: Int = 4
) -> UnitLayout {
  UnitLayout(
    layerIndex: 1, unitIndex: 0, role: role, fanIn: fanIn, fanOut: fanOut, inputActivation: activation,
    hasBias: bias, depth: depth)
}
