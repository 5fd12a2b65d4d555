import Foundation
import Testing
import FeatureSpeed

/// Another Swift program's view: one `import FeatureSpeed`, a run from a request, its
/// measurements in memory through a reporter, and the key identity (theory §3.2) on them.
@Suite struct LibraryUseTests {
  struct Collector: RunReporter {
    var measurements = [StepMeasurement]()
    mutating func stepMeasured(_ measurement: StepMeasurement) { measurements.append(measurement) }
  }

  @Test func aRunThroughTheUmbrellaModule() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fs-library-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    var request = RunRequest()
    request.width = 16
    request.depth = 3
    request.inputDimension = 6
    request.outputDimension = 3
    request.trainSize = 64
    request.testSize = 16
    request.batchSize = 16
    request.steps = 4
    request.measureEvery = 2
    request.dtype = .float64
    request.output = directory.path
    var collector = Collector()
    let configuration = try TrainingRun.execute(request, reporter: &collector)
    #expect(configuration.status == "completed")
    #expect(collector.measurements.map(\.step) == [0, 2])
    for measurement in collector.measurements {
      for layer in measurement.layers {
        #expect(try #require(layer.fsfResidual) < 1e-10, "layer \(layer.layer), step \(measurement.step)")
      }
    }
  }
}
