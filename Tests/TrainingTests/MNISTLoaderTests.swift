import _TestSupport
import Foundation
import NumericCore
import Testing

@testable import Training

/// Mean and population standard deviation of all inputs, through BLAS one row at a time (fast in
/// debug builds, and accurate: each row's sums are short, the total is accumulated in `Double`).
private func inputStatistics(_ dataset: Dataset) -> (mean: Double, standardDeviation: Double) {
  let d = dataset.inputDimension
  let ones = [Float](repeating: 1, count: d)
  var sum = 0.0
  var sumOfSquares = 0.0
  dataset.inputs.withUnsafeBufferPointer { x in
    ones.withUnsafeBufferPointer { o in
      for i in 0..<dataset.count {
        let row = x.baseAddress! + i * d
        sum += Double(Float.dot(count: d, row, o.baseAddress!))
        sumOfSquares += Double(Float.dot(count: d, row, row))
      }
    }
  }
  let n = Double(dataset.inputs.count)
  let mean = sum / n
  return (mean, (sumOfSquares / n - mean * mean).squareRoot())
}

@Suite("MNIST and Fashion-MNIST from the offline copies")
struct RealMNISTTests {
  @Test func mnistHasTheKnownShapeLabelsAndStatistics() throws {
    let data = try RealData.mnist.get()
    let test = try #require(data.test)
    #expect(data.train.count == 60_000 && test.count == 10_000)
    #expect(data.train.inputDimension == 784 && test.inputDimension == 784)
    #expect(data.train.inputs.count == 60_000 * 784)
    #expect(data.train.classCount == 10 && data.train.targetDimension == 10)
    let labels = try #require(data.train.labels)
    #expect(Array(labels.prefix(10)) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
    #expect(Array(try #require(test.labels).prefix(10)) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
    var counts = [Int](repeating: 0, count: 10)
    for label in labels { counts[Int(label)] += 1 }
    #expect(counts == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])

    let normalization = try #require(data.provenance.normalization)
    #expect(abs(normalization.mean - 0.1307) < 1e-4)
    #expect(abs(normalization.standardDeviation - 0.3081) < 1e-4)
    #expect(normalization.scale == 1.0 / 255)
    let statistics = inputStatistics(data.train)
    #expect(abs(statistics.mean) < 1e-3)
    #expect(abs(statistics.standardDeviation - 1) < 1e-3)
    // The test split uses the train statistics: its raw mean 0.1325 maps to (0.1325 − 0.1307)/0.3081.
    #expect(abs(inputStatistics(test).mean - 0.0058) < 2e-3)

    #expect(data.provenance.slug == "mnist")
    #expect(data.provenance.directory == RealData.mnistDirectory)
    #expect(data.provenance.files.map { ($0 as NSString).lastPathComponent } == MNISTVariant.fileNames.map { $0 + ".gz" })
    #expect(data.provenance.trainCount == 60_000 && data.provenance.testCount == 10_000)
  }

