import Foundation
import Testing

@testable import Training

// Writers of the user's data formats, independent of the readers under test: `.npy` bytes by
// the format description, zip archives by the APPNOTE layout (deflate through the `gzip` tool).

/// An `.npy` file: magic, version, header length, the dict literal padded to a multiple of 64, `payload`.
func npyBytes(descr: String, shape: [Int], payload: [UInt8], major: UInt8 = 1, fortranOrder: Bool = false) -> [UInt8] {
  let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
  var header = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
  let lengthSize = major == 1 ? 2 : 4
  let unpadded = 8 + lengthSize + header.utf8.count + 1
  header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
  let length = header.utf8.count
  let lengthBytes = (0..<lengthSize).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
  return [0x93] + Array("NUMPY".utf8) + [major, 0] + lengthBytes + Array(header.utf8) + payload
}

/// An `.npy` file of `values` (little-endian, C order).
func npy<T: BitwiseCopyable>(_ values: [T], descr: String, shape: [Int], major: UInt8 = 1) -> [UInt8] {
  npyBytes(descr: descr, shape: shape, payload: values.withUnsafeBytes { Array($0) }, major: major)
}

/// CRC-32 (IEEE, as zip and gzip use it), bit by bit.
func crc32Reference(_ bytes: [UInt8]) -> UInt32 {
  var crc: UInt32 = 0xFFFF_FFFF
  for byte in bytes {
    crc ^= UInt32(byte)
    for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
  }
  return ~crc
}

/// A zip archive of `members`, stored or deflated (raw deflate cut out of `gzip -n` output).
func zipBytes(_ members: [(name: String, bytes: [UInt8])], deflate: Bool, scratch: TemporaryDirectory) throws -> [UInt8] {
  func le(_ value: Int, _ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
  var archive = [UInt8]()
  var directory = [UInt8]()
  for member in members {
    var data = member.bytes
    if deflate {
      try scratch.write(member.bytes, to: "member")
      try shell("gzip -n -f '\(scratch.file("member"))'")
      let gz = try scratch.read("member.gz")
      data = Array(gz[10..<(gz.count - 8)])
    }
    let crc = Int(crc32Reference(member.bytes))
    let name = Array(member.name.utf8)
    let common = le(20, 2) + le(0, 2) + le(deflate ? 8 : 0, 2) + le(0, 4) + le(crc, 4) + le(data.count, 4)
      + le(member.bytes.count, 4) + le(name.count, 2) + le(0, 2)
    let offset = archive.count
    archive += le(0x0403_4B50, 4) + common + name + data
    directory += le(0x0201_4B50, 4) + le(20, 2) + common + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4)
      + le(offset, 4) + name
  }
  let directoryOffset = archive.count
  archive += directory
  archive += le(0x0605_4B50, 4) + le(0, 4) + le(members.count, 2) + le(members.count, 2) + le(directory.count, 4)
    + le(directoryOffset, 4) + le(0, 2)
  return archive
}

/// Options for loading a user's file: seed 0, classification unless `task` says otherwise.
func fileOptions(task: DataTask = .classification, seed: UInt64 = 0, heldOut: Int? = nil) -> DataLoadOptions {
  DataLoadOptions(seed: seed, task: task, heldOutCount: heldOut)
}

/// Writes `text` to `name` in `directory` and loads it as `--data csv:PATH<suffix>`.
func loadCSV(
  _ text: String, suffix: String = "", in directory: TemporaryDirectory, options: DataLoadOptions = fileOptions()
) throws -> LoadedData {
  try directory.write(Array(text.utf8), to: "data.csv")
  return try DataSource(parsing: "csv:" + directory.file("data.csv") + suffix).load(options: options)
}
