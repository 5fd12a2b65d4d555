import Foundation
import Testing
import NumericCore
import Networks
import Scalings
import _TestSupport

@testable import Training

/// `OptimizerSettings`: families, defaults, validation messages, decoding, the factory.
@Suite struct OptimizerSettingsTests {
  @Test func familiesAndNames() throws {
    let families = OptimizerKind.allCases.map { OptimizerSettings(kind: $0).family }
    #expect(families == [.sgd, .sgd, .adam, .adam, .spectral])
    #expect(OptimizerKind.allCases.map(\.rawValue) == ["sgd", "momentum", "adam", "adamw", "spectral"])
    let spec = try TestNetworks.spec(kind: .mlp, bias: true)
    for kind in OptimizerKind.allCases {
      let optimizer: any Optimizer<Float> = OptimizerSettings(kind: kind).makeOptimizer(spec: spec, baseLearningRate: 0.1)
      #expect(optimizer.name == kind.rawValue)
      #expect(optimizer.learningRates == LearningRates(spec: spec, baseLearningRate: 0.1))
    }
  }

  @Test("AdamW decays by 0.01 unless told otherwise; Adam does not decay")
  func weightDecayDefaults() throws {
    #expect(OptimizerSettings(kind: .adamw).resolvedWeightDecay == 0.01)
    #expect(OptimizerSettings(kind: .adamw, weightDecay: 0.3).resolvedWeightDecay == 0.3)
    #expect(OptimizerSettings(kind: .adam).resolvedWeightDecay == 0)
    let spec = try TestNetworks.spec(kind: .mlp)
    let adamw = OptimizerSettings(kind: .adamw).makeOptimizer(spec: spec, baseLearningRate: 1) as any Optimizer<Double>
    #expect((adamw as? Adam<Double>)?.weightDecay == 0.01)
  }

  @Test("Invalid constants are TrainingError.invalidSetting saying how to fix them")
  func validation() throws {
    let invalid: [(OptimizerSettings, String)] = [
      (OptimizerSettings(kind: .momentum, momentum: 1), "--momentum 0.9"),
      (OptimizerSettings(kind: .momentum, momentum: 0, nesterov: true), "--nesterov"),
      (OptimizerSettings(kind: .sgd, nesterov: true), "--optimizer momentum"),
      (OptimizerSettings(kind: .adam, beta1: -0.1), "--beta1 0.9"),
      (OptimizerSettings(kind: .adamw, beta2: 1), "--beta2 0.999"),
      (OptimizerSettings(kind: .adam, epsilon: 0), "--adam-epsilon"),
      (OptimizerSettings(kind: .adam, weightDecay: 0.1), "--optimizer adamw"),
      (OptimizerSettings(kind: .adamw, weightDecay: -1), "--weight-decay 0.01"),
      (OptimizerSettings(kind: .spectral, newtonSchulzSteps: 0), "--newton-schulz-steps 5"),
    ]
    for (settings, hint) in invalid {
      do {
        try settings.validate()
        Issue.record("\(settings) should be invalid")
      } catch let error as TrainingError {
        #expect(error.description.contains(hint), "\(error.description)")
      }
    }
    for kind in OptimizerKind.allCases { try OptimizerSettings(kind: kind).validate() }
    try OptimizerSettings(kind: .adam, weightDecay: 0).validate()
    // Constants of other optimizers are ignored.
    try OptimizerSettings(kind: .sgd, momentum: 7, beta1: 3).validate()
  }

  @Test("Decoding fills missing keys with defaults and round-trips")
  func codable() throws {
    let decoded = try JSONDecoder().decode(OptimizerSettings.self, from: Data(#"{"kind": "adamw", "beta2": 0.99}"#.utf8))
    #expect(decoded == OptimizerSettings(kind: .adamw, beta2: 0.99))
    let full = OptimizerSettings(kind: .spectral, newtonSchulzSteps: 7, newtonSchulzVariant: .cubic)
    #expect(try JSONDecoder().decode(OptimizerSettings.self, from: JSONEncoder().encode(full)) == full)
    #expect(try JSONDecoder().decode(OptimizerSettings.self, from: Data("{}".utf8)) == OptimizerSettings())
  }
}
