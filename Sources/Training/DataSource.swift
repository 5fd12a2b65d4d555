/// Where the data of a run comes from, as given on the command line (`--data`).
///
/// Forms: `synthetic` (= `synthetic:teacher`), `synthetic:gaussian`, `mnist:DIR`, `fashion-mnist`
/// (= `fashion-mnist:/usr/share/datasets/fashion-mnist`, where Debian's `dataset-fashion-mnist`
/// installs the files), `fashion-mnist:DIR`, `mnist1d` (generated, `MNIST1D`). Encoded in JSON as its
/// canonical string `description`.
public enum DataSource: Codable, Equatable, Sendable, CustomStringConvertible {
  /// Seeded synthetic data (`SyntheticDataSpec`) with teacher or Gaussian targets.
  case synthetic(SyntheticTargets)
  /// MNIST from a directory of the four IDX files.
  case mnist(directory: String)
  /// Fashion-MNIST from a directory of the four IDX files.
  case fashionMNIST(directory: String)
  /// MNIST-1D, generated in process by the published algorithm (`MNIST1D`): 4000 training and
  /// 1000 test signals of length 40, 10 classes.
  case mnist1d

  /// Where Debian's `dataset-fashion-mnist` package puts the files.
  public static let defaultFashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

  /// The accepted `--data` forms, for help texts and error messages.
  public static let acceptedForms = [
    "synthetic", "synthetic:teacher", "synthetic:gaussian", "mnist:DIR", "fashion-mnist", "fashion-mnist:DIR", "mnist1d",
  ]

  /// Parses a `--data` string (the kind before `:` is case-insensitive; a directory is kept as given).
  /// - Throws: `DataError.unknownDataSource` (the message lists the accepted forms), or
  ///   `.dataSourceNeedsDirectory` for `mnist` without a directory.
  public init(parsing text: String) throws {
    let kind: String
    let argument: String?
    if let colon = text.firstIndex(of: ":") {
      kind = text[..<colon].lowercased()
      argument = String(text[text.index(after: colon)...])
    } else {
      kind = text.lowercased()
      argument = nil
    }
    switch (kind, argument) {
    case ("synthetic", nil), ("synthetic", "teacher"):
      self = .synthetic(.teacher)
    case ("synthetic", "gaussian"):
      self = .synthetic(.gaussian)
    case ("mnist", nil), ("mnist", ""):
      throw DataError.dataSourceNeedsDirectory(given: "mnist")
    case ("mnist", let directory?):
      self = .mnist(directory: directory)
    case ("fashion-mnist", nil):
      self = .fashionMNIST(directory: Self.defaultFashionMNISTDirectory)
    case ("fashion-mnist", ""):
      throw DataError.dataSourceNeedsDirectory(given: "fashion-mnist")
    case ("fashion-mnist", let directory?):
      self = .fashionMNIST(directory: directory)
    case ("mnist1d", nil), ("mnist-1d", nil):
      self = .mnist1d
    default:
      throw DataError.unknownDataSource(given: text)
    }
  }

  /// Stable slug for file names and CSV columns: `synthetic-teacher`, `synthetic-gaussian`,
  /// `mnist`, `fashion-mnist`.
  public var slug: String {
    switch self {
    case .synthetic(let targets): "synthetic-\(targets.rawValue)"
    case .mnist: MNISTVariant.mnist.rawValue
    case .fashionMNIST: MNISTVariant.fashionMNIST.rawValue
    case .mnist1d: "mnist1d"
    }
  }

  /// The canonical `--data` string, which `init(parsing:)` reads back: `synthetic:teacher`,
  /// `mnist:DIR`, `fashion-mnist:DIR`.
  public var description: String {
    switch self {
    case .synthetic(let targets): "synthetic:\(targets.rawValue)"
    case .mnist(let directory): "mnist:\(directory)"
    case .fashionMNIST(let directory): "fashion-mnist:\(directory)"
    case .mnist1d: "mnist1d"
    }
  }

  /// Decodes the canonical string.
  /// - Throws: `DecodingError.dataCorrupted` with the parsing error's message.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    do {
      try self.init(parsing: text)
    } catch {
      throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(error)")
    }
  }

  /// Encodes the canonical string `description`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }

  /// Loads (or generates) the train and test splits.
  ///
  /// File-based sources ignore the synthetic settings of `options` and are always classification
  /// sets (10 classes); synthetic sources follow `options.task`.
  /// - Throws: `DataError` (see `MNISTLoader.load` and `SyntheticDataSpec.generate`).
  public func load(options: DataLoadOptions) throws -> LoadedData {
    switch self {
    case .synthetic(let targets):
      try SyntheticDataSpec(
        targets: targets, task: options.task, inputDimension: options.syntheticInputDimension,
        outputDimension: options.syntheticOutputDimension, trainCount: options.syntheticTrainCount,
        testCount: options.syntheticTestCount, seed: options.seed
      ).generate()
    case .mnist(let directory):
      try MNISTLoader.load(.mnist, directory: directory)
    case .fashionMNIST(let directory):
      try MNISTLoader.load(.fashionMNIST, directory: directory)
    case .mnist1d:
      MNIST1D.load()
    }
  }
}

/// The settings that data loading needs besides the source.
public struct DataLoadOptions: Equatable, Sendable {
  /// Seed of the synthetic data streams (file-based data ignores it).
  public var seed: UInt64
  /// Classification or regression: chooses labels or real targets for synthetic data
  /// (`DataTask(for: loss)`); file-based data always has labels.
  public var task: DataTask
  /// Input dimension `d_0` of synthetic data.
  public var syntheticInputDimension: Int
  /// Classes (classification) or outputs (regression) of synthetic data.
  public var syntheticOutputDimension: Int
  /// Training samples of synthetic data.
  public var syntheticTrainCount: Int
  /// Test samples of synthetic data (0: no test split).
  public var syntheticTestCount: Int

  /// Options; the synthetic defaults are a small problem that trains in seconds.
  public init(
    seed: UInt64, task: DataTask, syntheticInputDimension: Int = 64, syntheticOutputDimension: Int = 10,
    syntheticTrainCount: Int = 1024, syntheticTestCount: Int = 256
  ) {
    self.seed = seed
    self.task = task
    self.syntheticInputDimension = syntheticInputDimension
    self.syntheticOutputDimension = syntheticOutputDimension
    self.syntheticTrainCount = syntheticTrainCount
    self.syntheticTestCount = syntheticTestCount
  }
}
