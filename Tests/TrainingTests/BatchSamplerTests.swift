import Testing

@testable import Training

@Suite("Batch sampler")
struct BatchSamplerTests {
  @Test func everyIndexAppearsOncePerEpoch() throws {
    var sampler = try BatchSampler(count: 12, batchSize: 3, seed: 1)
    #expect(sampler.batchesPerEpoch == 4)
    var epochs: [[Int]] = []
    for epoch in 0..<3 {
      var seen: [Int] = []
      for batch in 0..<4 {
        let indices = sampler.nextBatch()
        #expect(indices.count == 3)
        #expect(sampler.epoch == epoch && sampler.position == 3 * (batch + 1))
        seen += indices
      }
      #expect(seen.sorted() == Array(0..<12))
      epochs.append(seen)
    }
    #expect(epochs[0] != epochs[1] && epochs[1] != epochs[2], "each epoch is reshuffled")
    #expect(epochs[0] != Array(0..<12), "the first epoch is shuffled too")
  }

  @Test func incompleteLastBatchIsDropped() throws {
    var sampler = try BatchSampler(count: 10, batchSize: 4, seed: 2)
    #expect(sampler.batchesPerEpoch == 2)
    let first = Array(sampler.nextBatch()) + Array(sampler.nextBatch())
    #expect(Set(first).count == 8 && sampler.epoch == 0)
    _ = sampler.nextBatch()
    #expect(sampler.epoch == 1 && sampler.position == 4)
  }

  @Test func sameSeedSameSequence() throws {
    var a = try BatchSampler(count: 50, batchSize: 7, seed: 3)
    var b = try BatchSampler(count: 50, batchSize: 7, seed: 3)
    var c = try BatchSampler(count: 50, batchSize: 7, seed: 4)
    var sequenceA: [Int] = [], sequenceB: [Int] = [], sequenceC: [Int] = []
    for _ in 0..<20 {
      sequenceA += a.nextBatch()
      sequenceB += b.nextBatch()
      sequenceC += c.nextBatch()
    }
    #expect(sequenceA == sequenceB)
    #expect(sequenceA != sequenceC)
  }

  @Test func batchEqualToCountIsAllowed() throws {
    var sampler = try BatchSampler(count: 5, batchSize: 5, seed: 0)
    #expect(Array(sampler.nextBatch()).sorted() == [0, 1, 2, 3, 4])
    #expect(Array(sampler.nextBatch()).sorted() == [0, 1, 2, 3, 4] && sampler.epoch == 1)
  }

  @Test func batchLargerThanCountIsAnError() throws {
    let error = try dataError { _ = try BatchSampler(count: 10, batchSize: 32, seed: 0) }
    #expect(error == .batchLargerThanDataset(batchSize: 32, count: 10))
    #expect(error.description.contains("Use a batch size of at most 10"))
    #expect(try dataError { _ = try BatchSampler(count: 10, batchSize: 0, seed: 0) } == .invalidBatchSize(0))
  }
}