  @Test func rawCopiesGiveIdenticalArrays() throws {
    let gz = try RealData.mnist.get()
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    for name in MNISTVariant.fileNames {
      try shell("gzip -dc '\(RealData.mnistDirectory)/\(name).gz' > '\(directory.file(name))'")
    }
    let raw = try MNISTLoader.load(.mnist, directory: directory.path)
    #expect(raw.provenance.files == MNISTVariant.fileNames.map(directory.file))
    #expect(raw.provenance.normalization == gz.provenance.normalization)
    #expect(raw.train.labels == gz.train.labels && raw.test?.labels == gz.test?.labels)
    // memcmp: Array == on 47 M elements is slow in debug builds.
    func identical(_ a: [Float], _ b: [Float]) -> Bool {
      a.count == b.count
        && a.withUnsafeBytes { x in b.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
    }
    #expect(identical(raw.train.inputs, gz.train.inputs))
    #expect(identical(try #require(raw.test).inputs, try #require(gz.test).inputs))
  }

  @Test func fashionMNISTHasTheKnownShapeLabelsAndStatistics() throws {
    let data = try MNISTLoader.load(.fashionMNIST, directory: RealData.fashionMNISTDirectory)
    #expect(data.train.count == 60_000 && data.test?.count == 10_000 && data.train.inputDimension == 784)
    let labels = try #require(data.train.labels)
    #expect(Array(labels.prefix(10)) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
    #expect(Array(try #require(data.test?.labels).prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
    #expect(labels.allSatisfy { (0..<10).contains($0) })
    let normalization = try #require(data.provenance.normalization)
    #expect(abs(normalization.mean - 0.2860) < 1e-4)
    #expect(abs(normalization.standardDeviation - 0.3530) < 1e-4)
    let statistics = inputStatistics(data.train)
    #expect(abs(statistics.mean) < 1e-3 && abs(statistics.standardDeviation - 1) < 1e-3)
    #expect(data.provenance.slug == "fashion-mnist")
  }

  @Test func debianFashionMNISTFilesMatchTheOfflineCopy() throws {
    // Only the small label files: the packaged .gz differ from upstream in their gzip header only.
    let installed = DataSource.defaultFashionMNISTDirectory + "/train-labels-idx1-ubyte.gz"
    try #require(FileManager.default.fileExists(atPath: installed), "dataset-fashion-mnist is not installed")
    let debian = try IDXFile(contentsOfFile: installed, kind: .labels)
    let offline = try IDXFile(contentsOfFile: RealData.fashionMNISTDirectory + "/train-labels-idx1-ubyte.gz", kind: .labels)
    #expect(debian.dimensions == [60_000] && debian.payload == offline.payload)
  }
}

@Suite("MNIST loader on small and broken files")
struct MNISTLoaderErrorTests {
  @Test func loadsASmallFixtureRawAndGzipped() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try writeFixture(in: directory)
    let raw = try MNISTLoader.load(.mnist, directory: directory.path)
    #expect(raw.train.count == 8 && raw.test?.count == 4 && raw.train.inputDimension == 16)
    #expect(raw.train.labels == (0..<8).map { Int32($0 % 10) })
    try shell("gzip -n '\(directory.path)'/*-ubyte")
    let gz = try MNISTLoader.load(.mnist, directory: directory.path)
    #expect(gz.train.inputs == raw.train.inputs && gz.test?.inputs == raw.test?.inputs)
    #expect(gz.provenance.files.allSatisfy { $0.hasSuffix(".gz") })
    // Train statistics: the train inputs have mean 0 and standard deviation 1 exactly (up to rounding).
    let inputs = raw.train.inputs.map(Double.init)
    let mean = inputs.reduce(0, +) / Double(inputs.count)
    let variance = inputs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(inputs.count)
    #expect(abs(mean) < 1e-6 && abs(variance - 1) < 1e-5)
  }

