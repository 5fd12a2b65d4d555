import NumericCore

/// Loads the user's own data (`--data csv:…`, `npy:…`, `npz:…`, `safetensors:…`) into train and
/// test splits.
///
/// **Arrays.** Inputs are `[n, d]`; a higher rank is flattened per sample (`[n, 8, 8]` → `[n, 64]`).
/// Labels are `[n]` (or `[n, 1]`): with an integer or boolean dtype they are class labels `0..<C`
/// with `C = max + 1` (train and test together); with a float dtype they are class labels
/// (whole numbers) under cross-entropy and regression targets under MSE. `[n, k]` float arrays
/// with `k > 1` are regression targets (MSE only). In `.npz` and safetensors files the arrays are
/// found by name: inputs `x` / `x_train` / `inputs`, labels `y` / `y_train` / `labels` /
/// `targets`, and optionally a test split `x_test` / `inputs_test` with `y_test` / `labels_test`
/// / `targets_test`. CSV columns: see `CSVDataFile` and `CSVTargets` (labels are always class
/// labels there; `#targets=` makes regression targets).
///
/// **Test split.** A file's own test split is used whole (`heldOutCount == 0` drops it).
/// Otherwise `heldOutCount` samples (default 20 %, at most 10 000) are held out: the first ones
/// of a Fisher–Yates permutation from `SeededGenerator(seed: seed, stream: "holdout")`; both
/// splits keep the file order. One seed gives one split.
///
/// **Normalization.** As for MNIST (`InputNormalization` with scale 1): inputs minus the global
/// mean over all training values, divided by their population standard deviation; the test split
/// uses the training statistics; recorded in the provenance.
public enum ArrayDataLoader {
  /// Accepted names of the four arrays in `.npz` and safetensors files, in order of preference.
  public static let arrayNames = (
    trainInputs: ["x", "x_train", "inputs"], trainLabels: ["y", "y_train", "labels", "targets"],
    testInputs: ["x_test", "inputs_test"], testLabels: ["y_test", "labels_test", "targets_test"])

  /// The held-out fraction when no test size is given, and its cap.
  public static let defaultHeldOutFraction = 0.2
  /// The largest default held-out test split.
  public static let maximumDefaultHeldOut = 10_000

  /// The held-out test size for `count` samples without an explicit size: `⌊0.2 · count⌋`, at most 10 000.
  public static func defaultHeldOutCount(for count: Int) -> Int {
    min(Int(Double(count) * defaultHeldOutFraction), maximumDefaultHeldOut)
  }

  /// How an array of labels is read.
  enum LabelMode {
    /// By dtype and task (arrays).
    case byDType
    /// Always class labels (a CSV label column).
    case classLabels
    /// Always regression targets (CSV target columns).
    case regression
  }

  /// One array as read from a file, with lazy conversions and positions for messages.
  struct SourceArray {
    var file: String
    var name: String
    var shape: [Int]
    var dtype: String
    var isInteger: Bool
    var floats: () -> [Float]?
    var doubles: () -> [Double]?
    /// Where element `column` of sample `sample` sits, for messages.
    var position: (_ sample: Int, _ column: Int) -> String

    init(file: String, name: String, tensor: SafetensorsFile.Tensor) {
      self.file = file
      self.name = name
      shape = tensor.shape
      dtype = tensor.dtype.rawValue
      isInteger = ![.float16, .bfloat16, .float32, .float64].contains(tensor.dtype)
      floats = { tensor.floatValues() }
      doubles = { tensor.doubleValues() }
      let rank = tensor.shape.count
      position = { sample, column in rank > 1 ? "sample \(sample), feature \(column) (0-based)" : "sample \(sample) (0-based)" }
    }

    init(file: String, name: String, rows: Int, values: [Double], columns: Int, position: @escaping (Int, Int) -> String) {
      self.file = file
      self.name = name
      shape = [rows, columns]
      dtype = "csv"
      isInteger = false
      floats = { values.map { Float($0) } }
      doubles = { values }
      self.position = position
    }

