import Foundation
import Testing
import _TestSupport

@testable import Experiments

@Suite struct SweepGridTests {
  @Test func theGridExpandsInFileOrderWithTheLastKeyFastest() throws {
    let config = try SweepConfig.parse(yaml: documentedSweep, source: "sweep.yaml")
    #expect(config.cells.map(\.index) == Array(0..<48))
    var expected = [[String]]()
    for width in ["128", "256", "512", "1024"] {
      for preset in ["sp", "mup"] {
        for rate in ["0.01", "0.1"] {
          for seed in ["0", "1", "2"] { expected.append([width, preset, rate, seed]) }
        }
      }
    }
    #expect(config.cells.map { $0.values.map(\.value) } == expected)
    #expect(config.cells.allSatisfy { $0.values.map(\.key) == ["width", "preset", "learning-rate", "seed"] })
    #expect(config.cells[0].id == "width=128_preset=sp_learning-rate=0.01_seed=0")
    #expect(config.cells[47].id == "width=1024_preset=mup_learning-rate=0.1_seed=2")
    #expect(config.cells.map(\.request.width) == expected.map { Int($0[0])! })
    #expect(config.cells.map(\.request.seed) == expected.map { UInt64($0[3])! })
  }

  @Test func cellIDsAreUniqueDirectoryNames() throws {
    try withTemporaryDirectory { directory in
      for file in ["width-sp-mup.yaml", "resnet-depth.yaml", "lr-transfer.yaml"] {
        let config = try SweepConfig.load(from: sweepPackageRoot.appendingPathComponent("examples/\(file)"))
        let ids = config.cells.map(\.id)
        #expect(Set(ids).count == ids.count)
        for id in ids {
          #expect(isDirectoryName(id), "\(id)")
          try FileManager.default.createDirectory(
            at: directory.appendingPathComponent(file).appendingPathComponent(id), withIntermediateDirectories: true)
        }
        #expect(try fileNames(in: directory.appendingPathComponent(file)) == ids.sorted())
      }
    }
  }

  @Test func addingAGridValueKeepsTheExistingIDs() throws {
    let small = try SweepConfig.parse(
      yaml: "name: s\ngrid:\n  width: [128, 512]\n  learning-rate: [0.1]\n  seed: [0, 1]\n", source: "s.yaml")
    let large = try SweepConfig.parse(
      yaml: "name: s\ngrid:\n  width: [64, 128, 256, 512]\n  learning-rate: [0.1, 0.03]\n  seed: [0, 1, 2]\n",
      source: "s.yaml")
    let largeByID = Dictionary(uniqueKeysWithValues: large.cells.map { ($0.id, $0) })
    for cell in small.cells {
      let same = try #require(largeByID[cell.id], "\(cell.id) was renamed")
      #expect(same.request == cell.request)
      #expect(same.values == cell.values)
    }
    // Indices move, ids do not.
    #expect(small.cells.map(\.index) != small.cells.map { largeByID[$0.id]!.index })
  }

  @Test func idsDependOnValuesNotSpellingOrBase() throws {
    let a = try SweepConfig.parse(yaml: "name: a\ngrid:\n  learning-rate: [0.10, 1e-3]\n  bias: [yes]\n", source: "a")
    let b = try SweepConfig.parse(
      yaml: "name: b\nbase:\n  steps: 5\ngrid:\n  learning-rate: [.1, 0.001]\n  bias: [true]\n", source: "b")
    #expect(a.cells.map(\.id) == ["learning-rate=0.1_bias=true", "learning-rate=0.001_bias=true"])
    #expect(a.cells.map(\.id) == b.cells.map(\.id))
  }

  @Test func dataPathsAreMadeSafe() throws {
    let config = try SweepConfig.parse(
      yaml: "name: d\ngrid:\n  data: ['mnist:/data/MNIST files', 'fashion-mnist:./fm', synthetic:gaussian]\n", source: "d")
    #expect(config.cells.map(\.id) == [
      "data=mnist-data-MNIST-files", "data=fashion-mnist-.-fm", "data=synthetic-gaussian",
    ])
    #expect(config.cells.map { $0.values[0].value } == [
      "mnist:/data/MNIST files", "fashion-mnist:./fm", "synthetic:gaussian",
    ])
    #expect(config.cells[0].request.data == .mnist(directory: "/data/MNIST files"))
  }

  @Test func longIDsAreShortenedWithAStableHash() throws {
    let directory = "/very/long/path/" + String(repeating: "to/the/data/", count: 12) + "mnist"
    let yaml = "name: l\ngrid:\n  data: ['mnist:\(directory)', 'mnist:\(directory)-2']\n  seed: [0]\n"
    let config = try SweepConfig.parse(yaml: yaml, source: "l")
    let ids = config.cells.map(\.id)
    #expect(Set(ids).count == 2)
    for id in ids {
      #expect(id.count == SweepExpansion.maximumIDLength, "\(id)")
      #expect(isDirectoryName(id))
      #expect(id.hasPrefix("data=mnist-very-long-path-to-the-data-"))
    }
    let full = "data=mnist:\(directory)\nseed=0"
    let hex = String(fnv1a64(full), radix: 16)
    #expect(ids[0].hasSuffix("_" + String(repeating: "0", count: 16 - hex.count) + hex))
    #expect(try SweepConfig.parse(yaml: yaml, source: "again").cells.map(\.id) == ids)
  }

  @Test(arguments: [
    ("", 0xcbf2_9ce4_8422_2325 as UInt64),
    ("a", 0xaf63_dc4c_8601_ec8c),
    ("foobar", 0x8594_4171_f739_67e8),
  ])
  func fnv1aMatchesTheReferenceVectors(text: String, hash: UInt64) {
    #expect(fnv1a64(text) == hash)
  }

  @Test func fileNamePartsKeepSafeCharactersOnly() {
    #expect(SweepExpansion.fileNamePart("2/sqrt") == "2-sqrt")
    #expect(SweepExpansion.fileNamePart("1e-05") == "1e-05")
    #expect(SweepExpansion.fileNamePart("/a//b:c/") == "a-b-c")
    #expect(SweepExpansion.fileNamePart("µP ü") == "P")
    #expect(SweepExpansion.fileNamePart("///") == "x")
  }

  @Test func cellsRoundTripThroughJSON() throws {
    let config = try SweepConfig.parse(yaml: documentedSweep, source: "sweep.yaml")
    let data = try JSONEncoder().encode(config.cells)
    #expect(try JSONDecoder().decode([SweepCell].self, from: data) == config.cells)
  }
}

/// Only ASCII letters, digits, `.`, `+`, `-`, `=`, `_`; not empty, not `.`/`..`, at most 120 characters.
func isDirectoryName(_ name: String) -> Bool {
  let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-=_")
  return !name.isEmpty && name != "." && name != ".." && name.count <= 120 && name.allSatisfy(allowed.contains)
}
