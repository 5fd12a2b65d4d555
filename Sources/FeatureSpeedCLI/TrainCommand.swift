import ArgumentParser
import Foundation
import Networks
import Training
import Experiments

/// `featurespeed train`: train one network with per-layer measurements into a run directory.
public struct TrainCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train an MLP or ResNet (SGD, momentum, Adam/AdamW or spectral descent) and measure the Feature Speed Formula per layer, per step.",
    discussion: """
      Writes a run directory: config.json (everything resolved, per-layer scaling table, outcome), \
      measurements.csv (run,step,layer,quantity,value; see `featurespeed quantities`), metrics.csv \
      (loss and accuracy per step), under FSC-control control.csv (every step's per-layer \
      learning-rate decision; docs/control.md) and, with --save-tensors, safetensors of the initial \
      and final weights and of the first batch.

      Examples:
        featurespeed train --data fashion-mnist --width 256 --depth 4 --steps 300
        featurespeed train --arch resnet --depth 16 --branch-scale inv-sqrt \\
          --preset mup
        featurespeed train --data mnist:/data/mnist --preset sp \\
          --learning-rate 0.05 --dtype float64
        featurespeed train --optimizer adamw --learning-rate 0.01 --weight-decay 0.05
        featurespeed train --optimizer spectral --preset spectral \\
          --learning-rate 0.02
        featurespeed train --lr-schedule cosine --warmup-steps 20 --steps 300 \\
          --lr-final-fraction 0.1
        featurespeed train --preset mup --base-width 256 --width 1024 --zero-readout
        featurespeed train --data fashion-mnist --preset sp --depth 32 --width 512 \\
          --control-feature-speed 0.05 --control-calibration 10
        featurespeed train --preset sp --depth 8 \\
          --preset-file runs/diag/lr-multipliers.json   # a file diagnose wrote
        featurespeed train --data csv:iris.csv --width 64 --depth 3 --batch-size 16
        featurespeed train --data npz:data.npz --weights model.safetensors
      """)

  @OptionGroup public var model: ModelOptions

  @OptionGroup public var dataOptions: DataOptions

  @OptionGroup public var optimizerOptions: OptimizerOptions

  @OptionGroup(title: "Learning-rate schedule") public var schedule: ScheduleOptions

  @Flag(help: "Start the readout (output layer weight and bias) at 0, as mup's readout_zero_init. At step 0 every hidden layer's backward signal is then 0, so cos θ and the FSF residual are undefined (NaN) there.")
  public var zeroReadout = false

  @Option(help: "Loss: cross-entropy or mse (one-hot targets for classification data).")
  public var loss: Loss = .crossEntropy

  @Option(parsing: .unconditional, help: "Base learning rate η; each tensor uses η × its preset multiplier.")
  public var learningRate: Double = RunRequest().learningRate

  @Option(parsing: .unconditional, help: "Test samples: of synthetic data (default 1024), or held out of a data file without its own test split (default 20 %, at most 10000; seeded by --seed). 0: none.")
  public var testSize: Int?

  @Option(parsing: .unconditional, help: "Number of optimizer steps.")
  public var steps: Int = RunRequest().steps

  @Option(parsing: .unconditional, help: "Measure every K steps (0: never). Step 0 is always measured when K > 0.")
  public var measureEvery: Int = RunRequest().measureEvery

  @Option(parsing: .unconditional, help: "Run the tangent pass on the first N rows of each measured batch (cheaper; the FSF is then an estimate). Default: the whole batch (exact).")
  public var probe: Int?

  @Flag(help: "Skip the extra forward pass that measures the actual change after a measured step.")
  public var noActual = false

  @Flag(help: "Skip the spectral norms of weights and updates.")
  public var noSpectral = false

  @Option(parsing: .unconditional, help: "Evaluate on the test split every K steps (0: only at the end).")
  public var evaluateEvery: Int = 0

  @Option(help: "Run directory (default: runs/<run name>, made unique).")
  public var output: String?

  @Flag(help: "Replace an existing run in --output.")
  public var overwrite = false

  @Option(help: "Run name for the CSV `run` column (default: derived from the configuration).")
  public var name: String?

  @Flag(help: "Save initial and final weights and the first batch as .safetensors.")
  public var saveTensors = false

  @Flag(help: "Do not write the TensorBoard event file (events.out.tfevents.*) next to the CSV files.")
  public var noTensorboard = false

  @Option(help: ArgumentHelp(
    "Start from these weights instead of the seeded init: a .safetensors file with FeatureSpeed's names (e.g. a run's weights-final.safetensors) or a PyTorch nn.Sequential state_dict (rank-2 tensors in natural name order, biases P.bias beside P.weight). The file holds the raw W of theory §2: the preset's forward multipliers still apply. --seed still drives the data order.",
    valueName: "file"))
  public var weights: String?

  @Option(parsing: .unconditional, help: "BLAS threads (default: all cores).")
  public var threads: Int?

  @OptionGroup(title: "FSC-control (theory §5.3)") public var control: ControlOptions

  @Flag(help: "Print only the progress line and the summary, not the per-layer tables.")
  public var quiet = false

  @Flag(help: "Print every layer in the per-layer tables (default: networks with more than 8 layers show the first and last 3 and the range of the others).")
  public var allLayers = false

  public init() {}

  public func validate() throws {
    do { _ = try request() } catch { throw ValidationError("\(error)") }
  }

  /// The library request for these options.
  /// - Throws: the parsing errors of `--data` and `--branch-scale`, and `RunRequest.validate()`.
  public func request() throws -> RunRequest {
    var r = RunRequest()
    r.name = name
    try model.apply(to: &r)
    try dataOptions.apply(to: &r)
    r.loss = loss
    r.learningRate = learningRate
    try optimizerOptions.apply(to: &r)
    schedule.apply(to: &r)
    r.zeroReadout = zeroReadout
    r.testSize = testSize
    r.steps = steps
    r.measureEvery = measureEvery
    r.probe = probe
    r.measuresActualStep = !noActual
    r.measuresSpectra = !noSpectral
    r.evaluateEvery = evaluateEvery
    r.output = output
    r.overwrite = overwrite
    r.saveTensors = saveTensors
    r.writesTensorBoard = !noTensorboard
    r.weights = weights
    r.threads = threads
    try control.apply(to: &r)
    try r.validate()
    return r
  }

  public func run() throws {
    let request = try request()
    Interruption.install()
    var reporter = ConsoleReporter(showsTables: !quiet, showsAllLayers: allLayers)
    do {
      try TrainingRun.execute(request, reporter: &reporter)
    } catch let error as RunError {
      reporter.finishProgressLine()
      printError(error.description)
      throw ExitCode(error.exitCode)
    }
  }
}
