import Foundation
import Testing

@testable import Experiments

@Suite struct SweepShardTests {
  private func transferSweep() throws -> SweepConfig {
    try SweepConfig.load(from: sweepPackageRoot.appendingPathComponent("examples/lr-transfer.yaml"))
  }

  @Test(arguments: [1, 2, 3, 7])
  func shardsPartitionTheCells(count: Int) throws {
    let config = try transferSweep()
    let shards = try (0..<count).map { try SweepShard(index: $0, count: count) }
    var seen = [String: Int]()
    for shard in shards {
      let cells = config.cells(in: shard)
      #expect(cells.map(\.index) == cells.map(\.index).sorted(), "a shard keeps the expansion order")
      for cell in cells {
        #expect(seen[cell.id] == nil, "\(cell.id) is in shards \(seen[cell.id] ?? -1) and \(shard.index)")
        seen[cell.id] = shard.index
      }
    }
    #expect(seen.count == config.cells.count)
    for cell in config.cells {
      #expect(shards.filter { $0.contains(cell) }.count == 1)
    }
  }

  @Test func shardsAreRoughlyBalanced() throws {
    let cells = try transferSweep().cells
    for count in [2, 3, 7] {
      let sizes = try (0..<count).map { try transferSweep().cells(in: SweepShard(index: $0, count: count)).count }
      let mean = Double(cells.count) / Double(count)
      // A binomial spread: within 3.5 standard deviations of the mean.
      let sd = (mean * (1 - 1 / Double(count))).squareRoot()
      for size in sizes { #expect(abs(Double(size) - mean) <= 3.5 * sd, "\(count) shards: \(sizes)") }
    }
  }

  @Test func aCellKeepsItsShardWhenOtherCellsAreAdded() throws {
    let small = try SweepConfig.parse(yaml: "name: s\ngrid:\n  width: [128, 512]\n  seed: [0, 1]\n", source: "s")
    let large = try SweepConfig.parse(
      yaml: "name: s\ngrid:\n  width: [64, 128, 256, 512, 1024]\n  seed: [0, 1, 2, 3]\n", source: "s")
    for count in [2, 3, 7] {
      for index in 0..<count {
        let shard = try SweepShard(index: index, count: count)
        let before = Set(small.cells(in: shard).map(\.id))
        let after = Set(large.cells(in: shard).map(\.id))
        #expect(before.isSubset(of: after), "shard \(shard)")
        #expect(after.intersection(small.cells.map(\.id)) == before)
      }
    }
  }

  @Test func theAssignmentIsPinned() {
    // The shard of an id must never change between versions: running shards of one sweep with two
    // builds would otherwise run some cells twice and others never.
    let pinned = ["a", "width=128_preset=sp_learning-rate=0.01_seed=0", "seed=0", "seed=1", "seed=2", "seed=3"]
      .map { SweepShard.index(ofCellID: $0, count: 7) }
    #expect(pinned == pinnedShardIndices)
  }

  @Test func theWholeSweepIsOneShard() throws {
    let config = try transferSweep()
    #expect(config.cells(in: .whole) == config.cells)
    #expect(SweepShard.whole == (try SweepShard(parsing: "0/1")))
  }

  @Test(arguments: [("0/4", 0, 4), ("3/4", 3, 4), (" 2 / 8 ", 2, 8), ("0/1", 0, 1)])
  func shardsParse(text: String, index: Int, count: Int) throws {
    let shard = try SweepShard(parsing: text)
    #expect(shard.index == index && shard.count == count)
    #expect(shard.description == "\(index)/\(count)")
    #expect(try SweepShard(parsing: shard.description) == shard)
  }

  @Test(arguments: [
    ("4/4", SweepShardError.indexOutOfRange(text: "4/4", index: 4, count: 4), "#SBATCH --array=0-3"),
    ("0/0", .zeroCount(text: "0/0"), "at least 1"),
    ("a/b", .malformed(text: "a/b"), "--shard 0/4"),
    ("-1/4", .malformed(text: "-1/4"), "0 ≤ i < n"),
    ("1/4/2", .malformed(text: "1/4/2"), "SLURM_ARRAY_TASK_ID"),
    ("3", .malformed(text: "3"), "i/n"),
    ("", .malformed(text: ""), "i/n"),
    ("1.5/4", .malformed(text: "1.5/4"), "i/n"),
  ])
  func badShardsAreRejected(text: String, error: SweepShardError, hint: String) {
    #expect(throws: error) { try SweepShard(parsing: text) }
    #expect(error.description.contains("'\(text)'"))
    #expect(error.description.contains(hint), "\(error)")
  }

  @Test func theMemberwiseInitializerChecksItsRange() {
    #expect(throws: SweepShardError.indexOutOfRange(text: "5/3", index: 5, count: 3)) {
      try SweepShard(index: 5, count: 3)
    }
    #expect(throws: SweepShardError.zeroCount(text: "0/0")) { try SweepShard(index: 0, count: 0) }
  }
}

/// `SweepShard.index(ofCellID:count: 7)` of the ids in `theAssignmentIsPinned`, recorded once.
private let pinnedShardIndices = [3, 5, 1, 1, 2, 2]
