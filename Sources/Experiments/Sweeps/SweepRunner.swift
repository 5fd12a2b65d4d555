import Foundation
import Synchronization
import NumericCore
import Training

/// The manifest `sweep.json` of a sweep directory: every cell of the grid (all shards), so that a
/// merge knows the whole grid and its columns.
public struct SweepManifest: Codable, Equatable, Sendable {
  public var formatVersion = 1
  /// The sweep's name.
  public var name: String
  /// Grid keys (the CSV columns after `cell`), in grid order.
  public var keys: [String]
  /// Every cell, in grid order.
  public var cells: [SweepCell]

  public init(name: String, keys: [String], cells: [SweepCell]) {
    self.name = name
    self.keys = keys
    self.cells = cells
  }

  /// `sweep.json` in `directory`.
  public static func url(in directory: URL) -> URL { directory.appendingPathComponent("sweep.json") }

  /// Reads `sweep.json` from a sweep directory.
  /// - Throws: `SweepError.notASweep` when it is missing, or the JSON errors.
  public static func load(from directory: URL) throws -> SweepManifest {
    let url = Self.url(in: directory)
    guard FileManager.default.fileExists(atPath: url.path) else { throw SweepError.notASweep(path: directory.path) }
    return try JSONFile.read(SweepManifest.self, from: url)
  }
}

/// Where a cell stands, from its run directory.
public enum SweepCellStatus: String, Codable, Sendable {
  /// No run directory or no config.json yet.
  case pending
  /// Started but not finished (running, possibly elsewhere, or failed): will be rerun.
  case incomplete
  /// Stopped before its last step: interrupted by the user, or `running` with its process gone
  /// from this host (killed, machine stopped). Will be rerun.
  case interrupted
  /// Finished all steps.
  case completed
  /// Stopped by NaN/±∞: a result, not rerun.
  case diverged

  /// Whether the cell needs no more work.
  public var isFinished: Bool { self == .completed || self == .diverged }

  /// The status of the cell whose run directory is `directory`.
  public static func of(_ directory: URL) -> SweepCellStatus {
    let config = directory.appendingPathComponent(RunDirectory.File.config.rawValue)
    guard let record = try? JSONFile.read(RunStatusRecord.self, from: config)
    else { return FileManager.default.fileExists(atPath: config.path) ? .incomplete : .pending }
    switch record.effectiveStatus {
    case "completed": return .completed
    case "diverged": return .diverged
    case "interrupted": return .interrupted
    default: return .incomplete
    }
  }
}

/// Progress of a running sweep, for display.
public struct SweepProgress: Sendable {
  /// Cells of this invocation (the shard's unfinished cells when it started).
  public var total: Int
  /// Cells finished by this invocation.
  public var done: Int
  /// Cells already finished before this invocation (skipped).
  public var skipped: Int
  /// Diverged cells among the done ones.
  public var diverged: Int
  /// Running cells: id, completed steps, total steps.
  public var running: [(id: String, step: Int, steps: Int)]
  /// Seconds since the start.
  public var elapsedSeconds: Double
  /// Estimated seconds left (nil before the first step).
  public var remainingSeconds: Double?
}

/// Runs the cells of a sweep (or of one shard of it) that are not finished yet, each into its own
/// run directory `cells/<id>/`, resumably: a cell whose `config.json` says `completed` or
/// `diverged` is never redone, any other cell (never started, killed by SIGKILL, interrupted,
/// failed) is rerun from scratch. Every file is written atomically or flushed as a stream, so a
/// kill at any moment leaves either finished cells or cells that will be rerun.
///
/// Cells run in the calling process, `parallelism` at a time, with `threadsPerCell` BLAS threads
/// each; `parallelism × threadsPerCell` never exceeds the cores, so BLAS threads are not
/// oversubscribed (SWIFT-NOTES: two parallel 2-thread BLAS callers lose a third of the throughput).
public struct SweepRunner: Sendable {
  /// The sweep directory.
  public let directory: URL
  /// The cells to run (this shard's, in grid order).
  public let jobs: [SweepCell]
  /// Concurrent cells.
  public let parallelism: Int
  /// BLAS threads per cell.
  public let threadsPerCell: Int

