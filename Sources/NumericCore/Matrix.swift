/// A dense row-major matrix of `rows × columns` scalars (theory §1: a batch of `n` samples at a
/// layer of width `d` is an `n × d` matrix; weights are `[fanOut, fanIn]`).
///
/// A value type over one contiguous array, so it is `Sendable` and copies are cheap until one side
/// is mutated (copy-on-write). Hot paths mutate preallocated matrices in place through the
/// `inout` operations of `Matrix+BLAS.swift`, which never allocate when the storage is uniquely
/// referenced. Vectors are `1 × n` matrices.
public struct Matrix<Scalar: BLASScalar>: Sendable, Equatable {
  /// Number of rows (batch size for activations, `fanOut` for weights).
  public internal(set) var rows: Int
  /// Number of columns (feature width for activations, `fanIn` for weights).
  public internal(set) var columns: Int
  /// The `rows · columns` entries in row-major order: entry `(i, j)` is `storage[i * columns + j]`.
  public internal(set) var storage: [Scalar]

  /// A `rows × columns` matrix filled with `value`.
  public init(rows: Int, columns: Int, repeating value: Scalar = 0) {
    precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)×\(columns)")
    self.rows = rows
    self.columns = columns
    self.storage = Array(repeating: value, count: rows * columns)
  }

  /// A `rows × columns` matrix over `storage` (row-major, exactly `rows · columns` entries).
  public init(rows: Int, columns: Int, storage: [Scalar]) {
    precondition(
      storage.count == rows * columns,
      "Matrix storage has \(storage.count) entries, expected \(rows)×\(columns) = \(rows * columns)")
    self.rows = rows
    self.columns = columns
    self.storage = storage
  }

  /// A matrix from nested rows (tests and small examples). All rows must have the same length.
  public init(_ nestedRows: [[Scalar]]) {
    let columns = nestedRows.first?.count ?? 0
    precondition(nestedRows.allSatisfy { $0.count == columns }, "Rows of unequal length")
    self.init(rows: nestedRows.count, columns: columns, storage: nestedRows.flatMap { $0 })
  }

  /// Number of entries, `rows · columns` (the `N` of theory §1 for an activation matrix).
  @inlinable public var count: Int { rows * columns }

  /// `(rows, columns)`, for shape checks and messages.
  @inlinable public var shape: (rows: Int, columns: Int) { (rows, columns) }

  /// Entry `(row, column)`. Convenient for tests and setup code; hot paths use buffer kernels.
  public subscript(row: Int, column: Int) -> Scalar {
    get {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Index (\(row), \(column)) outside \(rows)×\(columns)")
      return storage[row * columns + column]
    }
    set {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Index (\(row), \(column)) outside \(rows)×\(columns)")
      storage[row * columns + column] = newValue
    }
  }

  /// Calls `body` with a pointer to the row-major entries.
  public func withUnsafeBufferPointer<R>(
    _ body: (UnsafeBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try storage.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with a mutable pointer to the row-major entries (no copy when unique).
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try storage.withUnsafeMutableBufferPointer(body)
  }

  /// Changes the shape, reusing the storage when the entry count is unchanged. New entries are 0.
  public mutating func reshape(rows newRows: Int, columns newColumns: Int) {
    precondition(newRows >= 0 && newColumns >= 0, "Matrix shape must be non-negative")
    if newRows * newColumns != storage.count {
      storage = Array(repeating: 0, count: newRows * newColumns)
    }
    rows = newRows
    columns = newColumns
  }

  /// Sets every entry to `value` without reallocating.
  public mutating func fill(with value: Scalar) {
    storage.withUnsafeMutableBufferPointer { $0.update(repeating: value) }
  }

  /// Copies the entries of `source`, which must have the same shape, without reallocating.
  public mutating func copy(from source: Matrix) {
    precondition(
      source.rows == rows && source.columns == columns,
      "copy: source is \(source.rows)×\(source.columns), destination \(rows)×\(columns)")
    source.storage.withUnsafeBufferPointer { src in
      storage.withUnsafeMutableBufferPointer { dst in
        guard let s = src.baseAddress, let d = dst.baseAddress else { return }
        d.update(from: s, count: src.count)
      }
    }
  }

  /// Copies rows `range` of `source` into rows `destination..<destination + range.count` of `self`.
  public mutating func copyRows(_ range: Range<Int>, of source: Matrix, toRow destination: Int) {
    precondition(source.columns == columns && range.lowerBound >= 0 && range.upperBound <= source.rows
      && destination >= 0 && destination + range.count <= rows, "copyRows: rows \(range) of \(source.rows)×\(source.columns) to row \(destination) of \(rows)×\(columns)")
    let c = columns
    source.storage.withUnsafeBufferPointer { src in
      storage.withUnsafeMutableBufferPointer { dst in
        guard range.count > 0, c > 0 else { return }
        (dst.baseAddress! + destination * c).update(from: src.baseAddress! + range.lowerBound * c, count: range.count * c)
      }
    }
  }

  /// Copies rows `range` of `source` into rows `0..<range.count` of `self` (same column count).
  public mutating func copyRows(_ range: Range<Int>, of source: Matrix) {
    precondition(source.columns == columns && range.lowerBound >= 0 && range.upperBound <= source.rows
      && range.count <= rows, "copyRows: rows \(range) of a \(source.rows)×\(source.columns) matrix into \(rows)×\(columns)")
    source.storage.withUnsafeBufferPointer { src in
      storage.withUnsafeMutableBufferPointer { dst in
        guard range.count > 0, columns > 0 else { return }
        dst.baseAddress!.update(from: src.baseAddress! + range.lowerBound * columns, count: range.count * columns)
      }
    }
  }

  /// The transpose, `columns × rows` (allocates; not for hot paths).
  public func transposed() -> Matrix {
    var result = Matrix(rows: columns, columns: rows)
    for i in 0..<rows { for j in 0..<columns { result.storage[j * rows + i] = storage[i * columns + j] } }
    return result
  }

  /// Row `i` as a new array (allocates; not for hot paths).
  public func row(_ i: Int) -> [Scalar] { Array(storage[(i * columns)..<((i + 1) * columns)]) }
}

extension Matrix: CustomStringConvertible {
  /// A short description with the shape and, for small matrices, the entries.
  public var description: String {
    if count > 64 { return "Matrix<\(Scalar.self)>(\(rows)×\(columns))" }
    let body = (0..<rows).map { i in row(i).map { "\($0)" }.joined(separator: ", ") }
    return "Matrix<\(Scalar.self)>(\(rows)×\(columns))[\(body.joined(separator: "; "))]"
  }
}