    var count: Int { shape.first ?? 0 }
    var label: String { name.isEmpty ? file : "\(file) (\(name))" }
  }

  // MARK: Formats

  /// `csv:FILE`, `csv:FILE#label=COL`, `csv:FILE#targets=COL,…`.
  static func loadCSV(path: String, targets: CSVTargets, source: DataSource, options: DataLoadOptions) throws -> LoadedData {
    let file = try existingFile(path, format: "CSV")
    let table = try CSVDataFile(decoding: try readFileBytes(atPath: file), fileName: file)
    let targetColumns: [Int]
    let mode: LabelMode
    switch targets {
    case .lastColumnLabel: (targetColumns, mode) = ([table.columnCount - 1], .classLabels)
    case .label(let column): (targetColumns, mode) = ([try table.columnIndex(column, fileName: file)], .classLabels)
    case .targets(let columns): (targetColumns, mode) = (try columns.map { try table.columnIndex($0, fileName: file) }, .regression)
    }
    let inputColumns = (0..<table.columnCount).filter { !targetColumns.contains($0) }
    guard !inputColumns.isEmpty else { throw DataError.noInputColumns(file: file, columnCount: table.columnCount) }
    let n = table.rowCount, c = table.columnCount
    func gather(_ columns: [Int]) -> [Double] {
      var out = [Double]()
      out.reserveCapacity(n * columns.count)
      for row in 0..<n { for column in columns { out.append(table.values[row * c + column]) } }
      return out
    }
    func position(_ columns: [Int]) -> (Int, Int) -> String {
      { sample, k in
        let column = columns[k] + 1
        return "line \(table.lineNumbers[sample]), column \(column)" + (table.columnNames.map { " (\($0[column - 1]))" } ?? "")
      }
    }
    let inputs = SourceArray(
      file: file, name: "", rows: n, values: gather(inputColumns), columns: inputColumns.count,
      position: position(inputColumns))
    var labels = SourceArray(
      file: file, name: "", rows: n, values: gather(targetColumns), columns: targetColumns.count,
      position: position(targetColumns))
    if mode == .classLabels { labels.shape = [n] }
    return try assemble(
      source: source, files: [file], train: (inputs, labels), test: nil, mode: mode, options: options,
      classNames: table.classNames)
  }

  /// `npy:INPUTS.npy,LABELS.npy`.
  static func loadNPY(inputs: String, labels: String, source: DataSource, options: DataLoadOptions) throws -> LoadedData {
    let inputsFile = try existingFile(inputs, format: ".npy inputs")
    let labelsFile = try existingFile(labels, format: ".npy labels")
    let x = try NPYFile.decode(try readFileBytes(atPath: inputsFile), fileName: inputsFile)
    let y = try NPYFile.decode(try readFileBytes(atPath: labelsFile), fileName: labelsFile)
    return try assemble(
      source: source, files: [inputsFile, labelsFile],
      train: (SourceArray(file: inputsFile, name: "", tensor: x), SourceArray(file: labelsFile, name: "", tensor: y)),
      test: nil, mode: .byDType, options: options, classNames: nil)
  }

  /// `npz:FILE`: members `NAME.npy`.
  static func loadNPZ(path: String, source: DataSource, options: DataLoadOptions) throws -> LoadedData {
    let file = try existingFile(path, format: ".npz")
    let archive = try ZipArchive(decoding: try readFileBytes(atPath: file), fileName: file)
    var arrays = [String: String]()  // array name → member name
    for member in archive.names {
      arrays[member.hasSuffix(".npy") ? String(member.dropLast(4)) : member] = member
    }
    let available = archive.names.map { $0.hasSuffix(".npy") ? String($0.dropLast(4)) : $0 }
    return try loadNamed(source: source, file: file, available: available, options: options) { name in
      let member = arrays[name]!
      return SourceArray(
        file: file, name: name, tensor: try NPYFile.decode(archive[member]!, fileName: "\(file):\(member)"))
    }
  }