  /// - Parameters:
  ///   - cores: available cores (default: active processors).
  ///   - parallelism: concurrent cells, or nil to choose: several one-thread cells when the cells'
  ///     products are too small to keep all cores busy (under 0.5 GFLOP per step), else one cell
  ///     with all cores.
  public init(directory: URL, jobs: [SweepCell], cores: Int = ProcessInfo.processInfo.activeProcessorCount, parallelism: Int? = nil) {
    self.directory = directory
    self.jobs = jobs
    let cores = max(1, cores)
    let chosen = parallelism ?? (jobs.allSatisfy { Self.stepFlops($0.request) < 0.5e9 } ? cores : 1)
    self.parallelism = max(1, min(chosen, cores, max(jobs.count, 1)))
    threadsPerCell = max(1, cores / self.parallelism)
  }

  /// The run directory of a cell.
  public static func cellDirectory(_ id: String, in directory: URL) -> URL {
    directory.appendingPathComponent("cells").appendingPathComponent(id)
  }

  /// Rough FLOPs of one step of a request (`6·B·Σ fanIn·fanOut` with the synthetic dimensions (also for
  /// the user's data files) or MNIST's 784 → 10), to choose between parallel cells and parallel BLAS.
  static func stepFlops(_ r: RunRequest) -> Double {
    let input: Double
    let output: Double
    switch r.data {
    // The user's files are not opened here: their dimensions count as the synthetic defaults.
    case .synthetic, .csv, .npy, .npz, .safetensors:
      (input, output) = (Double(r.inputDimension ?? 64), Double(r.outputDimension ?? 10))
    case .mnist, .fashionMNIST: (input, output) = (784, 10)
    case .mnist1d: (input, output) = (40, 10)
    }
    let w = Double(r.width)
    let hidden = Double(max(r.depth - (r.architecture == .mlp ? 2 : 0), 0)) * w * w * Double(r.branchMatrices)
    return 6 * Double(r.batchSize) * (input * w + hidden + w * output)
  }

  /// Rough cost of one step of a request, for the ETA: its FLOPs (`stepFlops`), doubled on the
  /// measured share of steps (a measured step adds a tangent pass about as costly as a step),
  /// plus a fixed 10⁶ for the per-step work that does not scale with the products.
  static func stepCost(_ r: RunRequest) -> Double {
    let measuredShare = r.measureEvery > 0 ? 1 / Double(r.measureEvery) : 0
    return stepFlops(r) * (1 + measuredShare) + 1e6
  }