  @Test func missingDirectory() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let missing = directory.file("nowhere")
    let error = try dataError { _ = try MNISTLoader.load(.fashionMNIST, directory: missing) }
    #expect(error == .directoryNotFound(.fashionMNIST, directory: missing))
    #expect(error.description.contains(missing))
    #expect(error.description.contains("train-images-idx3-ubyte, train-labels-idx1-ubyte"))
    #expect(error.description.contains("sudo apt-get install dataset-fashion-mnist"))
    #expect(error.description.contains("--data fashion-mnist:DIR"))
  }

  @Test func missingFile() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try writeFixture(in: directory)
    try FileManager.default.removeItem(atPath: directory.file("t10k-labels-idx1-ubyte"))
    let error = try dataError { _ = try MNISTLoader.load(.mnist, directory: directory.path) }
    #expect(error == .fileNotFound(.mnist, directory: directory.path, file: "t10k-labels-idx1-ubyte"))
    #expect(error.description.contains("t10k-labels-idx1-ubyte and t10k-labels-idx1-ubyte.gz"))
    #expect(error.description.contains("--data mnist:DIR"))
  }

  @Test func truncatedImageFile() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try writeFixture(in: directory)
    try directory.write(Array(imageFile(count: 8).dropLast(100)), to: "train-images-idx3-ubyte")
    let error = try dataError { _ = try MNISTLoader.load(.mnist, directory: directory.path) }
    let file = directory.file("train-images-idx3-ubyte")
    #expect(error == .truncatedPayload(file: file, dimensions: [8, 4, 4], expectedBytes: 128, foundBytes: 28))
    #expect(error.description.hasPrefix("\(file) is truncated: the header announces 8×4×4 = 128 bytes of pixels"))
    #expect(error.description.contains("Re-download the file"))
  }

  @Test func truncatedGzippedImageFile() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try writeFixture(in: directory, trainCount: 200)
    try shell("gzip -n '\(directory.file("train-images-idx3-ubyte"))'")
    let gz = try directory.read("train-images-idx3-ubyte.gz")
    try directory.write(Array(gz.prefix(gz.count / 2)), to: "train-images-idx3-ubyte.gz")
    let error = try dataError { _ = try MNISTLoader.load(.mnist, directory: directory.path) }
    guard case .truncatedGzip(let file, _) = error else {
      Issue.record("expected truncatedGzip, got \(error)")
      return
    }
    #expect(file == directory.file("train-images-idx3-ubyte.gz"))
    #expect(error.description.contains("Re-download the file"))
  }

  @Test func wrongMagic() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try writeFixture(in: directory)
    try directory.write(labelFile(count: 4), to: "t10k-images-idx3-ubyte")
    let error = try dataError { _ = try MNISTLoader.load(.mnist, directory: directory.path) }
    #expect(error == .badMagic(file: directory.file("t10k-images-idx3-ubyte"), expected: 0x803, found: 0x801))
    #expect(error.description.contains("t10k-images-idx3-ubyte does not start with the IDX magic number 0x00000803"))
    #expect(error.description.contains("Check that the file is the right one"))
  }

  @Test func imageAndLabelCountMismatch() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try writeFixture(in: directory)
    try directory.write(labelFile(count: 7), to: "train-labels-idx1-ubyte")
    let error = try dataError { _ = try MNISTLoader.load(.mnist, directory: directory.path) }
    #expect(
      error
        == .countMismatch(
          imagesFile: directory.file("train-images-idx3-ubyte"), imageCount: 8,
          labelsFile: directory.file("train-labels-idx1-ubyte"), labelCount: 7))
    #expect(error.description.contains("holds 8 images but"))
    #expect(error.description.contains("train-labels-idx1-ubyte holds 7 labels"))
    #expect(error.description.contains("Use the image and label files of the same release"))
  }

  @Test func corruptGzip() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try writeFixture(in: directory)
    try shell("gzip -n '\(directory.file("train-labels-idx1-ubyte"))'")
    var gz = try directory.read("train-labels-idx1-ubyte.gz")
    gz[gz.count - 8] ^= 0xFF  // CRC-32
    try directory.write(gz, to: "train-labels-idx1-ubyte.gz")
    let error = try dataError { _ = try MNISTLoader.load(.mnist, directory: directory.path) }
    #expect(error == .corruptGzip(file: directory.file("train-labels-idx1-ubyte.gz"), reason: "incorrect data check"))
    #expect(error.description.contains("Re-download the file"))
  }

  @Test func labelOutOfRange() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try writeFixture(in: directory)
    try directory.write(idxBytes(magic: 0x801, dimensions: [4], payload: [1, 2, 10, 3]), to: "t10k-labels-idx1-ubyte")
    let error = try dataError { _ = try MNISTLoader.load(.mnist, directory: directory.path) }
    #expect(error == .labelOutOfRange(file: directory.file("t10k-labels-idx1-ubyte"), index: 2, value: 10, classCount: 10))
  }

  @Test func trainAndTestImageSizesMustAgree() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try writeFixture(in: directory)
    try directory.write(imageFile(count: 4, rows: 5, columns: 5), to: "t10k-images-idx3-ubyte")
    guard case .imageShapeMismatch = try dataError({ _ = try MNISTLoader.load(.mnist, directory: directory.path) }) else {
      Issue.record("expected imageShapeMismatch")
      return
    }
  }
}
