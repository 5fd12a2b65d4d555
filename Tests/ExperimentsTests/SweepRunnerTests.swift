import Foundation
import Testing
import _TestSupport
@testable import Experiments

/// The sweep runner: resumable after an interruption, never redoing finished cells, and
/// deterministic, so that shards merge into exactly the files of one unsharded run.
@Suite struct SweepRunnerTests {
  static func jobs(steps: Int = 3) -> [SweepCell] {
    var jobs = [SweepCell]()
    for width in [8, 12] {
      for seed in [UInt64(0), 1] {
        var r = RunRequest()
        r.width = width
        r.depth = 3
        r.seed = seed
        r.steps = steps
        r.measureEvery = 1
        r.inputDimension = 6
        r.outputDimension = 3
        r.trainSize = 64
        r.testSize = 16
        r.batchSize = 8
        let id = "width=\(width)_seed=\(seed)"
        r.name = id
        jobs.append(SweepCell(index: jobs.count, values: [.init(key: "width", value: "\(width)"), .init(key: "seed", value: "\(seed)")], request: r, id: id))
      }
    }
    return jobs
  }

  static func manifest(_ jobs: [SweepCell], in directory: URL) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try JSONFile.write(SweepManifest(name: "test", keys: ["width", "seed"], cells: jobs), to: SweepManifest.url(in: directory))
  }

  static func modificationDate(_ url: URL) throws -> Date {
    try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date)
  }

  @Test("A killed or missing cell is rerun, finished cells are not, and the result equals an uninterrupted sweep")
  func resume() throws {
    try withTemporaryDirectory { tmp in
      let jobs = Self.jobs()
      let reference = tmp.appendingPathComponent("reference"), resumed = tmp.appendingPathComponent("resumed")
      for directory in [reference, resumed] {
        try Self.manifest(jobs, in: directory)
        let progress = try SweepRunner(directory: directory, jobs: jobs, cores: 2).run()
        #expect(progress.done == 4 && progress.skipped == 0)
      }
      // Simulate a SIGKILL in the middle of cell 2 (status running, truncated CSV) and before cell 3.
      let killed = SweepRunner.cellDirectory(jobs[2].id, in: resumed)
      var config = try JSONFile.read(RunConfiguration.self, from: killed.appendingPathComponent("config.json"))
      config.status = "running"
      try JSONFile.write(config, to: killed.appendingPathComponent("config.json"))
      try Data("run,step,layer,quantity,value\nwidth=12_seed=0,0,1,feat".utf8).write(to: killed.appendingPathComponent("measurements.csv"))
      try FileManager.default.removeItem(at: SweepRunner.cellDirectory(jobs[3].id, in: resumed))
      let untouched = try (0..<2).map { try Self.modificationDate(SweepRunner.cellDirectory(jobs[$0].id, in: resumed).appendingPathComponent("config.json")) }

      let progress = try SweepRunner(directory: resumed, jobs: jobs, cores: 2).run()
      #expect(progress.skipped == 2 && progress.done == 2)
      #expect(try (0..<2).map { try Self.modificationDate(SweepRunner.cellDirectory(jobs[$0].id, in: resumed).appendingPathComponent("config.json")) } == untouched)
      let again = try SweepRunner(directory: resumed, jobs: jobs, cores: 2).run()
      #expect(again.total == 0 && again.skipped == 4)

      try SweepMerge.merge(directory: reference)
      try SweepMerge.merge(directory: resumed)
      for file in ["sweep.csv", "sweep-metrics.csv", "cells.csv"] {
        #expect(try contents(of: reference.appendingPathComponent(file)) == contents(of: resumed.appendingPathComponent(file)), "\(file)")
      }
    }
  }

  @Test("A sweep directory moved elsewhere resumes: its finished cells are not run again")
  func aMovedSweepResumes() throws {
    try withTemporaryDirectory { tmp in
      let jobs = Self.jobs()
      let first = tmp.appendingPathComponent("first"), moved = tmp.appendingPathComponent("moved")
      try Self.manifest(jobs, in: first)
      _ = try SweepRunner(directory: first, jobs: jobs, cores: 1).run()
      try FileManager.default.moveItem(at: first, to: moved)
      let progress = try SweepRunner(directory: moved, jobs: jobs, cores: 1).run()
      #expect(progress.total == 0 && progress.skipped == jobs.count)
    }
  }

  @Test("Cells run in two halves (shards) merge into the files of the whole sweep")
  func shardsMergeToTheWhole() throws {
    try withTemporaryDirectory { tmp in
      let jobs = Self.jobs()
      let whole = tmp.appendingPathComponent("whole"), sharded = tmp.appendingPathComponent("sharded")
      try Self.manifest(jobs, in: whole)
      _ = try SweepRunner(directory: whole, jobs: jobs, cores: 1).run()
      try Self.manifest(jobs, in: sharded)
      _ = try SweepRunner(directory: sharded, jobs: [jobs[0], jobs[3]], cores: 2).run()
      #expect(throws: SweepError.self) { try SweepMerge.merge(directory: sharded) }
      _ = try SweepRunner(directory: sharded, jobs: [jobs[1], jobs[2]], cores: 1).run()
      try SweepMerge.merge(directory: whole)
      let summary = try SweepMerge.merge(directory: sharded)
      #expect(summary.completed == 4 && summary.pending.isEmpty)
      for file in ["sweep.csv", "sweep-metrics.csv", "cells.csv"] {
        #expect(try contents(of: whole.appendingPathComponent(file)) == contents(of: sharded.appendingPathComponent(file)), "\(file)")
      }
      let header = String(decoding: try contents(of: whole.appendingPathComponent("sweep.csv")), as: UTF8.self).split(separator: "\n")[0]
      #expect(header == "cell,width,seed,step,layer,quantity,value")
    }
  }

  @Test("A finished cell whose settings changed is run again; a diverged cell is a result")
  func changedSettingsAndDivergence() throws {
    try withTemporaryDirectory { tmp in
      var jobs = Array(Self.jobs().prefix(2))
      _ = try SweepRunner(directory: tmp, jobs: jobs, cores: 1).run()
      jobs[1].request.steps = 4
      jobs[0].request.learningRate = 1e9  // diverges
      let progress = try SweepRunner(directory: tmp, jobs: jobs, cores: 1).run()
      #expect(progress.done == 2 && progress.diverged == 1)
      #expect(SweepCellStatus.of(SweepRunner.cellDirectory(jobs[0].id, in: tmp)) == .diverged)
      let rerun = try SweepRunner(directory: tmp, jobs: jobs, cores: 1).run()
      #expect(rerun.total == 0)
    }
  }

  @Test("Parallel cells never oversubscribe the cores")
  func parallelism() {
    let small = Self.jobs()
    let runner = SweepRunner(directory: URL(fileURLWithPath: "/tmp"), jobs: small, cores: 2)
    #expect(runner.parallelism == 2 && runner.threadsPerCell == 1)
    var big = small
    for i in big.indices { big[i].request.width = 2048; big[i].request.batchSize = 256 }
    let bigRunner = SweepRunner(directory: URL(fileURLWithPath: "/tmp"), jobs: big, cores: 2)
    #expect(bigRunner.parallelism == 1 && bigRunner.threadsPerCell == 2)
    let forced = SweepRunner(directory: URL(fileURLWithPath: "/tmp"), jobs: small, cores: 2, parallelism: 8)
    #expect(forced.parallelism * forced.threadsPerCell <= 2)
  }

  /// The ETA weighs steps by their cell's cost: after the cheap cells of a sweep are done, the
  /// expensive cell still to run is not estimated at the cheap cells' speed ("ETA 0s").
  @Test func etaWeighsCellsByTheirCost() throws {
    var jobs = Self.jobs(steps: 10)
    jobs[3].request.width = 1024
    var state = SweepState(pending: jobs, skipped: 0)
    let costs = jobs.map { SweepRunner.stepCost($0.request) }
    #expect(costs[3] > 50 * costs[0])
    for job in jobs.prefix(3) {
      #expect(state.next(jobs)?.id == job.id)
      state.step(job.id, completed: 10)
      state.finish(job.id, diverged: false)
    }
    // 3 cheap cells in 3 s: the expensive one left takes its cost at that rate.
    let progress = state.progress(elapsed: 3)
    let eta = try #require(progress.remainingSeconds)
    let expected = 3 / (10 * (costs[0] + costs[1] + costs[2])) * 10 * costs[3]
    #expect(abs(eta - expected) <= 1e-9 * expected)
    #expect(eta > 50)
    // Halfway through it, half of its cost is left.
    _ = state.next(jobs)
    state.step(jobs[3].id, completed: 5)
    let half = try #require(state.progress(elapsed: 3).remainingSeconds)
    #expect(abs(state.remainingCost - 5 * costs[3]) <= 1e-9 * costs[3])
    #expect(half < eta)
    // Nothing run yet: no estimate.
    #expect(SweepState(pending: jobs, skipped: 0).progress(elapsed: 1).remainingSeconds == nil)
  }
}
