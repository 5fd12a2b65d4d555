import Foundation

/// Runs `body` with a fresh, uniquely named directory under the system temporary directory and
/// deletes it afterwards (tests run in parallel, so every test gets its own).
public func withTemporaryDirectory<Result>(_ body: (URL) throws -> Result) throws -> Result {
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("featurespeed-tests-\(UUID().uuidString)", isDirectory: true)
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: url) }
  return try body(url)
}

/// The bytes of the file at `url`.
public func contents(of url: URL) throws -> [UInt8] {
  [UInt8](try Data(contentsOf: url))
}

/// The names in `directory`, sorted.
public func fileNames(in directory: URL) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
}

// MARK: IDX fixtures (MNIST file format)

/// An IDX file: big-endian magic and dimensions, then `payload`.
public func idxBytes(magic: UInt32, dimensions: [Int], payload: [UInt8]) -> [UInt8] {
  func bigEndian(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
  return bigEndian(magic) + dimensions.flatMap { bigEndian(UInt32($0)) } + payload
}

/// A small MNIST-style image file: `count` images of `rows × columns` with varied pixels.
public func imageFile(count: Int, rows: Int = 4, columns: Int = 4, offset: Int = 0) -> [UInt8] {
  let payload = (0..<(count * rows * columns)).map { UInt8(truncatingIfNeeded: ($0 + offset) * 37 + 11) }
  return idxBytes(magic: 0x0000_0803, dimensions: [count, rows, columns], payload: payload)
}

/// A label file with labels `i % 10`.
public func labelFile(count: Int) -> [UInt8] {
  idxBytes(magic: 0x0000_0801, dimensions: [count], payload: (0..<count).map { UInt8($0 % 10) })
}

/// Writes the four raw files of a tiny MNIST-style data set (`trainCount` train and `testCount`
/// test images of 4×4) into `directory`.
public func writeIDXFixture(inDirectory directory: String, trainCount: Int = 8, testCount: Int = 4) throws {
  func write(_ bytes: [UInt8], _ name: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
  }
  try write(imageFile(count: trainCount), "train-images-idx3-ubyte")
  try write(labelFile(count: trainCount), "train-labels-idx1-ubyte")
  try write(imageFile(count: testCount, offset: 5), "t10k-images-idx3-ubyte")
  try write(labelFile(count: testCount), "t10k-labels-idx1-ubyte")
}