  /// `safetensors:FILE`.
  static func loadSafetensors(path: String, source: DataSource, options: DataLoadOptions) throws -> LoadedData {
    let file = try existingFile(path, format: "safetensors")
    let tensors = try SafetensorsFile(contentsOfFile: file)
    return try loadNamed(source: source, file: file, available: tensors.names, options: options) { name in
      guard let tensor = tensors[name], SafetensorsFile.Tensor.convertibleDTypes.contains(tensor.dtype) else {
        throw DataError.unsupportedDType(file: file, array: name, dtype: tensors[name]?.dtype.rawValue ?? "?")
      }
      return SourceArray(file: file, name: name, tensor: tensor)
    }
  }

  /// Finds the arrays of `arrayNames` among `available` and assembles the splits.
  private static func loadNamed(
    source: DataSource, file: String, available: [String], options: DataLoadOptions,
    array: (String) throws -> SourceArray
  ) throws -> LoadedData {
    func find(_ names: [String], role: String, required: Bool) throws -> String? {
      if let name = names.first(where: available.contains) { return name }
      if required { throw DataError.missingArray(file: file, role: role, expected: names, available: available) }
      return nil
    }
    let x = try find(arrayNames.trainInputs, role: "input", required: true)!
    let y = try find(arrayNames.trainLabels, role: "label (or target)", required: true)!
    let xTest = try find(arrayNames.testInputs, role: "test input", required: false)
    let yTest = try find(arrayNames.testLabels, role: "test label", required: xTest != nil)
    if yTest != nil && xTest == nil {
      _ = try find(arrayNames.testInputs, role: "test input (it has test labels)", required: true)
    }
    let test = try xTest.map { (try array($0), try array(yTest!)) }
    return try assemble(
      source: source, files: [file], train: (try array(x), try array(y)), test: test, mode: .byDType,
      options: options, classNames: nil)
  }

  // MARK: Assembly

  /// Checks the arrays, splits, normalizes and records the provenance.
  static func assemble(
    source: DataSource, files: [String], train: (inputs: SourceArray, labels: SourceArray),
    test explicitTest: (inputs: SourceArray, labels: SourceArray)?, mode: LabelMode, options: DataLoadOptions,
    classNames: [String]?
  ) throws -> LoadedData {
    var splits = [(inputs: [Float], dimension: Int, targets: Targets)]()
    var parts = [train]
    if let explicitTest, options.heldOutCount != 0 { parts.append(explicitTest) }
    for part in parts {
      let (inputs, dimension) = try readInputs(part.inputs)
      let targets = try readTargets(part.labels, mode: mode, task: options.task)
      guard targets.count == part.inputs.count else {
        throw DataError.sampleCountMismatch(
          inputsFile: part.inputs.label, inputCount: part.inputs.count, labelsFile: part.labels.label,
          labelCount: targets.count)
      }
      splits.append((inputs, dimension, targets))
    }
    if parts.count == 2 {
      let (a, b) = (parts[0], parts[1])
      for (trainArray, testArray) in [(a.inputs, b.inputs), (a.labels, b.labels)]
      where Array(trainArray.shape.dropFirst()) != Array(testArray.shape.dropFirst()) {
        throw DataError.splitShapeMismatch(
          trainFile: trainArray.label, trainShape: trainArray.shape, testFile: testArray.label, testShape: testArray.shape)
      }
      if splits[0].targets.isClassification != splits[1].targets.isClassification {
        throw DataError.splitShapeMismatch(
          trainFile: a.labels.label + " (\(a.labels.dtype))", trainShape: a.labels.shape,
          testFile: b.labels.label + " (\(b.labels.dtype))", testShape: b.labels.shape)
      }
    }
    let n = splits[0].targets.count
    guard n > 0 else { throw DataError.emptyDataFile(file: train.inputs.label) }
    let d = splits[0].dimension

    var (trainInputs, trainTargets) = (splits[0].inputs, splits[0].targets)
    var testPart: (inputs: [Float], targets: Targets)? = splits.count > 1 ? (splits[1].inputs, splits[1].targets) : nil
    if explicitTest == nil {
      let held = options.heldOutCount ?? defaultHeldOutCount(for: n)
      if held >= n { throw DataError.testSizeTooLarge(testSize: held, sampleCount: n) }
      if held > 0 {
        var permutation = Array(0..<n)
        var generator = SeededGenerator(seed: options.seed, stream: "holdout")
        for i in stride(from: n - 1, to: 0, by: -1) { permutation.swapAt(i, generator.nextIndex(below: i + 1)) }
        let testIndices = permutation[..<held].sorted()
        var isTest = [Bool](repeating: false, count: n)
        for i in testIndices { isTest[i] = true }
        let trainIndices = (0..<n).filter { !isTest[$0] }
        testPart = (rows(trainInputs, testIndices, width: d), trainTargets.select(testIndices))
        trainInputs = rows(trainInputs, trainIndices, width: d)
        trainTargets = trainTargets.select(trainIndices)
      }
    }

    let normalization = statistics(trainInputs)
    normalize(&trainInputs, normalization)
    if testPart != nil { normalize(&testPart!.inputs, normalization) }
    let classCount: Int? = trainTargets.classCount.map { max($0, testPart?.targets.classCount ?? 0) }
    if let classCount, classCount < 2, options.task == .classification {
      throw DataError.singleClass(file: train.labels.label)
    }
    let slug = source.slug
    let trainSet = trainTargets.dataset(name: "\(slug)-train", inputs: trainInputs, dimension: d, classCount: classCount)
    let testSet = testPart.map { $0.targets.dataset(name: "\(slug)-test", inputs: $0.inputs, dimension: d, classCount: classCount) }
    let provenance = DataProvenance(
      source: source.description, slug: slug, files: files, trainCount: trainSet.count, testCount: testSet?.count ?? 0,
      inputDimension: d, targetDimension: trainSet.targetDimension, classCount: classCount, normalization: normalization,
      classNames: classNames, heldOut: explicitTest == nil && testSet != nil
        ? HeldOutSplit(count: testSet!.count, seed: options.seed, stream: "holdout") : nil)
    return LoadedData(train: trainSet, test: testSet, provenance: provenance)
  }

