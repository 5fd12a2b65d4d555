import Testing
import Networks
import Experiments
@testable import FeatureSpeedCLI

@Suite struct ModelOptionsTests {
  @Test("--normalize-features reaches the architecture of the run (theory §5.3 item 1); off by default")
  func normalizeFeatures() throws {
    for (arguments, expected) in [(["--arch", "resnet"], false), (["--arch", "resnet", "--normalize-features"], true)] {
      var request = RunRequest()
      try ModelOptions.parse(arguments).apply(to: &request)
      #expect(request.normalizesFeatures == (expected ? true : nil))
      request.width = 8
      request.depth = 2
      request.trainSize = 128
      request.testSize = 0
      request.inputDimension = 4
      let spec = try RunSetup(request).spec
      #expect(spec.architecture.normalizesFeatures == expected)
      #expect(spec.layers.map { $0.units[0].normalizesInput } == [false, expected, expected, expected])
      #expect(request.runName.contains("-nf-") == expected)
    }
  }
}
