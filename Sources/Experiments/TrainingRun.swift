import Foundation
import NumericCore
import Networks
import Measurements
import Scalings
import Training

/// One training run end to end (`featurespeed train`): resolve the request against the data and
/// the preset, prepare the run directory, train with measurements, and record the outcome.
///
/// Files (see README): `config.json` (written at start with status `running`, rewritten
/// atomically at the end), `measurements.csv` and `metrics.csv` (streamed, flushed at every
/// measured step), and with `saveTensors` `weights-init.safetensors`, `batch.safetensors` (at
/// start) and `weights-final.safetensors` (at the end). Whatever happens, files already written
/// stay intact.
public enum TrainingRun {
  /// Runs `request`, reporting progress to `reporter`.
  /// - Returns: the final configuration of a completed run.
  /// - Throws: `RunError.diverged` / `.interrupted` after recording the outcome in the run
  ///   directory; set-up errors (`PresetError`, `DataError`, `ArchitectureError`,
  ///   `RunDirectoryError`, …) before anything is written; I/O errors (status `failed` when it
  ///   can still be written).
  @discardableResult
  public static func execute(_ request: RunRequest, reporter: inout some RunReporter) throws -> RunConfiguration {
    let setup = try RunSetup(request)
    let (preset, data, resolution) = (setup.preset, setup.data, setup.resolution)
    let threads = request.threads ?? ProcessInfo.processInfo.activeProcessorCount
    BLASThreads.set(threads)
    let directory = try RunDirectory.prepare(at: outputURL(for: request), overwrite: request.overwrite)

    var configuration = RunConfiguration(
      run: request.runName, status: "running", request: request, architecture: resolution.spec.architecture,
      preset: preset.name, presetIsReconstruction: preset.isReconstruction, presetSummary: preset.summary,
      branchScaleRule: resolution.branchScale?.slug, optimizer: request.optimizer.kind.rawValue, dtype: request.dtype,
      layers: resolution.table(baseLearningRate: request.learningRate), parameterCount: resolution.spec.parameterCount,
      data: data.provenance, training: request.trainingSettings, threads: threads, blas: .current, completedSteps: 0,
      files: [])
    switch request.dtype {
    case .float32:
      return try train(Float.self, spec: resolution.spec, data: data, request: request, directory: directory,
                       configuration: &configuration, reporter: &reporter)
    case .float64:
      return try train(Double.self, spec: resolution.spec, data: data, request: request, directory: directory,
                       configuration: &configuration, reporter: &reporter)
    }
  }

  /// `request.output`, or `runs/<run name>` made unique with `-2`, `-3`, … when it holds a run.
  static func outputURL(for request: RunRequest) -> URL {
    if let output = request.output { return URL(fileURLWithPath: output) }
    let base = URL(fileURLWithPath: "runs").appendingPathComponent(request.runName)
    var candidate = base
    var suffix = 2
    while FileManager.default.fileExists(atPath: candidate.appendingPathComponent(RunDirectory.File.config.rawValue).path) {
      candidate = URL(fileURLWithPath: base.path + "-\(suffix)")
      suffix += 1
    }
    return candidate
  }

  private static func train<Scalar: BLASScalar>(
    _: Scalar.Type, spec: NetworkSpec, data: LoadedData, request: RunRequest, directory: RunDirectory,
    configuration: inout RunConfiguration, reporter: inout some RunReporter
  ) throws -> RunConfiguration {
    var network = try Network<Scalar>(spec: spec, seed: request.seed)
    if let path = request.weights {
      let (parameters, record) = try InitialWeights.read(from: path, spec: spec, as: Scalar.self)
      network.parameters = parameters
      configuration.initialWeights = record
    }
    var trainer = try Trainer(network: network, train: data.train, test: data.test, settings: request.trainingSettings)
    try directory.writeConfig(configuration)
    if request.saveTensors {
      try saveParameters(network.parameters, spec: spec, run: request.runName, to: directory.initialWeightsURL)
      let batch = trainer.firstBatch()
      var file = SafetensorsFile(metadata: ["run": request.runName, "format": "featurespeed-batch"])
      file.add("inputs", batch.inputs)
      switch spec.loss {
      case .mse: file.add("targets", batch.targets.values)
      case .crossEntropy: file.add("targets", batch.targets.labels.map { Int64($0) }, shape: [batch.targets.labels.count])
      }
      try file.write(to: directory.batchURL)
    }
    var writer = try RunWriter(
      run: request.runName, totalSteps: request.steps, directory: directory, reporter: reporter,
      controlled: request.controlSettings.isActive, layerIndices: spec.layerIndices, tensorBoard: request.writesTensorBoard)
    writer.reporter.runStarted(configuration, directory: directory.url)

    let outcome: TrainingOutcome
    do {
      outcome = try trainer.run(observer: &writer)
      try writer.close()
    } catch {
      try? writer.close()
      configuration.status = "failed"
      configuration.failure = "\(error)"
      configuration.completedSteps = trainer.completedSteps
      configuration.files = existingFiles(in: directory)
      do { try directory.writeConfig(configuration) } catch { try? directory.writeConfigInPlace(configuration) }
      reporter = writer.reporter
      throw error
    }
    reporter = writer.reporter
    configuration.status = outcome.status
    configuration.completedSteps = trainer.completedSteps
    configuration.finalTrainLoss = writer.lastRecord?.loss
    configuration.finalEvaluation = writer.lastEvaluation
    configuration.elapsedSeconds = writer.lastRecord?.elapsedSeconds
    if case .diverged(let step, let reason) = outcome {
      configuration.divergedAtStep = step
      configuration.divergenceReason = reason
    } else if request.saveTensors {
      try saveParameters(trainer.network.parameters, spec: spec, run: request.runName, to: directory.finalWeightsURL)
    }
    configuration.files = existingFiles(in: directory)
    try directory.writeConfig(configuration)
    reporter.runEnded(configuration, directory: directory.url)
    switch outcome {
    case .completed:
      return configuration
    case .diverged(let step, let reason):
      throw RunError.diverged(step: step, reason: reason, directory: directory.url.path, learningRate: request.learningRate)
    case .interrupted(let step):
      throw RunError.interrupted(step: step, directory: directory.url.path)
    }
  }

  private static func saveParameters<Scalar: BLASScalar>(
    _ parameters: NetworkParameters<Scalar>, spec: NetworkSpec, run: String, to url: URL
  ) throws {
    var file = SafetensorsFile(metadata: ["run": run, "format": "featurespeed-weights", "dtype": Scalar.dtypeSlug])
    file.add(parameters, layerIndices: spec.layerIndices)
    try file.write(to: url)
  }

  private static func existingFiles(in directory: RunDirectory) -> [String] {
    RunDirectory.File.allCases.map(\.rawValue).filter {
      FileManager.default.fileExists(atPath: directory.url.appendingPathComponent($0).path)
    } + directory.tensorBoardEventFiles.map(\.lastPathComponent)
  }
}