  /// Runs every unfinished cell.
  /// - Parameters:
  ///   - progress: called (from worker threads, often) with the current progress.
  ///   - shouldStop: polled before every step of every cell (e.g. Ctrl-C).
  /// - Returns: the progress at the end.
  /// - Throws: the first error of a cell that is not a divergence (e.g. missing data): the sweep
  ///   stops, finished cells stay finished.
  public func run(
    progress: @escaping @Sendable (SweepProgress) -> Void = { _ in },
    shouldStop: @escaping @Sendable () -> Bool = { false }
  ) throws -> SweepProgress {
    try FileManager.default.createDirectory(at: directory.appendingPathComponent("cells"), withIntermediateDirectories: true)
    let pending = jobs.filter { !isFinished($0) }
    let state = LockedSweepState(SweepState(pending: pending, skipped: jobs.count - pending.count))
    let start = ContinuousClock.now
    let threads = threadsPerCell
    BLASThreads.set(threads)

    @Sendable func report() {
      let snapshot = state.withLock { $0.progress(elapsed: Self.seconds(since: start)) }
      progress(snapshot)
    }
    @Sendable func work() {
      while let job = state.withLock({ $0.next(pending) }) {
        let request = cellRequest(job)
        var reporter = CellReporter(id: job.id, steps: request.steps, state: state, report: report, shouldStop: shouldStop)
        do {
          try TrainingRun.execute(request, reporter: &reporter)
          state.withLock { $0.finish(job.id, diverged: false) }
        } catch RunError.diverged {
          state.withLock { $0.finish(job.id, diverged: true) }
        } catch RunError.interrupted {
          state.withLock { $0.stop(job.id, error: nil) }
        } catch {
          state.withLock { $0.stop(job.id, error: SweepError.cellFailed(id: job.id, reason: "\(error)")) }
        }
        report()
      }
    }
    report()
    if parallelism == 1 {
      work()
    } else {
      DispatchQueue.concurrentPerform(iterations: parallelism) { _ in work() }
    }
    let final = state.withLock { $0 }
    if let error = final.error { throw error }
    if final.stopped { throw SweepError.interrupted(done: final.done, remaining: final.total - final.done) }
    return final.progress(elapsed: Self.seconds(since: start))
  }

  /// The request a cell runs with: the job's, into the cell directory, with this runner's threads.
  func cellRequest(_ job: SweepCell) -> RunRequest {
    var request = job.request
    request.output = Self.cellDirectory(job.id, in: directory).path
    request.overwrite = true
    request.threads = threadsPerCell
    return request
  }

  /// Whether a cell finished (completed or diverged) **with the same settings**: a cell left by an
  /// earlier configuration (other steps, learning rate, …) is run again.
  public func isFinished(_ job: SweepCell) -> Bool {
    let cell = Self.cellDirectory(job.id, in: directory)
    guard SweepCellStatus.of(cell).isFinished,
      let stored = try? JSONFile.read(RunConfiguration.self, from: cell.appendingPathComponent(RunDirectory.File.config.rawValue))
    else { return false }
    var expected = cellRequest(job)
    var found = stored.request
    expected.threads = nil  // the thread count does not change results
    found.threads = nil
    expected.output = nil  // nor where the sweep directory is: a moved or copied sweep resumes
    found.output = nil
    return found == expected
  }

  static func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }
}

/// Shared state of the workers of one sweep invocation.
///
/// The ETA weighs every step by its cell's rough cost (`SweepRunner.stepCost`), so a sweep whose
/// widest cells run last does not show "ETA 0s" after its cheap cells: seconds per unit of cost
/// so far, times the cost left in unfinished cells.
struct SweepState: Sendable {
  var total: Int
  var skipped: Int
  var done = 0
  var diverged = 0
  var nextIndex = 0
  var running: [String: (step: Int, steps: Int)] = [:]
  var order: [String] = []
  var error: SweepError?
  var stopped = false
  /// Cost of one step of each pending cell, by id.
  var costPerStep: [String: Double] = [:]
  /// Cost of the cells not started yet.
  var unstartedCost: Double
  /// Cost of the steps completed so far.
  var costDone = 0.0

  init(total: Int, skipped: Int) {
    self.total = total
    self.skipped = skipped
    unstartedCost = 0
  }

  /// State for running `pending`, with each cell's step cost from `cost`.
  init(pending: [SweepCell], skipped: Int, cost: (RunRequest) -> Double = SweepRunner.stepCost) {
    self.init(total: pending.count, skipped: skipped)
    for job in pending { costPerStep[job.id] = max(cost(job.request), .leastNormalMagnitude) }
    unstartedCost = pending.reduce(0) { $0 + Double($1.request.steps) * costPerStep[$1.id]! }
  }

  mutating func next(_ pending: [SweepCell]) -> SweepCell? {
    guard error == nil, !stopped, nextIndex < pending.count else { return nil }
    defer { nextIndex += 1 }
    let job = pending[nextIndex]
    running[job.id] = (0, job.request.steps)
    order.append(job.id)
    unstartedCost -= Double(job.request.steps) * cost(of: job.id)
    return job
  }

