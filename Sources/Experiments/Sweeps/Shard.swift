/// One of `count` disjoint parts of a sweep (`--shard index/count`, 0-based like Slurm's
/// `$SLURM_ARRAY_TASK_ID` with `--array=0-(count-1)` and Kubernetes' `$JOB_COMPLETION_INDEX`).
///
/// A cell belongs to shard `mix(fnv1a64(cell.id)) mod count`, where `fnv1a64` is the 64-bit FNV-1a
/// hash of the id's UTF-8 bytes and `mix` the SplitMix64 finalizer (it spreads FNV's weak low
/// bits). So every cell is in exactly one shard, the assignment is the same on every machine and
/// in every process, and it depends only on the cell's id: adding or removing other cells (values
/// in a grid list) never moves a cell to another shard, and a resumed or extended sweep finds its
/// finished cells where they were. The price is balance: shard sizes are only about
/// `cells/count` (a binomial spread), and a shard may even be empty when `count` is close to the
/// number of cells.
public struct SweepShard: Equatable, Sendable, CustomStringConvertible {
  /// 0-based index, `0 ..< count`.
  public let index: Int
  /// Number of shards, ≥ 1.
  public let count: Int

  /// The whole sweep as one shard (`0/1`).
  public static let whole = SweepShard(checkedIndex: 0, count: 1)

  /// Shard `index` of `count`.
  /// - Throws: `SweepShardError.zeroCount` for `count < 1`, `.indexOutOfRange` unless `0 ≤ index < count`.
  public init(index: Int, count: Int) throws {
    guard count >= 1 else { throw SweepShardError.zeroCount(text: "\(index)/\(count)") }
    guard (0..<count).contains(index) else {
      throw SweepShardError.indexOutOfRange(text: "\(index)/\(count)", index: index, count: count)
    }
    self.init(checkedIndex: index, count: count)
  }

  /// Parses `i/n` (spaces around the numbers ignored), e.g. `0/4` … `3/4`.
  /// - Throws: `SweepShardError.malformed` for anything but two whole numbers around `/`,
  ///   `.zeroCount` for `n = 0`, `.indexOutOfRange` for `i ≥ n`.
  public init(parsing text: String) throws {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
      .map { String($0).trimmingWhitespace() }
    guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), index >= 0, count >= 0 else {
      throw SweepShardError.malformed(text: text)
    }
    guard count >= 1 else { throw SweepShardError.zeroCount(text: text) }
    guard index < count else { throw SweepShardError.indexOutOfRange(text: text, index: index, count: count) }
    self.init(checkedIndex: index, count: count)
  }

  private init(checkedIndex index: Int, count: Int) {
    self.index = index
    self.count = count
  }

  /// The shard among `count` that holds the cell with id `id`: `mix(fnv1a64(id)) mod count`.
  public static func index(ofCellID id: String, count: Int) -> Int {
    precondition(count >= 1, "A sweep has at least one shard, got \(count)")
    var z = fnv1a64(id)
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    z ^= z >> 31
    return Int(z % UInt64(count))
  }

  /// Whether `cell` belongs to this shard.
  public func contains(_ cell: SweepCell) -> Bool {
    Self.index(ofCellID: cell.id, count: count) == index
  }

  /// `index/count`, the form `init(parsing:)` reads.
  public var description: String { "\(index)/\(count)" }
}

/// A `--shard` value that is not `i/n` with `0 ≤ i < n`.
public enum SweepShardError: Error, Equatable, CustomStringConvertible {
  /// Not two whole numbers separated by `/`.
  case malformed(text: String)
  /// `n = 0`: there must be at least one shard.
  case zeroCount(text: String)
  /// `i ≥ n` (shard indices are 0-based).
  case indexOutOfRange(text: String, index: Int, count: Int)

  /// The message: where, what was expected, what was found, and how to fix it.
  public var description: String {
    switch self {
    case .malformed(let text):
      "Invalid --shard '\(text)': expected i/n with whole numbers 0 ≤ i < n, e.g. --shard 0/4. "
        + "In a Slurm array job pass --shard ${SLURM_ARRAY_TASK_ID}/N with #SBATCH --array=0-(N-1)."
    case .zeroCount(let text):
      "Invalid --shard '\(text)': the number of shards must be at least 1. Pass e.g. --shard 0/4, or omit "
        + "--shard to run every cell."
    case .indexOutOfRange(let text, let index, let count):
      "Invalid --shard '\(text)': shard indices are 0-based, so with \(count) shard\(count == 1 ? "" : "s") the "
        + "index is 0…\(count - 1), not \(index). In Slurm use #SBATCH --array=0-\(count - 1) "
        + "(not 1-\(count))."
    }
  }
}
