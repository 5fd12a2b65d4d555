/// Where the data of a run comes from, as given on the command line (`--data`).
///
/// Forms: `synthetic` (= `synthetic:teacher`), `synthetic:gaussian`, `mnist:DIR`, `fashion-mnist`
/// (= `fashion-mnist:/usr/share/datasets/fashion-mnist`, where Debian's `dataset-fashion-mnist`
/// installs the files), `fashion-mnist:DIR`, `mnist1d` (generated, `MNIST1D`), and the user's own
/// files (`ArrayDataLoader`):
/// `csv:FILE` (last column the class label), `csv:FILE#label=COL`, `csv:FILE#targets=COL,COL…`
/// (regression targets; COL a header name or a 1-based column number), `npy:INPUTS,LABELS`,
/// `npz:FILE`, `safetensors:FILE`. Encoded in JSON as its canonical string `description`.
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
  /// A numeric CSV file (raw or gzip), with the columns `targets` as labels or targets.
  case csv(path: String, targets: CSVTargets)
  /// Two `.npy` files: inputs `[n, d…]` and labels `[n]` or targets `[n]`/`[n, k]`.
  case npy(inputs: String, labels: String)
  /// A NumPy `.npz` archive with arrays named as in `ArrayDataLoader.arrayNames`.
  case npz(path: String)
  /// A safetensors file with tensors named as in `ArrayDataLoader.arrayNames`.
  case safetensors(path: String)

  /// Where Debian's `dataset-fashion-mnist` package puts the files.
  public static let defaultFashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

  /// The accepted `--data` forms, for help texts and error messages.
  public static let acceptedForms = [
    "synthetic", "synthetic:teacher", "synthetic:gaussian", "mnist:DIR", "fashion-mnist", "fashion-mnist:DIR", "mnist1d",
    "csv:FILE", "csv:FILE#label=COL", "csv:FILE#targets=COL[,COL…]", "npy:INPUTS.npy,LABELS.npy", "npz:FILE",
    "safetensors:FILE",
  ]

  /// Parses a `--data` string (the kind before `:` is case-insensitive; a directory is kept as given).
  /// - Throws: `DataError.unknownDataSource` (the message lists the accepted forms),
  ///   `.dataSourceNeedsDirectory` for `mnist` without a directory, `.invalidDataSource` for a file
  ///   form without its file(s) or with a malformed `#label=` / `#targets=` suffix.
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
    case ("csv", let argument?) where !argument.isEmpty:
      self = try Self.parseCSV(argument, given: text)
    case ("npy", let argument?) where !argument.isEmpty:
      let files = argument.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      guard files.count == 2, !files[0].isEmpty, !files[1].isEmpty else {
        throw DataError.invalidDataSource(
          given: text, reason: "npy needs two files separated by one comma, npy:INPUTS.npy,LABELS.npy")
      }
      self = .npy(inputs: files[0], labels: files[1])
    case ("npz", let path?) where !path.isEmpty:
      self = .npz(path: path)
    case ("safetensors", let path?) where !path.isEmpty:
      self = .safetensors(path: path)
    case ("csv", _), ("npy", _), ("npz", _), ("safetensors", _):
      throw DataError.invalidDataSource(given: text, reason: "'\(kind)' needs a file: \(kind):FILE")
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
    case .csv: "csv"
    case .npy: "npy"
    case .npz: "npz"
    case .safetensors: "safetensors"
    }
  }

  /// `FILE`, `FILE#label=COL` or `FILE#targets=A,B`: the suffix is split off at the last `#`
  /// only when it starts with `label=` or `targets=`, so other paths with `#` stay whole.
  private static func parseCSV(_ argument: String, given text: String) throws -> DataSource {
    guard let hash = argument.lastIndex(of: "#") else { return .csv(path: argument, targets: .lastColumnLabel) }
    let path = String(argument[..<hash])
    let suffix = argument[argument.index(after: hash)...]
    func columns(_ list: Substring) throws -> [String] {
      let names = list.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty }) else {
        throw DataError.invalidDataSource(given: text, reason: "'#\(suffix)' names an empty column")
      }
      return names
    }
    if suffix.hasPrefix("label=") {
      let names = try columns(suffix.dropFirst("label=".count))
      guard names.count == 1 else {
        throw DataError.invalidDataSource(
          given: text, reason: "#label= takes one column (class labels); use #targets=A,B for several regression targets")
      }
      return .csv(path: path, targets: .label(names[0]))
    }
    if suffix.hasPrefix("targets=") {
      return .csv(path: path, targets: .targets(try columns(suffix.dropFirst("targets=".count))))
    }
    return .csv(path: argument, targets: .lastColumnLabel)
  }

  /// The canonical `--data` string, which `init(parsing:)` reads back: `synthetic:teacher`,
  /// `mnist:DIR`, `fashion-mnist:DIR`.
  public var description: String {
    switch self {
    case .synthetic(let targets): "synthetic:\(targets.rawValue)"
    case .mnist(let directory): "mnist:\(directory)"
    case .fashionMNIST(let directory): "fashion-mnist:\(directory)"
    case .mnist1d: "mnist1d"
    case .csv(let path, .lastColumnLabel): "csv:\(path)"
    case .csv(let path, .label(let column)): "csv:\(path)#label=\(column)"
    case .csv(let path, .targets(let columns)): "csv:\(path)#targets=\(columns.joined(separator: ","))"
    case .npy(let inputs, let labels): "npy:\(inputs),\(labels)"
    case .npz(let path): "npz:\(path)"
    case .safetensors(let path): "safetensors:\(path)"
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
  /// MNIST-style sources ignore the synthetic settings of `options` and are always classification
  /// sets (10 classes); synthetic sources follow `options.task`; the user's files
  /// (`ArrayDataLoader`) hold labels or targets as described there and take their held-out test
  /// split from `options.seed` and `options.heldOutCount`.
  /// - Throws: `DataError` (see `MNISTLoader.load`, `SyntheticDataSpec.generate`,
  ///   `ArrayDataLoader`), `SafetensorsError` for a damaged safetensors file.
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
    case .csv(let path, let targets):
      try ArrayDataLoader.loadCSV(path: path, targets: targets, source: self, options: options)
    case .npy(let inputs, let labels):
      try ArrayDataLoader.loadNPY(inputs: inputs, labels: labels, source: self, options: options)
    case .npz(let path):
      try ArrayDataLoader.loadNPZ(path: path, source: self, options: options)
    case .safetensors(let path):
      try ArrayDataLoader.loadSafetensors(path: path, source: self, options: options)
    }
  }
}

/// Which columns of a CSV data file are the labels or targets (the rest are the inputs).
public enum CSVTargets: Equatable, Sendable {
  /// The last column holds integer class labels (the default).
  case lastColumnLabel
  /// The named column (header name or 1-based number) holds integer class labels.
  case label(String)
  /// The named columns hold real regression targets, for `--loss mse`.
  case targets([String])
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
  /// Samples held out as the test split of a user's file without its own test split
  /// (`nil`: 20 %, at most 10 000; 0: no test split). A file with a test split keeps it whole
  /// unless this is 0.
  public var heldOutCount: Int?

  /// Options; the synthetic defaults are a small problem that trains in seconds.
  public init(
    seed: UInt64, task: DataTask, syntheticInputDimension: Int = 64, syntheticOutputDimension: Int = 10,
    syntheticTrainCount: Int = 1024, syntheticTestCount: Int = 256, heldOutCount: Int? = nil
  ) {
    self.heldOutCount = heldOutCount
    self.seed = seed
    self.task = task
    self.syntheticInputDimension = syntheticInputDimension
    self.syntheticOutputDimension = syntheticOutputDimension
    self.syntheticTrainCount = syntheticTrainCount
    self.syntheticTestCount = syntheticTestCount
  }
}
