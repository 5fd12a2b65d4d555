import Foundation
import NumericCore
import Networks
import Scalings
import Training

/// The `config.json` of a run directory: the request, everything resolved from it (architecture,
/// per-tensor scaling table with actual init std, multiplier and learning rate, data provenance,
/// settings), and the outcome. Written when the run starts (`status: running`) and rewritten
/// atomically when it ends.
public struct RunConfiguration: Codable, Equatable, Sendable {
  /// Format version of this file.
  public var formatVersion = 1
  /// The run name (the `run` column of the CSV files).
  public var run: String
  /// `running`, `completed`, `diverged`, `interrupted` or `failed`.
  public var status: String
  /// The request as given.
  public var request: RunRequest
  /// The resolved architecture (with the ResNet branch scale β as a number).
  public var architecture: Architecture
  /// Preset slug, whether it is a reconstruction, and its summary.
  public var preset: String
  public var presetIsReconstruction: Bool
  public var presetSummary: String
  /// The resolved branch-scale rule for ResNets (e.g. `inv-sqrt`).
  public var branchScaleRule: String?
  /// The optimizer's slug (`sgd`, `momentum`, `adam`, `adamw`, `spectral`); its constants are in
  /// `request.optimizer` and `training.optimizer`.
  public var optimizer: String
  /// `float32` or `float64`.
  public var dtype: DType
  /// Per tensor: layer, unit, role, fanIn, fanOut, init, init std, multiplier, lr multiplier, lr.
  public var layers: [ScalingTableRow]
  /// Trainable scalars.
  public var parameterCount: Int
  /// Where the data came from, sizes, normalization.
  public var data: DataProvenance
  /// The weights file the run started from (`--weights`), else `nil` (seeded initialization).
  public var initialWeights: InitialWeights.Record?
  /// The training-loop settings.
  public var training: TrainingSettings
  /// BLAS threads used.
  public var threads: Int
  /// The BLAS library, the OpenBLAS core in use and why, the CPU and its vector ISA (absent in
  /// files written before FeatureSpeed recorded it).
  public var blas: BLASRuntime?
  /// Updates applied when the run ended.
  public var completedSteps: Int
  /// For `diverged`: the step and why.
  public var divergedAtStep: Int?
  public var divergenceReason: String?
  /// For `failed`: the error.
  public var failure: String?
  /// Last training-batch loss and the final test evaluation.
  public var finalTrainLoss: Double?
  public var finalEvaluation: Evaluation?
  /// Wall-clock seconds of the training loop (not part of any determinism guarantee).
  public var elapsedSeconds: Double?
  /// Files written in the run directory.
  public var files: [String]
  /// The process that wrote the file while `running` (absent in files written before
  /// FeatureSpeed recorded it): a reader on the same host can tell a run whose process is gone.
  public var process: RunProcess? = .current

  /// The status a reader should report (see `RunStatusRecord.effectiveStatus`).
  public var effectiveStatus: String { RunStatusRecord(status: status, process: process).effectiveStatus }

  /// For a `running` run whose process is gone, a sentence saying so; `nil` otherwise.
  public var interruptionNote: String? {
    guard status != effectiveStatus, let process else { return nil }
    return "run \(run) says \"running\", but its process (\(process.id) on \(process.host)) is gone: it was interrupted "
      + "(killed, or its machine stopped); its CSV files hold every row written before that. Rerun it to finish."
  }
}

/// The two fields of a `config.json` that say whether a run is still going, decodable from files
/// of any format version (readers that need nothing else: sweep resumption).
public struct RunStatusRecord: Decodable, Equatable, Sendable {
  /// `running`, `completed`, `diverged`, `interrupted` or `failed`.
  public var status: String
  /// The process that wrote the file (absent in older files).
  public var process: RunProcess?

  public init(status: String, process: RunProcess?) {
    self.status = status
    self.process = process
  }

  /// `status`, except that a `running` run whose process is gone (same host, no such process)
  /// was interrupted — killed, or its machine stopped.
  public var effectiveStatus: String {
    guard status == "running", let process, !process.isAlive else { return status }
    return "interrupted"
  }
}

/// The process writing a run directory.
public struct RunProcess: Codable, Equatable, Sendable {
  /// Process id.
  public var id: Int32
  /// Host name.
  public var host: String

  /// This process.
  public static var current: RunProcess { RunProcess(id: SystemCalls.processID, host: ProcessInfo.processInfo.hostName) }

  /// Whether the process still runs. On another host (or for an id that names no single process)
  /// this cannot be known: `true`.
  public var isAlive: Bool {
    guard id > 0, host == ProcessInfo.processInfo.hostName else { return true }
    return kill(id, 0) == 0 || errno == EPERM
  }
}
