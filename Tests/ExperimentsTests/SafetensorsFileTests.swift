import _TestSupport
import Foundation
import NumericCore
import Testing

@testable import Experiments
import Training

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The bytes of a safetensors file with the given (unpadded) JSON header and data section.
func safetensorsBytes(header: String, data: [UInt8]) -> [UInt8] {
  let json = Array(header.utf8)
  return withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) } + json + data
}

@Suite struct SafetensorsFileTests {
  // MARK: Format

  /// `{"a": F32 [1, 2]}`: 54 bytes of JSON, padded with 2 spaces to 56, so data starts at 64.
  @Test func headerOfATinyFileMatchesTheHandComputedBytes() {
    var file = SafetensorsFile()
    file.add("a", [Float(1), 2], shape: [2])
    let json = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
    #expect(json.utf8.count == 54)
    let expected: [UInt8] =
      [56, 0, 0, 0, 0, 0, 0, 0] + Array(json.utf8) + [0x20, 0x20]
      + [0x00, 0x00, 0x80, 0x3F] + [0x00, 0x00, 0x00, 0x40]  // 1.0f, 2.0f little-endian
    #expect(file.serialized() == expected)
    #expect(file.serializedHeader() == Array(expected.prefix(64)))
  }

  @Test func metadataComesFirstWithSortedKeysAndEscapedStrings() throws {
    var file = SafetensorsFile(metadata: ["z": "last", "a": "say \"hi\"\n\\"])
    file.add("w", [Int64(-1)], shape: [1])
    let header = file.serializedHeader()
    let length = Int(header.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
    #expect(header.count == 8 + length)
    #expect(header.count % 8 == 0)
    let json = String(decoding: header.dropFirst(8), as: UTF8.self)
    #expect(json.hasPrefix(#"{"__metadata__":{"a":"say \"hi\"\n\\","z":"last"},"w":{"dtype":"I64","#))
    let parsed = try JSONSerialization.jsonObject(with: Data(header.dropFirst(8))) as? [String: Any]
    #expect(parsed?["__metadata__"] as? [String: String] == ["z": "last", "a": "say \"hi\"\n\\"])
    let entry = parsed?["w"] as? [String: Any]
    #expect(entry?["dtype"] as? String == "I64")
    #expect(entry?["shape"] as? [Int] == [1])
    #expect(entry?["data_offsets"] as? [Int] == [0, 8])
  }

  @Test(arguments: 0..<16) func dataSectionIsAlignedToEightBytes(nameLength: Int) {
    var file = SafetensorsFile()
    file.add(String(repeating: "x", count: nameLength + 1), [Int32(5)], shape: [1])
    let header = file.serializedHeader()
    #expect(header.count % 8 == 0)
    #expect(header.last == UInt8(ascii: " ") || header.last == UInt8(ascii: "}"))
  }

  // MARK: Round trips

  func roundTrip<Scalar: BLASScalar>(_ type: Scalar.Type) throws {
    try withTemporaryDirectory { directory in
      var file = SafetensorsFile(metadata: ["scalar": Scalar.dtypeSlug, "note": "round trip"])
      let weight = Matrix<Scalar>([[1, -2.5, 3], [.pi, 0, -.infinity]])
      let column = Matrix<Scalar>([[1e-30], [.nan], [-0.0]])
      file.add("z.weight", weight)
      file.add("a.column", column)
      file.add("labels", [Int32(3), -1, .max], shape: [3])
      file.add("steps", [Int64.min, 0, 1, .max], shape: [2, 2])
      file.add("mask", [UInt8(0), 255], shape: [2])
      file.add("empty", Matrix<Scalar>(rows: 0, columns: 4))
      file.add("scalar", Matrix<Scalar>([[2]]), shape: [])
      let url = directory.appendingPathComponent("t.safetensors")
      try file.write(to: url)

      let read = try SafetensorsFile.read(from: url)
      #expect(read == file)
      #expect(read.source == url.path)
      #expect(read.names == ["z.weight", "a.column", "labels", "steps", "mask", "empty", "scalar"])
      #expect(read.metadata == ["scalar": Scalar.dtypeSlug, "note": "round trip"])
      #expect(try read.matrix(named: "z.weight", as: Scalar.self) == weight)
      let readColumn = try read.matrix(named: "a.column", as: Scalar.self, shape: [3, 1])
      // NaN and -0 come back bit for bit.
      #expect(readColumn.storage.withUnsafeBytes { Array($0) } == column.storage.withUnsafeBytes { Array($0) })
      #expect(try read.values(named: "labels", as: Int32.self) == [3, -1, .max])
      #expect(try read.values(named: "steps", as: Int64.self, shape: [2, 2]) == [.min, 0, 1, .max])
      #expect(try read.values(named: "mask", as: UInt8.self) == [0, 255])
      #expect(try read.matrix(named: "empty", as: Scalar.self).shape == (0, 4))
      #expect(try read.matrix(named: "scalar", as: Scalar.self) == Matrix([[2]]))
      #expect(read["z.weight"]?.dtype.rawValue == Scalar.safetensorsDType)
    }
  }

  @Test func roundTripFloat() throws { try roundTrip(Float.self) }
  @Test func roundTripDouble() throws { try roundTrip(Double.self) }

  @Test func vectorsReadAsRowMatrices() throws {
    var file = SafetensorsFile()
    file.add("bias", Matrix<Double>([[1, 2, 3]]), shape: [3])
    let read = try SafetensorsFile(parsing: file.serialized())
    #expect(read["bias"]?.shape == [3])
    #expect(try read.matrix(named: "bias", as: Double.self) == Matrix([[1, 2, 3]]))
  }

  @Test func identicalInputGivesIdenticalBytes() throws {
    try withTemporaryDirectory { directory in
      func make() -> SafetensorsFile {
        var file = SafetensorsFile(metadata: Dictionary(uniqueKeysWithValues: (0..<20).map { ("key\($0)", "value\($0)") }))
        file.add("b", Matrix<Float>(rows: 3, columns: 5, repeating: 0.25))
        file.add("a", [Int64](0..<7), shape: [7])
        return file
      }
      let first = directory.appendingPathComponent("1.safetensors")
      let second = directory.appendingPathComponent("2.safetensors")
      try make().write(to: first)
      try make().write(to: second)
      #expect(try contents(of: first) == contents(of: second))
      #expect(try contents(of: first) == make().serialized())
    }
  }

  // MARK: Accessor errors

  @Test func accessorsCheckNameDTypeAndShape() throws {
    var file = SafetensorsFile()
    file.add("w", Matrix<Float>(rows: 2, columns: 3))
    file.add("cube", [Float](repeating: 0, count: 8), shape: [2, 2, 2])
    let read = try SafetensorsFile(parsing: file.serialized(), source: "mem.safetensors")
    #expect(throws: SafetensorsError.missingTensor(source: "mem.safetensors", name: "v", available: ["w", "cube"])) {
      try read.matrix(named: "v", as: Float.self)
    }
    #expect(throws: SafetensorsError.dtypeMismatch(source: "mem.safetensors", name: "w", expected: .float64, found: .float32)) {
      try read.matrix(named: "w", as: Double.self)
    }
    #expect(throws: SafetensorsError.dtypeMismatch(source: "mem.safetensors", name: "w", expected: .int64, found: .float32)) {
      try read.values(named: "w", as: Int64.self)
    }
    #expect(throws: SafetensorsError.shapeMismatch(source: "mem.safetensors", name: "w", expected: [3, 2], found: [2, 3])) {
      try read.matrix(named: "w", as: Float.self, shape: [3, 2])
    }
    #expect(throws: SafetensorsError.notAMatrix(source: "mem.safetensors", name: "cube", shape: [2, 2, 2])) {
      try read.matrix(named: "cube", as: Float.self)
    }
  }

  // MARK: Corrupt files

  /// A valid two-tensor file: "a" F32 [2] at [0, 8), "b" I32 [1] at [8, 12).
  static let validHeader = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[1],"data_offsets":[8,12]}}"#
  static let validData = [UInt8](repeating: 0, count: 12)

  func parse(_ bytes: [UInt8]) throws -> SafetensorsFile { try SafetensorsFile(parsing: bytes, source: "bad.safetensors") }

  @Test func theHandMadeValidFileParses() throws {
    let file = try parse(safetensorsBytes(header: Self.validHeader, data: Self.validData))
    #expect(file.names == ["a", "b"])
  }

  @Test func aFileShorterThanTheLengthPrefixIsRejected() {
    #expect(throws: SafetensorsError.fileTooShort(source: "bad.safetensors", byteCount: 5)) {
      try parse([1, 2, 3, 4, 5])
    }
  }

  @Test func aHeaderLengthBeyondTheFileIsRejected() {
    var bytes = safetensorsBytes(header: Self.validHeader, data: Self.validData)
    bytes.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(10_000).littleEndian) { Array($0) })
    #expect(throws: SafetensorsError.headerLengthBeyondFile(source: "bad.safetensors", headerLength: 10_000, fileSize: bytes.count)) {
      try parse(bytes)
    }
    bytes.replaceSubrange(0..<8, with: [UInt8](repeating: 0xFF, count: 8))  // would overflow Int
    #expect(throws: SafetensorsError.headerLengthBeyondFile(source: "bad.safetensors", headerLength: .max, fileSize: bytes.count)) {
      try parse(bytes)
    }
  }

  @Test func aTruncatedDataSectionIsRejected() {
    let bytes = safetensorsBytes(header: Self.validHeader, data: Self.validData).dropLast(3)
    #expect(throws: SafetensorsError.offsetsOutOfBounds(source: "bad.safetensors", tensor: "b", end: 12, dataSize: 9)) {
      try parse(Array(bytes))
    }
  }

  @Test func writtenFilesTruncatedAnywhereAreRejected() throws {
    var file = SafetensorsFile(metadata: ["k": "v"])
    file.add("w", Matrix<Double>(rows: 3, columns: 2, repeating: 1))
    let bytes = file.serialized()
    for length in 0..<bytes.count {
      #expect(throws: SafetensorsError.self) { try parse(Array(bytes.prefix(length))) }
    }
  }

  @Test func invalidJSONIsRejected() {
    for header in [#"{"a": "#, "[1, 2]", #"{"a":{"dtype":"F32","shape":[2]}}"#, #"{"__metadata__":{"k":1}}"#] {
      let error = #expect(throws: SafetensorsError.self) { try parse(safetensorsBytes(header: header, data: [])) }
      guard case .invalidHeader(let source, let reason) = error else {
        Issue.record("expected invalidHeader for \(header), got \(String(describing: error))")
        continue
      }
      #expect(source == "bad.safetensors")
      #expect(!reason.isEmpty)
    }
    let error = #expect(throws: SafetensorsError.self) { try parse(safetensorsBytes(header: "", data: []) + [0xFF, 0xFE]) }
    #expect(error != nil)
  }

  @Test func invalidUTF8IsRejected() {
    var bytes = safetensorsBytes(header: "{}  ", data: [])
    bytes[9] = 0xFF
    #expect(throws: SafetensorsError.invalidHeader(source: "bad.safetensors", reason: "the header is not valid UTF-8")) {
      try parse(bytes)
    }
  }

  @Test func offsetsOutOfRangeAreRejected() {
    let beyond = #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#
    #expect(throws: SafetensorsError.offsetsOutOfBounds(source: "bad.safetensors", tensor: "a", end: 16, dataSize: 8)) {
      try parse(safetensorsBytes(header: beyond, data: [UInt8](repeating: 0, count: 8)))
    }
    let reversed = #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#
    #expect(throws: SafetensorsError.invalidOffsets(source: "bad.safetensors", tensor: "a", offsets: [8, 0])) {
      try parse(safetensorsBytes(header: reversed, data: [UInt8](repeating: 0, count: 8)))
    }
    let negative = #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[-4,0]}}"#
    #expect(throws: SafetensorsError.invalidOffsets(source: "bad.safetensors", tensor: "a", offsets: [-4, 0])) {
      try parse(safetensorsBytes(header: negative, data: []))
    }
  }

  @Test func overlapsGapsAndTrailingBytesAreRejected() {
    let overlap = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}"#
    #expect(throws: SafetensorsError.notContiguous(source: "bad.safetensors", tensor: "b", expectedBegin: 8, foundBegin: 4)) {
      try parse(safetensorsBytes(header: overlap, data: [UInt8](repeating: 0, count: 8)))
    }
    let gap = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
    #expect(throws: SafetensorsError.notContiguous(source: "bad.safetensors", tensor: "a", expectedBegin: 0, foundBegin: 4)) {
      try parse(safetensorsBytes(header: gap, data: [UInt8](repeating: 0, count: 8)))
    }
    #expect(throws: SafetensorsError.trailingBytes(source: "bad.safetensors", dataEnd: 12, dataSize: 13)) {
      try parse(safetensorsBytes(header: Self.validHeader, data: Self.validData + [0]))
    }
  }

  @Test func dtypeAndShapeInconsistentWithOffsetsAreRejected() {
    let wrongShape = #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
    #expect(throws: SafetensorsError.sizeMismatch(
      source: "bad.safetensors", tensor: "a", dtype: .float32, shape: [3], expectedBytes: 12, foundBytes: 8)) {
      try parse(safetensorsBytes(header: wrongShape, data: [UInt8](repeating: 0, count: 8)))
    }
    let wrongDType = #"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#
    #expect(throws: SafetensorsError.sizeMismatch(
      source: "bad.safetensors", tensor: "a", dtype: .float64, shape: [2], expectedBytes: 16, foundBytes: 8)) {
      try parse(safetensorsBytes(header: wrongDType, data: [UInt8](repeating: 0, count: 8)))
    }
    let unknown = #"{"a":{"dtype":"F99","shape":[2],"data_offsets":[0,8]}}"#
    #expect(throws: SafetensorsError.unknownDType(source: "bad.safetensors", tensor: "a", dtype: "F99")) {
      try parse(safetensorsBytes(header: unknown, data: [UInt8](repeating: 0, count: 8)))
    }
    let negative = #"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#
    #expect(throws: SafetensorsError.invalidShape(source: "bad.safetensors", tensor: "a", shape: [-2])) {
      try parse(safetensorsBytes(header: negative, data: [UInt8](repeating: 0, count: 8)))
    }
    let huge = #"{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#
    #expect(throws: SafetensorsError.invalidShape(source: "bad.safetensors", tensor: "a", shape: [1 << 32, 1 << 32])) {
      try parse(safetensorsBytes(header: huge, data: [UInt8](repeating: 0, count: 8)))
    }
  }

  @Test func aMissingFileGivesCannotRead() {
    let url = URL(fileURLWithPath: "/nonexistent-featurespeed/x.safetensors")
    #expect(throws: SafetensorsError.cannotRead(source: url.path, reason: SystemErrorCode(ENOENT).description)) {
      try SafetensorsFile.read(from: url)
    }
  }

  @Test func errorMessagesSayWhatWasExpected() {
    let message = SafetensorsError.sizeMismatch(
      source: "w.safetensors", tensor: "layer1.weight", dtype: .float32, shape: [3], expectedBytes: 12, foundBytes: 8
    ).description
    #expect(message.contains("layer1.weight"))
    #expect(message.contains("needs 12 bytes"))
    #expect(message.contains("span 8 bytes"))
    #expect(message.contains("re-create it"))
  }
}
