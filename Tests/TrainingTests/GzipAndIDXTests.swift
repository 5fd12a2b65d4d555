import _TestSupport
import Foundation
import Testing

@testable import Training

/// The MNIST test labels: 4,542 bytes of gzip, 10,008 bytes decompressed.
private let smallGzipPath = RealData.mnistDirectory + "/t10k-labels-idx1-ubyte.gz"

@Suite("Gzip")
struct GzipTests {
  let compressed: [UInt8]

  init() throws {
    compressed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: smallGzipPath)))
  }

  @Test func decompressesARealFile() throws {
    let bytes = try Gzip.decompress(compressed, fileName: "labels.gz")
    #expect(bytes.count == 10_008)
    #expect(Array(bytes[0..<8]) == [0, 0, 8, 1, 0, 0, 0x27, 0x10])  // magic 2049, count 10000
    #expect(Array(bytes[8..<13]) == [7, 2, 1, 0, 4])
  }

  @Test func matchesTheGzipTool() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try shell("gzip -dc '\(smallGzipPath)' > '\(directory.file("labels"))'")
    #expect(try Gzip.decompress(compressed, fileName: "labels.gz") == directory.read("labels"))
  }

  @Test func concatenatedMembersDecompressToTheConcatenation() throws {
    let single = try Gzip.decompress(compressed, fileName: "labels.gz")
    #expect(try Gzip.decompress(compressed + compressed, fileName: "twice.gz") == single + single)
  }

  @Test func truncatedStreamIsAnError() throws {
    let error = try dataError { _ = try Gzip.decompress(Array(compressed.prefix(2000)), fileName: "cut.gz") }
    guard case .truncatedGzip(let file, let decompressed) = error else {
      Issue.record("got \(error)")
      return
    }
    #expect(file == "cut.gz")
    #expect(decompressed > 0 && decompressed < 10_008)
    #expect(error.description.contains("cut.gz is truncated"))
    #expect(error.description.contains("Re-download"))
    #expect(try dataError { _ = try Gzip.decompress([0x1F], fileName: "x") } == .truncatedGzip(file: "x", decompressedBytes: 0))
  }

  @Test func trailingGarbageIsAnError() throws {
    let error = try dataError { _ = try Gzip.decompress(compressed + [0, 1, 2], fileName: "junk.gz") }
    #expect(error == .trailingGzipData(file: "junk.gz", trailingBytes: 3))
  }

  @Test func corruptStreamsAreErrors() throws {
    var badChecksum = compressed
    badChecksum[badChecksum.count - 8] ^= 0xFF  // CRC-32 of the trailer
    let checksumError = try dataError { _ = try Gzip.decompress(badChecksum, fileName: "crc.gz") }
    #expect(checksumError == .corruptGzip(file: "crc.gz", reason: "incorrect data check"))
    #expect(checksumError.description.contains("crc.gz is not a valid gzip file"))

    var badMethod = compressed
    badMethod[2] = 7  // compression method other than deflate
    guard case .corruptGzip = try dataError({ _ = try Gzip.decompress(badMethod, fileName: "m.gz") }) else {
      Issue.record("a bad compression method must be a corrupt-gzip error")
      return
    }
    guard case .corruptGzip = try dataError({ _ = try Gzip.decompress([1, 2, 3, 4], fileName: "n.gz") }) else {
      Issue.record("non-gzip bytes must be a corrupt-gzip error")
      return
    }
  }
}

@Suite("IDX files")
struct IDXFileTests {
  @Test func parsesImagesAndLabels() throws {
    let images = try IDXFile(decoding: imageFile(count: 3, rows: 2, columns: 5), kind: .images, fileName: "i")
    #expect(images.dimensions == [3, 2, 5])
    #expect(images.count == 3 && images.sampleSize == 10 && images.headerSize == 16)
    #expect(images.payload.count == 30)
    #expect(images.payload.first == 11)
    let labels = try IDXFile(decoding: labelFile(count: 12), kind: .labels, fileName: "l")
    #expect(labels.dimensions == [12] && labels.sampleSize == 1)
    #expect(Array(labels.payload) == (0..<12).map { UInt8($0 % 10) })
  }

  @Test func detectsGzipByContentNotByName() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try directory.write([UInt8](try Data(contentsOf: URL(fileURLWithPath: smallGzipPath))), to: "labels.raw")
    let labels = try IDXFile(contentsOfFile: directory.file("labels.raw"), kind: .labels)
    #expect(labels.dimensions == [10_000])
  }

  @Test func wrongMagicIsAnError() throws {
    let error = try dataError { _ = try IDXFile(decoding: labelFile(count: 4), kind: .images, fileName: "swapped") }
    #expect(error == .badMagic(file: "swapped", expected: 0x0000_0803, found: 0x0000_0801))
    #expect(error.description.contains("0x00000803"))
    #expect(error.description.contains("a label file"))
    let notIDX = try dataError { _ = try IDXFile(decoding: Array("hello world!".utf8), kind: .labels, fileName: "t") }
    #expect(notIDX.description.contains("not an IDX file"))
  }

  @Test func truncatedHeaderIsAnError() throws {
    let bytes = Array(imageFile(count: 1).prefix(10))
    let error = try dataError { _ = try IDXFile(decoding: bytes, kind: .images, fileName: "h") }
    #expect(error == .truncatedHeader(file: "h", expectedBytes: 16, foundBytes: 10))
  }

  @Test func truncatedPayloadNamesExpectedAndFoundBytes() throws {
    let bytes = Array(imageFile(count: 3).dropLast(5))
    let error = try dataError { _ = try IDXFile(decoding: bytes, kind: .images, fileName: "train-images-idx3-ubyte") }
    #expect(
      error == .truncatedPayload(file: "train-images-idx3-ubyte", dimensions: [3, 4, 4], expectedBytes: 48, foundBytes: 43))
    #expect(
      error.description
        == "train-images-idx3-ubyte is truncated: the header announces 3×4×4 = 48 bytes of pixels but the file "
        + "holds 43. Re-download the file or point --data at a complete copy.")
  }

  @Test func trailingBytesAreAnError() throws {
    let error = try dataError { _ = try IDXFile(decoding: labelFile(count: 3) + [9], kind: .labels, fileName: "l") }
    #expect(error == .trailingPayload(file: "l", dimensions: [3], expectedBytes: 3, foundBytes: 4))
  }

  @Test func unreadableFileIsAnError() throws {
    let error = try dataError { _ = try IDXFile(contentsOfFile: "/nonexistent/x", kind: .labels) }
    guard case .unreadableFile(let path, _) = error else {
      Issue.record("expected unreadableFile")
      return
    }
    #expect(path == "/nonexistent/x")
  }
}
