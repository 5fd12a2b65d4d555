/// The splits of a loaded data set and where they came from.
public struct LoadedData: Sendable {
  /// The training split.
  public var train: Dataset
  /// The test split, when the source has one.
  public var test: Dataset?
  /// Source, files, sizes and normalization, for `config.json`.
  public var provenance: DataProvenance

  /// Bundles the splits and their provenance.
  public init(train: Dataset, test: Dataset?, provenance: DataProvenance) {
    self.train = train
    self.test = test
    self.provenance = provenance
  }
}

/// Where the data of a run came from and how it was transformed: written to `config.json` so a
/// run can be reproduced and its inputs checked.
public struct DataProvenance: Codable, Equatable, Sendable {
  /// The data source as a `--data` string (`DataSource.description`), e.g. `mnist:/data/mnist`.
  public var source: String
  /// Stable slug of the source: `mnist`, `fashion-mnist`, `synthetic-teacher`, `synthetic-gaussian`.
  public var slug: String
  /// Absolute directory the files were read from (file-based sources).
  public var directory: String?
  /// Absolute paths of the files read: for MNIST-style sets train images, train labels, test
  /// images, test labels; for `npy:` inputs then labels; else the one file.
  public var files: [String]
  /// Number of training samples.
  public var trainCount: Int
  /// Number of test samples (0 without a test split).
  public var testCount: Int
  /// Input dimension `d_0`.
  public var inputDimension: Int
  /// Target dimension: classes for classification, outputs for regression.
  public var targetDimension: Int
  /// Number of classes, `nil` for regression.
  public var classCount: Int?
  /// The input normalization (file-based sources).
  public var normalization: InputNormalization?
  /// The generator settings (synthetic sources).
  public var synthetic: SyntheticDataSpec?
  /// Class names from the file (a scikit-learn CSV header), when it has them.
  public var classNames: [String]?
  /// How the test split was held out of a file without one (`nil`: the file's own split, or none).
  public var heldOut: HeldOutSplit?

  /// A provenance record; see the properties.
  public init(
    source: String, slug: String, directory: String? = nil, files: [String] = [], trainCount: Int,
    testCount: Int, inputDimension: Int, targetDimension: Int, classCount: Int?,
    normalization: InputNormalization? = nil, synthetic: SyntheticDataSpec? = nil, classNames: [String]? = nil,
    heldOut: HeldOutSplit? = nil
  ) {
    self.classNames = classNames
    self.heldOut = heldOut
    self.source = source
    self.slug = slug
    self.directory = directory
    self.files = files
    self.trainCount = trainCount
    self.testCount = testCount
    self.inputDimension = inputDimension
    self.targetDimension = targetDimension
    self.classCount = classCount
    self.normalization = normalization
    self.synthetic = synthetic
  }
}

/// The affine map from raw values to inputs: `x = (raw · scale − mean) / standardDeviation`, with
/// `mean` and `standardDeviation` the global statistics of `raw · scale` over the *training* split
/// (every split uses them).
public struct InputNormalization: Codable, Equatable, Sendable {
  /// Scale applied to raw values first (`1/255` for 8-bit pixels).
  public var scale: Double
  /// Mean of `raw · scale` over all training values.
  public var mean: Double
  /// Population standard deviation of `raw · scale` over all training values (1 if they are constant).
  public var standardDeviation: Double

  /// A normalization record; see the properties.
  public init(scale: Double, mean: Double, standardDeviation: Double) {
    self.scale = scale
    self.mean = mean
    self.standardDeviation = standardDeviation
  }
}

/// A test split held out of a data file that has none (`ArrayDataLoader`): the first `count`
/// indices of a Fisher–Yates permutation from `SeededGenerator(seed: seed, stream: stream)`.
public struct HeldOutSplit: Codable, Equatable, Sendable {
  /// Samples in the test split.
  public var count: Int
  /// The seed of the permutation (the run's `--seed`).
  public var seed: UInt64
  /// The generator stream, `holdout`.
  public var stream: String

  /// A record; see the properties.
  public init(count: Int, seed: UInt64, stream: String) {
    self.count = count
    self.seed = seed
    self.stream = stream
  }
}
