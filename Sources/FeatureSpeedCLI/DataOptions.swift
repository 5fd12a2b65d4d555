import ArgumentParser
import Training
import Experiments

/// Data, batch, seed and precision options shared by `train` and `kernel` (theory §1, §2): the
/// same flags build the same batch in both.
public struct DataOptions: ParsableArguments {
  @Option(help: ArgumentHelp(
    "Data: synthetic (teacher targets), synthetic:gaussian, mnist:DIR, fashion-mnist (Debian's dataset-fashion-mnist), fashion-mnist:DIR, or your own file: csv:FILE (last column the class label; csv:FILE#label=COL, csv:FILE#targets=COL,COL for --loss mse; COL a header name or 1-based number), npy:INPUTS.npy,LABELS.npy, npz:FILE, safetensors:FILE (arrays x, y and optionally x_test, y_test). Without a test split in the file, --test-size samples (default 20 %) are held out, seeded by --seed.",
    valueName: "source"))
  public var data: String = "synthetic"

  @Option(parsing: .unconditional, help: "Input dimension of synthetic data (default 64).")
  public var inputDim: Int?

  @Option(parsing: .unconditional, help: "Outputs (classes for cross-entropy) of synthetic data (default 10).")
  public var outputDim: Int?

  @Option(parsing: .unconditional, help: "Training samples of synthetic data.")
  public var trainSize: Int = RunRequest().trainSize

  @Option(parsing: .unconditional, help: "Samples per step (the batch).")
  public var batchSize: Int = RunRequest().batchSize

  @Option(parsing: .unconditional, help: "Seed of initialization, data and shuffling.")
  public var seed: UInt64 = 0

  @Option(help: "Precision: float32 or float64.")
  public var dtype: DType = .float32

  public init() {}

  /// Sets the data, batch, seed and precision fields of `request` from these options.
  /// - Throws: `DataError` when `--data` does not parse.
  public func apply(to request: inout RunRequest) throws {
    request.data = try DataSource(parsing: data)
    request.inputDimension = inputDim
    request.outputDimension = outputDim
    request.trainSize = trainSize
    request.batchSize = batchSize
    request.seed = seed
    request.dtype = dtype
  }
}
