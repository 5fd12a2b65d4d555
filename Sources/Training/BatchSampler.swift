import NumericCore

/// Seeded mini-batches of sample indices: each epoch is a fresh Fisher–Yates shuffle of
/// `0..<count`, cut into consecutive batches of `batchSize`; the incomplete last batch is dropped.
///
/// The shuffles come from `SeededGenerator(seed: seed, stream: "shuffle")`, so one seed gives one
/// sequence of batches on every run. Each epoch reshuffles the previous permutation in place.
public struct BatchSampler: Sendable {
  /// Number of samples to draw from.
  public let count: Int
  /// Samples per batch.
  public let batchSize: Int
  /// Index of the current epoch, from 0; it advances when a batch no longer fits in the current one.
  public private(set) var epoch: Int = 0
  /// Samples of the current epoch already returned (a multiple of `batchSize`).
  public private(set) var position: Int = 0
  /// The permutation of the current epoch.
  private var permutation: [Int]
  private var generator: SeededGenerator

  /// A sampler over `count` samples; the first epoch is shuffled at once.
  /// - Throws: `DataError.invalidBatchSize` if `batchSize < 1`, `.batchLargerThanDataset` if
  ///   `batchSize > count`.
  public init(count: Int, batchSize: Int, seed: UInt64) throws {
    guard batchSize >= 1 else { throw DataError.invalidBatchSize(batchSize) }
    guard batchSize <= count else { throw DataError.batchLargerThanDataset(batchSize: batchSize, count: count) }
    self.count = count
    self.batchSize = batchSize
    permutation = Array(0..<count)
    generator = SeededGenerator(seed: seed, stream: "shuffle")
    shuffle()
  }

  /// Full batches per epoch, `⌊count / batchSize⌋`.
  public var batchesPerEpoch: Int { count / batchSize }

  /// The next `batchSize` sample indices, starting a new (reshuffled) epoch when the current one
  /// has no full batch left.
  ///
  /// The slice shares the sampler's storage and does not allocate; release it before the next call
  /// (as a loop body does), or the reshuffle at the next epoch copies the permutation.
  public mutating func nextBatch() -> ArraySlice<Int> {
    if position + batchSize > count {
      epoch += 1
      position = 0
      shuffle()
    }
    defer { position += batchSize }
    return permutation[position..<(position + batchSize)]
  }

  /// Fisher–Yates: every permutation equally likely.
  private mutating func shuffle() {
    var i = count - 1
    while i > 0 {
      permutation.swapAt(i, generator.nextIndex(below: i + 1))
      i -= 1
    }
  }
}