  /// Labels or targets of one split.
  enum Targets {
    case classes([Int32])
    case values([Float], width: Int)

    var count: Int {
      switch self {
      case .classes(let labels): labels.count
      case .values(let values, let width): values.count / width
      }
    }

    var isClassification: Bool { if case .classes = self { true } else { false } }

    var classCount: Int? {
      if case .classes(let labels) = self { Int(labels.max() ?? 0) + 1 } else { nil }
    }

    func select(_ indices: [Int]) -> Targets {
      switch self {
      case .classes(let labels): .classes(indices.map { labels[$0] })
      case .values(let values, let width): .values(rows(values, indices, width: width), width: width)
      }
    }

    func dataset(name: String, inputs: [Float], dimension: Int, classCount: Int?) -> Dataset {
      switch self {
      case .classes(let labels):
        Dataset(name: name, inputDimension: dimension, inputs: inputs, labels: labels, classCount: classCount!)
      case .values(let values, let width):
        Dataset(name: name, inputDimension: dimension, inputs: inputs, regressionTargets: values, targetDimension: width)
      }
    }
  }

  /// The inputs flattened per sample, checked to be finite.
  private static func readInputs(_ array: SourceArray) throws -> ([Float], Int) {
    guard array.shape.count >= 2 else {
      throw DataError.wrongRank(
        file: array.file, array: array.name.isEmpty ? "inputs" : array.name, shape: array.shape,
        expected: "inputs of rank 2 or more, [n, d] (one row per sample; a single feature is [n, 1])")
    }
    guard let values = array.floats() else {
      throw DataError.unsupportedDType(file: array.file, array: array.name.isEmpty ? nil : array.name, dtype: array.dtype)
    }
    let d = array.shape.dropFirst().reduce(1, *)
    guard d > 0 else {
      throw DataError.wrongRank(
        file: array.file, array: array.name.isEmpty ? "inputs" : array.name, shape: array.shape,
        expected: "at least one feature per sample")
    }
    if let index = values.firstIndex(where: { !$0.isFinite }) {
      // The value as stored: a finite float64 beyond Float's range shows as itself, not as inf.
      let stored = array.doubles()?[index] ?? Double(values[index])
      throw DataError.nonFiniteInput(file: array.file, position: array.position(index / d, index % d), value: stored)
    }
    return (values, d)
  }

