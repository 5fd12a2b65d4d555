import Foundation
import Testing

@testable import Training

@Suite("Data source strings")
struct DataSourceTests {
  @Test func parsesEveryAcceptedForm() throws {
    #expect(try DataSource(parsing: "synthetic") == .synthetic(.teacher))
    #expect(try DataSource(parsing: "synthetic:teacher") == .synthetic(.teacher))
    #expect(try DataSource(parsing: "synthetic:gaussian") == .synthetic(.gaussian))
    #expect(try DataSource(parsing: "mnist:/data/mnist") == .mnist(directory: "/data/mnist"))
    #expect(try DataSource(parsing: "fashion-mnist") == .fashionMNIST(directory: "/usr/share/datasets/fashion-mnist"))
    #expect(try DataSource(parsing: "fashion-mnist:rel/dir") == .fashionMNIST(directory: "rel/dir"))
    #expect(try DataSource(parsing: "MNIST:/a:b") == .mnist(directory: "/a:b"))
  }

  @Test func slugsAndCanonicalStrings() throws {
    let sources: [DataSource] = [
      .synthetic(.teacher), .synthetic(.gaussian), .mnist(directory: "/m"), .fashionMNIST(directory: "/f"),
    ]
    #expect(sources.map(\.slug) == ["synthetic-teacher", "synthetic-gaussian", "mnist", "fashion-mnist"])
    #expect(sources.map(\.description) == ["synthetic:teacher", "synthetic:gaussian", "mnist:/m", "fashion-mnist:/f"])
    for source in sources { #expect(try DataSource(parsing: source.description) == source) }
  }

  @Test func encodesAsItsString() throws {
    let source = DataSource.mnist(directory: "/data/mnist")
    let json = String(decoding: try JSONEncoder().encode([source]), as: UTF8.self)
    #expect(json == #"["mnist:\/data\/mnist"]"#)
    #expect(try JSONDecoder().decode([DataSource].self, from: Data(json.utf8)) == [source])
    #expect(throws: DecodingError.self) { try JSONDecoder().decode([DataSource].self, from: Data(#"["cifar"]"#.utf8)) }
  }

  @Test func unknownStringsListTheAcceptedForms() throws {
    for text in ["cifar10", "synthetic:uniform", "synthetic:", ""] {
      let error = try dataError { _ = try DataSource(parsing: text) }
      #expect(error == .unknownDataSource(given: text))
      #expect(
        error.description.hasSuffix(
          "Expected one of: synthetic, synthetic:teacher, synthetic:gaussian, mnist:DIR, fashion-mnist, fashion-mnist:DIR, mnist1d, "
            + "csv:FILE, csv:FILE#label=COL, csv:FILE#targets=COL[,COL…], npy:INPUTS.npy,LABELS.npy, npz:FILE, safetensors:FILE."))
    }
    let error = try dataError { _ = try DataSource(parsing: "mnist") }
    #expect(error == .dataSourceNeedsDirectory(given: "mnist"))
    #expect(error.description.contains("pass 'mnist:DIR'"))
  }

  @Test func loadsSyntheticDataWithTheOptions() throws {
    let options = DataLoadOptions(
      seed: 5, task: DataTask(for: .mse), syntheticInputDimension: 6, syntheticOutputDimension: 3,
      syntheticTrainCount: 40, syntheticTestCount: 10)
    let data = try DataSource.synthetic(.gaussian).load(options: options)
    #expect(data.train.count == 40 && data.test?.count == 10 && data.train.inputDimension == 6)
    #expect(data.train.regressionTargets?.count == 40 * 3)
    #expect(data.provenance.source == "synthetic:gaussian" && data.provenance.synthetic?.seed == 5)
    #expect(DataTask(for: .crossEntropy) == .classification)
  }

  @Test func provenanceIsJSON() throws {
    let options = DataLoadOptions(seed: 1, task: .classification, syntheticTrainCount: 20, syntheticTestCount: 0)
    let data = try DataSource.synthetic(.teacher).load(options: options)
    let decoded = try JSONDecoder().decode(DataProvenance.self, from: JSONEncoder().encode(data.provenance))
    #expect(decoded == data.provenance)
  }

  @Test func loadsMNISTThroughTheSource() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try writeFixture(in: directory)
    let data = try DataSource(parsing: "mnist:\(directory.path)").load(options: DataLoadOptions(seed: 0, task: .regression))
    #expect(data.train.count == 8 && data.train.isClassification)
    #expect(data.provenance.source == "mnist:\(directory.path)")
  }
}
