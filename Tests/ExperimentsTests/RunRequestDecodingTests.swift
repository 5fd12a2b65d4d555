import Foundation
import Scalings
import Testing
import Training
@testable import Experiments

/// Files written before a field existed still decode (sweeps resume and merge older runs).
@Suite struct RunRequestDecodingTests {
  @Test("A request without the newer keys decodes with their defaults; a full one round-trips")
  func olderRequestsDecode() throws {
    var request = RunRequest()
    request.width = 77
    request.controlDecay = 0.1
    request.controlProfile = .weights([1, 2, 3, 4])
    request.optimizer = OptimizerSettings(kind: .adam)
    let data = try JSONEncoder().encode(request)
    #expect(try JSONDecoder().decode(RunRequest.self, from: data) == request)

    var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    for key in ["optimizer", "controlDecay", "controlProfile", "controlCap", "presetFile", "normalizesFeatures", "controlCalibration"] {
      object.removeValue(forKey: key)
    }
    let old = try JSONDecoder().decode(RunRequest.self, from: JSONSerialization.data(withJSONObject: object))
    var expected = request
    expected.controlDecay = nil
    expected.controlProfile = .uniform
    expected.optimizer = OptimizerSettings()
    #expect(old == expected)

    var settings = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(request.trainingSettings)) as? [String: Any])
    settings.removeValue(forKey: "optimizer")
    settings.removeValue(forKey: "control")
    let decoded = try JSONDecoder().decode(TrainingSettings.self, from: JSONSerialization.data(withJSONObject: settings))
    #expect(decoded.control == ControlSettings() && decoded.optimizer == OptimizerSettings() && decoded.steps == request.steps)
  }

  @Test("A preset given as data round-trips, must carry the request's preset name, and replaces the catalogue's")
  func presetDefinition() throws {
    var broken = Presets.mup
    broken.name = "mup-sp-readout"
    broken.rules.output = Presets.standard.rules.output
    var request = RunRequest()
    request.preset = broken.name
    request.presetDefinition = broken
    try request.validate()
    let data = try JSONEncoder().encode(request)
    #expect(try JSONDecoder().decode(RunRequest.self, from: data) == request)
    // Without a definition the key is absent, so older config.json files compare equal.
    #expect(!String(decoding: try JSONEncoder().encode(RunRequest()), as: UTF8.self).contains("presetDefinition"))

    request.preset = "mup"
    #expect(throws: RunError.self) { try request.validate() }
    request.preset = broken.name
    request.presetDefinition = nil
    #expect(throws: PresetError.self) { try request.validate() }
  }
}
