/// Why a safetensors file could not be read, or a tensor in it is not what the caller expects.
///
/// `source` is the file's path (or a label such as `"<memory>"` for parsed bytes).
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
  /// The file could not be opened or read.
  case cannotRead(source: String, reason: String)
  /// Fewer than the 8 bytes of the header-length prefix.
  case fileTooShort(source: String, byteCount: Int)
  /// The header-length prefix points past the end of the file.
  case headerLengthBeyondFile(source: String, headerLength: UInt64, fileSize: Int)
  /// The header is not UTF-8 JSON of the expected structure.
  case invalidHeader(source: String, reason: String)
  /// A tensor has a dtype this format does not define.
  case unknownDType(source: String, tensor: String, dtype: String)
  /// A tensor's `data_offsets` are not `[begin, end]` with `0 ≤ begin ≤ end`.
  case invalidOffsets(source: String, tensor: String, offsets: [Int])
  /// A tensor's shape has a negative dimension or an element count that overflows.
  case invalidShape(source: String, tensor: String, shape: [Int])
  /// A tensor's byte range does not match `shape × dtype size`.
  case sizeMismatch(source: String, tensor: String, dtype: SafetensorsDType, shape: [Int], expectedBytes: Int, foundBytes: Int)
  /// Tensors overlap or leave a gap: sorted by offset, each must begin where the previous ends.
  case notContiguous(source: String, tensor: String, expectedBegin: Int, foundBegin: Int)
  /// A tensor ends past the data section.
  case offsetsOutOfBounds(source: String, tensor: String, end: Int, dataSize: Int)
  /// The data section has bytes after the last tensor.
  case trailingBytes(source: String, dataEnd: Int, dataSize: Int)
  /// The caller asked for a tensor the file does not contain.
  case missingTensor(source: String, name: String, available: [String])
  /// The tensor's dtype is not the one asked for.
  case dtypeMismatch(source: String, name: String, expected: SafetensorsDType, found: SafetensorsDType)
  /// The tensor's shape is not the one asked for.
  case shapeMismatch(source: String, name: String, expected: [Int], found: [Int])
  /// A tensor asked for as a matrix has more than 2 dimensions.
  case notAMatrix(source: String, name: String, shape: [Int])
  /// The file holds tensors that the expected structure (e.g. a network) has no place for.
  case unexpectedTensors(source: String, names: [String])
  /// The tensors of a weights file, mapped in order onto the network's units, do not fit:
  /// `expected` and `found` list one tensor per line (name and shape), in forward order.
  case layoutMismatch(source: String, reason: String, expected: [String], found: [String])

  /// What was expected, what was found, and how to fix it.
  public var description: String {
    let corrupt = "The file is truncated or not a safetensors file; re-create it or point to the right file."
    switch self {
    case .cannotRead(let source, let reason):
      return "Cannot read \(source): \(reason). Check the path and its permissions."
    case .fileTooShort(let source, let byteCount):
      return "\(source) has \(byteCount) bytes, fewer than the 8-byte header length of a safetensors file. \(corrupt)"
    case .headerLengthBeyondFile(let source, let headerLength, let fileSize):
      return "\(source) declares a \(headerLength)-byte JSON header, but the file has only \(fileSize) bytes "
        + "(8 + header expected at most \(fileSize)). \(corrupt)"
    case .invalidHeader(let source, let reason):
      return "The header of \(source) is not a valid safetensors JSON header: \(reason). "
        + "Expected {\"<name>\": {\"dtype\": \"F32\", \"shape\": [...], \"data_offsets\": [begin, end]}, ...}. \(corrupt)"
    case .unknownDType(let source, let tensor, let dtype):
      return "Tensor '\(tensor)' in \(source) has unknown dtype '\(dtype)'. "
        + "Expected one of: \(SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", "))."
    case .invalidOffsets(let source, let tensor, let offsets):
      return "Tensor '\(tensor)' in \(source) has data_offsets \(offsets); expected [begin, end] with 0 ≤ begin ≤ end. \(corrupt)"
    case .invalidShape(let source, let tensor, let shape):
      return "Tensor '\(tensor)' in \(source) has shape \(shape); expected non-negative dimensions. \(corrupt)"
    case .sizeMismatch(let source, let tensor, let dtype, let shape, let expectedBytes, let foundBytes):
      return "Tensor '\(tensor)' in \(source) is \(dtype.rawValue) with shape \(shape), which needs \(expectedBytes) bytes, "
        + "but its data_offsets span \(foundBytes) bytes. \(corrupt)"
    case .notContiguous(let source, let tensor, let expectedBegin, let foundBegin):
      return "Tensor '\(tensor)' in \(source) begins at data offset \(foundBegin), expected \(expectedBegin): "
        + "tensors must be stored back to back without overlaps or gaps. \(corrupt)"
    case .offsetsOutOfBounds(let source, let tensor, let end, let dataSize):
      return "Tensor '\(tensor)' in \(source) ends at data offset \(end), past the \(dataSize)-byte data section. \(corrupt)"
    case .trailingBytes(let source, let dataEnd, let dataSize):
      return "\(source) has \(dataSize - dataEnd) bytes after its last tensor (tensors end at \(dataEnd) of \(dataSize)). \(corrupt)"
    case .missingTensor(let source, let name, let available):
      let list = available.isEmpty ? "none" : available.joined(separator: ", ")
      return "\(source) has no tensor '\(name)'. Available: \(list). "
        + "Check that the file was saved from the same architecture (depth, branch matrices)."
    case .dtypeMismatch(let source, let name, let expected, let found):
      return "Tensor '\(name)' in \(source) is \(found.rawValue), expected \(expected.rawValue). "
        + "Load it with the matching precision (F32 = float32, F64 = float64)."
    case .shapeMismatch(let source, let name, let expected, let found):
      return "Tensor '\(name)' in \(source) has shape \(found), expected \(expected). "
        + "Check that the file was saved from the same architecture (widths, input and output dimensions)."
    case .notAMatrix(let source, let name, let shape):
      return "Tensor '\(name)' in \(source) has shape \(shape); a matrix needs at most 2 dimensions. "
        + "Read it with values(named:as:) instead."
    case .layoutMismatch(let source, let reason, let expected, let found):
      return "\(source) does not fit the network: \(reason).\n  expected (network, forward order): "
        + expected.joined(separator: "; ") + "\n  found (file, natural name order): "
        + (found.isEmpty ? "none" : found.joined(separator: "; "))
        + "\nMatch --arch, --width, --depth, --bias and the data's input and output dimensions to the saved model."
    case .unexpectedTensors(let source, let names):
      return "\(source) holds tensors the network has no place for: \(names.joined(separator: ", ")). "
        + "Check that the file was saved from the same architecture (depth, branch matrices)."
    }
  }
}