  mutating func step(_ id: String, completed: Int) {
    if let r = running[id], completed > r.step {
      costDone += Double(completed - r.step) * cost(of: id)
      running[id] = (completed, r.steps)
    }
  }

  mutating func finish(_ id: String, diverged: Bool) {
    running[id] = nil
    done += 1
    if diverged { self.diverged += 1 }
  }

  mutating func stop(_ id: String, error: SweepError?) {
    running[id] = nil
    if let error, self.error == nil { self.error = error }
    if error == nil { stopped = true }
  }

  /// A cell's cost per step (1 for a cell this state was not told about).
  func cost(of id: String) -> Double { costPerStep[id] ?? 1 }

  /// The cost of the steps left: cells not started, and the rest of the running ones.
  var remainingCost: Double {
    max(unstartedCost, 0) + running.reduce(0) { $0 + Double(max($1.value.steps - $1.value.step, 0)) * cost(of: $1.key) }
  }

  func progress(elapsed: Double) -> SweepProgress {
    let ids = order.filter { running[$0] != nil }
    let eta = costDone > 0 ? elapsed / costDone * remainingCost : nil
    return SweepProgress(
      total: total, done: done, skipped: skipped, diverged: diverged,
      running: ids.map { ($0, running[$0]!.step, running[$0]!.steps) }, elapsedSeconds: elapsed,
      remainingSeconds: eta)
  }
}

/// The sweep state shared by the worker threads.
final class LockedSweepState: Sendable {
  private let mutex: Mutex<SweepState>
  init(_ state: SweepState) { mutex = Mutex(state) }
  func withLock<R: Sendable>(_ body: (inout sending SweepState) -> sending R) -> R { mutex.withLock(body) }
}

/// Forwards a cell's step progress to the sweep state.
struct CellReporter: RunReporter {
  let id: String
  let steps: Int
  let state: LockedSweepState
  let report: @Sendable () -> Void
  let stop: @Sendable () -> Bool

  init(id: String, steps: Int, state: LockedSweepState, report: @escaping @Sendable () -> Void, shouldStop: @escaping @Sendable () -> Bool) {
    self.id = id
    self.steps = steps
    self.state = state
    self.report = report
    self.stop = shouldStop
  }

  mutating func stepCompleted(_ record: StepRecord, totalSteps: Int) {
    state.withLock { $0.step(id, completed: record.step + 1) }
    report()
  }

  func shouldStop() -> Bool { stop() }
}

/// Errors of sweeps and merges.
public enum SweepError: Error, Equatable, CustomStringConvertible {
  /// A cell failed for a reason other than divergence.
  case cellFailed(id: String, reason: String)
  /// The user interrupted the sweep.
  case interrupted(done: Int, remaining: Int)
  /// The directory has no sweep.json.
  case notASweep(path: String)
  /// Cells are not finished.
  case pendingCells(path: String, ids: [String])

  public var description: String {
    switch self {
    case .cellFailed(let id, let reason):
      "Cell \(id) failed: \(reason) The sweep stopped; finished cells are kept. Fix the cause and run the same command again to continue."
    case .interrupted(let done, let remaining):
      "Interrupted after \(done) cells of this run; \(remaining) remain. Run the same command again to continue (finished cells are not redone)."
    case .notASweep(let path):
      "\(path) is not a sweep directory: it has no sweep.json. Pass the directory a `featurespeed sweep CONFIG` wrote (its `output`)."
    case .pendingCells(let path, let ids):
      "\(ids.count) cell(s) of \(path) are not finished: \(ids.prefix(5).joined(separator: ", "))\(ids.count > 5 ? ", …" : ""). "
        + "Run `featurespeed sweep CONFIG` (or the missing shards) until they are, or pass --partial to merge what is there."
    }
  }
}