  /// Class labels or regression targets, by `mode`, dtype and task.
  private static func readTargets(_ array: SourceArray, mode: LabelMode, task: DataTask) throws -> Targets {
    let name = array.name.isEmpty ? "labels" : array.name
    let shape = array.shape
    let isColumn = shape.count == 1 || (shape.count == 2 && shape[1] == 1)
    let regression: Bool
    switch mode {
    case .classLabels: regression = false
    case .regression: regression = true
    case .byDType:
      guard shape.count == 1 || shape.count == 2 else {
        throw DataError.wrongRank(
          file: array.file, array: name, shape: shape,
          expected: "labels [n] (class labels or one target) or targets [n, k] (regression)")
      }
      if !isColumn && task == .classification {
        throw DataError.wrongRank(
          file: array.file, array: name, shape: shape,
          expected: "class labels [n] for cross-entropy ([n, k] targets need --loss mse)")
      }
      regression = !isColumn || (!array.isInteger && task == .regression)
    }
    guard let values = array.doubles() else {
      throw DataError.unsupportedDType(file: array.file, array: array.name.isEmpty ? nil : array.name, dtype: array.dtype)
    }
    if regression {
      let width = shape.count == 1 ? 1 : shape.dropFirst().reduce(1, *)
      if let index = values.firstIndex(where: { !$0.isFinite }) {
        throw DataError.nonFiniteTarget(file: array.file, position: array.position(index / width, index % width), value: values[index])
      }
      return .values(values.map { Float($0) }, width: width)
    }
    var labels = [Int32]()
    labels.reserveCapacity(values.count)
    for (i, value) in values.enumerated() {
      guard value >= 0, value < Double(maximumClassCount), value.rounded() == value else {
        let hint = switch mode {
        case .classLabels: ", or name regression target columns with csv:FILE#targets=COL and use --loss mse"
        case .byDType: ", or use --loss mse to train on float targets"
        case .regression: ""
        }
        throw DataError.invalidClassLabel(file: array.file, position: array.position(i, 0), value: value, regressionHint: hint)
      }
      labels.append(Int32(value))
    }
    return .classes(labels)
  }

  /// The path if it names an existing file.
  private static func existingFile(_ path: String, format: String) throws -> String {
    guard fileExists(atPath: path) else { throw DataError.dataFileNotFound(path: path, format: format) }
    return absolutePath(path)
  }

  /// Global mean and population standard deviation (1 for constant inputs), in `Double`.
  private static func statistics(_ values: [Float]) -> InputNormalization {
    var sum = 0.0
    for v in values { sum += Double(v) }
    let mean = sum / Double(max(values.count, 1))
    var squares = 0.0
    for v in values {
      let deviation = Double(v) - mean
      squares += deviation * deviation
    }
    let variance = squares / Double(max(values.count, 1))
    return InputNormalization(scale: 1, mean: mean, standardDeviation: variance > 0 ? variance.squareRoot() : 1)
  }

  private static func normalize(_ values: inout [Float], _ normalization: InputNormalization) {
    let (mean, deviation) = (normalization.mean, normalization.standardDeviation)
    for i in values.indices { values[i] = Float((Double(values[i]) - mean) / deviation) }
  }
}

/// Rows `indices` of a row-major matrix of `width` columns.
private func rows(_ values: [Float], _ indices: [Int], width: Int) -> [Float] {
  var out = [Float]()
  out.reserveCapacity(indices.count * width)
  for i in indices { out.append(contentsOf: values[(i * width)..<((i + 1) * width)]) }
  return out
}
