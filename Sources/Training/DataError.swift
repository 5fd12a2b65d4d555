/// Everything a user, a data file or a data option can get wrong while loading and batching data.
///
/// Every message is a sentence saying what was expected, what was found, and how to fix it.
/// File names in cases are the names as seen by the user (a path or a base name).
public enum DataError: Error, Equatable, CustomStringConvertible {
  // MARK: Data source strings and options

  /// A `--data` string that is not one of `DataSource.acceptedForms`.
  case unknownDataSource(given: String)
  /// A data source that needs a directory (`mnist`) was given without one.
  case dataSourceNeedsDirectory(given: String)
  /// A size of the synthetic data set (`name` is e.g. "input dimension") is out of range.
  case invalidSyntheticSize(name: String, value: Int, minimum: Int)

  // MARK: Files and directories

  /// The directory of an MNIST-style data set does not exist (or is not a directory).
  case directoryNotFound(MNISTVariant, directory: String)
  /// A file of an MNIST-style data set is in neither its raw nor its `.gz` form.
  case fileNotFound(MNISTVariant, directory: String, file: String)
  /// A file exists but could not be read.
  case unreadableFile(path: String, reason: String)

  // MARK: gzip

  /// The gzip stream of `file` is damaged (bad header, bad deflate data or checksum).
  case corruptGzip(file: String, reason: String)
  /// The gzip stream of `file` ends before its end marker; `decompressedBytes` were recovered.
  case truncatedGzip(file: String, decompressedBytes: Int)
  /// Bytes after the last complete gzip member of `file` that do not start another member.
  case trailingGzipData(file: String, trailingBytes: Int)

  // MARK: IDX

  /// The first four bytes of an IDX file are not the expected magic number.
  case badMagic(file: String, expected: UInt32, found: UInt32)
  /// The IDX header (magic and dimensions) is cut short.
  case truncatedHeader(file: String, expectedBytes: Int, foundBytes: Int)
  /// The payload is shorter than the product of the dimensions in the header.
  case truncatedPayload(file: String, dimensions: [Int], expectedBytes: Int, foundBytes: Int)
  /// The payload is longer than the product of the dimensions in the header.
  case trailingPayload(file: String, dimensions: [Int], expectedBytes: Int, foundBytes: Int)
  /// An image file whose dimensions hold no data.
  case emptyFile(file: String, dimensions: [Int])
  /// A class label outside `0..<classCount`.
  case labelOutOfRange(file: String, index: Int, value: Int, classCount: Int)
  /// An image file and its label file disagree on the number of samples.
  case countMismatch(imagesFile: String, imageCount: Int, labelsFile: String, labelCount: Int)
  /// Train and test images have different sizes.
  case imageShapeMismatch(trainFile: String, trainShape: [Int], testFile: String, testShape: [Int])

  // MARK: Your own data files (CSV, .npy, .npz, safetensors)

  /// A `--data` form that parses but is incomplete or malformed (`reason` says how).
  case invalidDataSource(given: String, reason: String)
  /// A data file does not exist (or is a directory).
  case dataFileNotFound(path: String, format: String)
  /// A data file holds no samples.
  case emptyDataFile(file: String)
  /// A CSV line has a different number of cells than the first line.
  case raggedCSVRow(file: String, line: Int, expected: Int, found: Int, firstLine: Int)
  /// A CSV cell that is not a number.
  case nonNumericCSVCell(file: String, line: Int, column: Int, name: String?, text: String)
  /// A scikit-learn header line announces another number of samples than the file has rows.
  case csvHeaderCountMismatch(file: String, announced: Int, found: Int)
  /// A label or target column named in `--data csv:FILE#…` that the file does not have.
  case unknownCSVColumn(file: String, column: String, names: [String]?, columnCount: Int)
  /// A CSV file with no column left for the inputs.
  case noInputColumns(file: String, columnCount: Int)
  /// A file without the `.npy` magic bytes.
  case notNPY(file: String)
  /// An `.npy` format version other than 1, 2 or 3.
  case unsupportedNPYVersion(file: String, major: Int, minor: Int)
  /// An `.npy` header that is not the expected dict literal.
  case invalidNPYHeader(file: String, header: String, reason: String)
  /// An array stored in Fortran (column-major) order.
  case fortranOrderArray(file: String)
  /// An array stored big-endian.
  case bigEndianArray(file: String, descr: String)
  /// An array whose element type cannot be used (`array` names it inside an archive).
  case unsupportedDType(file: String, array: String?, dtype: String)
  /// A zip archive (`.npz`) that cannot be read.
  case invalidZip(file: String, reason: String)
  /// None of the accepted names of an array is in the file.
  case missingArray(file: String, role: String, expected: [String], available: [String])
  /// An array of the wrong rank (`expected` describes the accepted shapes).
  case wrongRank(file: String, array: String, shape: [Int], expected: String)
  /// Inputs and labels (or targets) disagree on the number of samples.
  case sampleCountMismatch(inputsFile: String, inputCount: Int, labelsFile: String, labelCount: Int)
  /// Train and test inputs have different feature counts, or targets different widths.
  case splitShapeMismatch(trainFile: String, trainShape: [Int], testFile: String, testShape: [Int])
  /// A NaN or infinite input value (`position` is "line 12, column 3" or "sample 11, feature 2").
  case nonFiniteInput(file: String, position: String, value: Double)
  /// A NaN or infinite regression target.
  case nonFiniteTarget(file: String, position: String, value: Double)
  /// A class label that is negative, not a whole number, or implausibly large.
  case invalidClassLabel(file: String, position: String, value: Double, regressionHint: String)
  /// Class labels that are all 0: cross-entropy needs at least two classes.
  case singleClass(file: String)
  /// A held-out test split that would leave no training sample.
  case testSizeTooLarge(testSize: Int, sampleCount: Int)

  // MARK: Training setup

  /// Cross-entropy was asked for on a data set without class labels.
  case crossEntropyNeedsLabels(dataset: String)
  /// A batch size that is not positive.
  case invalidBatchSize(Int)
  /// A batch larger than the data set (the sampler drops incomplete batches, so no batch would be drawn).
  case batchLargerThanDataset(batchSize: Int, count: Int)

  /// A sentence (or two) with what was expected, what was found, and how to fix it.
  public var description: String {
    switch self {
    case .unknownDataSource(let given):
      "Unknown data source '\(given)'. Expected one of: \(DataSource.acceptedForms.joined(separator: ", "))."
    case .dataSourceNeedsDirectory(let given):
      "The data source '\(given)' needs a directory holding the four IDX files: pass '\(given):DIR' "
        + "(for example mnist:data/mnist)."
    case .invalidSyntheticSize(let name, let value, let minimum):
      "The synthetic data \(name) must be at least \(minimum), got \(value). Set it to \(minimum) or more."

    case .directoryNotFound(let variant, let directory):
      "The \(variant.displayName) directory '\(directory)' does not exist. It should hold "
        + "\(MNISTVariant.fileNames.joined(separator: ", ")) (each raw or .gz). \(variant.howToObtain)"
    case .fileNotFound(let variant, let directory, let file):
      "\(variant.displayName) file '\(file)' is missing: looked for \(file) and \(file).gz in '\(directory)' "
        + "and found neither. The directory must hold \(MNISTVariant.fileNames.joined(separator: ", ")) "
        + "(each raw or .gz). \(variant.howToObtain)"
    case .unreadableFile(let path, let reason):
      "Could not read '\(path)': \(reason). Check that the file exists and is readable."

    case .corruptGzip(let file, let reason):
      "\(file) is not a valid gzip file (zlib: \(reason)). Re-download the file, or decompress it with "
        + "'gunzip' to see whether the copy is damaged."
    case .truncatedGzip(let file, let decompressedBytes):
      "\(file) is truncated: its gzip stream ends before the end marker, after \(decompressedBytes) "
        + "decompressed bytes. Re-download the file or point --data at a complete copy."
    case .trailingGzipData(let file, let trailingBytes):
      "\(file) has \(trailingBytes) bytes after the end of its gzip stream that are not another gzip "
        + "member. Re-download the file or decompress it with 'gunzip' and use the raw file."

    case .badMagic(let file, let expected, let found):
      "\(file) does not start with the IDX magic number \(hex(expected)) (\(idxMeaning(expected))); "
        + "it starts with \(hex(found))\(idxMeaningSuffix(found)). Check that the file is the right one "
        + "of the four and is not damaged."
    case .truncatedHeader(let file, let expectedBytes, let foundBytes):
      "\(file) is truncated: an IDX header needs \(expectedBytes) bytes but the file holds \(foundBytes). "
        + "Re-download the file or point --data at a complete copy."
    case .truncatedPayload(let file, let dimensions, let expectedBytes, let foundBytes):
      "\(file) is truncated: the header announces \(announced(dimensions, expectedBytes)) bytes of "
        + "\(payloadName(dimensions)) but the file holds \(foundBytes). Re-download the file or point "
        + "--data at a complete copy."
    case .trailingPayload(let file, let dimensions, let expectedBytes, let foundBytes):
      "\(file) is too long: the header announces \(announced(dimensions, expectedBytes)) bytes of "
        + "\(payloadName(dimensions)) but the file holds \(foundBytes). The file is damaged or its header "
        + "does not match its data (not an MNIST-style IDX file, or an .npy file written by hand); re-download or re-create it."
    case .emptyFile(let file, let dimensions):
      "\(file) holds no images: its header announces \(product(dimensions)). Re-download the file or "
        + "point --data at a complete copy."
    case .labelOutOfRange(let file, let index, let value, let classCount):
      "\(file) holds label \(value) at sample \(index), but labels must lie in 0..<\(classCount). "
        + "The file is damaged or not a label file of this data set; re-download it."
    case .countMismatch(let imagesFile, let imageCount, let labelsFile, let labelCount):
      "\(imagesFile) holds \(imageCount) images but \(labelsFile) holds \(labelCount) labels; they must "
        + "match one to one. Use the image and label files of the same release and split."
    case .imageShapeMismatch(let trainFile, let trainShape, let testFile, let testShape):
      "\(trainFile) holds images of \(product(trainShape)) pixels but \(testFile) holds "
        + "\(product(testShape)); train and test images must have the same size. Use files of the same data set."

    case .invalidDataSource(let given, let reason):
      "The data source '\(given)' is incomplete: \(reason). Accepted forms: \(DataSource.acceptedForms.joined(separator: ", "))."
    case .dataFileNotFound(let path, let format):
      "The \(format) file '\(path)' does not exist. Check the path (relative paths start at the current directory)."
    case .emptyDataFile(let file):
      "\(file) holds no samples. Expected at least one data row or sample; point --data at the complete file."
    case .raggedCSVRow(let file, let line, let expected, let found, let firstLine):
      "\(file), line \(line): \(found) cells, but line \(firstLine) has \(expected). Every row needs the same "
        + "number of comma-separated cells; fix or remove line \(line)."
    case .nonNumericCSVCell(let file, let line, let column, let name, let text):
      "\(file), line \(line), column \(column)\(name.map { " (\($0))" } ?? ""): '\(text)' is not a number. "
        + "Every cell below the header must be numeric (no missing values, categories as integer codes); "
        + "fix that cell or drop the column."
    case .csvHeaderCountMismatch(let file, let announced, let found):
      "\(file) starts with a scikit-learn header announcing \(announced) samples, but \(found) data rows follow. "
        + "The file is truncated or was edited; restore it, or fix the count in its first line."
    case .unknownCSVColumn(let file, let column, let names, let columnCount):
      "\(file) has no column '\(column)'. "
        + (names.map { "Its columns are: \($0.joined(separator: ", ")); " } ?? "It has no header line; ")
        + "name a column by its header name or by its number 1…\(columnCount)."
    case .noInputColumns(let file, let columnCount):
      "\(file) has \(columnCount) column(s), all of them targets: no column is left for the inputs. "
        + "Name fewer target columns."
    case .notNPY(let file):
      "\(file) is not a NumPy .npy file: it does not start with the magic bytes \\x93NUMPY. "
        + "Save the array with numpy.save (or pass the right file)."
    case .unsupportedNPYVersion(let file, let major, let minor):
      "\(file) is .npy format version \(major).\(minor); versions 1.0, 2.0 and 3.0 are supported. "
        + "Re-save it with numpy.save."
    case .invalidNPYHeader(let file, let header, let reason):
      "\(file) has a damaged .npy header (\(reason)): \(header). Expected "
        + "{'descr': '<f4', 'fortran_order': False, 'shape': (n, d), }; re-save the array with numpy.save."
    case .fortranOrderArray(let file):
      "\(file) stores its array in Fortran (column-major) order; C (row-major) order is required. "
        + "Re-save it with numpy.save(path, numpy.ascontiguousarray(array))."
    case .bigEndianArray(let file, let descr):
      "\(file) stores big-endian values (dtype '\(descr)'); little-endian is required. "
        + "Convert it with array.astype(array.dtype.newbyteorder('<')) and save again."
    case .unsupportedDType(let file, let array, let dtype):
      "\(file)\(array.map { ", array '\($0)'," } ?? "") has element type '\(dtype)', which is not supported. "
        + "Expected booleans, integers (int8…int64, uint8…uint64) or floats (float16, bfloat16, float32, float64); "
        + "convert it with astype(numpy.float32) (inputs) or astype(numpy.int64) (labels)."
    case .invalidZip(let file, let reason):
      "\(file) is not a readable .npz (zip) archive: \(reason). Re-create it with numpy.savez or numpy.savez_compressed."
    case .missingArray(let file, let role, let expected, let available):
      "\(file) has no \(role) array: expected one named \(expected.joined(separator: " or ")), found "
        + "\(available.isEmpty ? "no arrays" : available.joined(separator: ", ")). Save it under one of the expected names, "
        + "e.g. numpy.savez(path, x=inputs, y=labels)."
    case .wrongRank(let file, let array, let shape, let expected):
      "\(file): array '\(array)' has shape \(shape), expected \(expected). Reshape it before saving."
    case .sampleCountMismatch(let inputsFile, let inputCount, let labelsFile, let labelCount):
      "\(inputsFile) holds \(inputCount) samples but \(labelsFile) holds \(labelCount) labels or targets; they must "
        + "match one to one (first dimension). Save inputs and labels of the same samples."
    case .splitShapeMismatch(let trainFile, let trainShape, let testFile, let testShape):
      "\(trainFile) has shape \(trainShape) but \(testFile) has shape \(testShape): train and test must agree in every "
        + "dimension but the first, and their labels in kind (integer class labels, or float targets under --loss mse). "
        + "Save both splits with the same features and label dtype."
    case .nonFiniteInput(let file, let position, let value):
      "\(file), \(position): input value \(value) is not finite. Inputs must be finite numbers; "
        + "impute or drop missing values before loading."
    case .nonFiniteTarget(let file, let position, let value):
      "\(file), \(position): target value \(value) is not finite. Targets must be finite numbers; "
        + "drop or fix those samples."
    case .invalidClassLabel(let file, let position, let value, let regressionHint):
      "\(file), \(position): class label \(value) is not a whole number in 0..<\(maximumClassCount). "
        + "Cross-entropy needs integer class labels 0, 1, 2, …; re-encode the labels\(regressionHint)."
    case .singleClass(let file):
      "\(file) has only class 0: cross-entropy needs labels of at least two classes (0 and 1). Check the label "
        + "column or array, or train real targets with --loss mse."
    case .testSizeTooLarge(let testSize, let sampleCount):
      "--test-size \(testSize) would hold out all \(sampleCount) samples, leaving none to train on. "
        + "Pass a test size below \(sampleCount) (0: no test split)."

    case .crossEntropyNeedsLabels(let dataset):
      "Cross-entropy needs class labels, but the data set '\(dataset)' has only regression targets. "
        + "Use the mse loss, or a classification data set."
    case .invalidBatchSize(let batchSize):
      "The batch size must be at least 1, got \(batchSize). Pass a positive batch size."
    case .batchLargerThanDataset(let batchSize, let count):
      "The batch size \(batchSize) is larger than the \(count) training samples, so not one full batch "
        + "fits (incomplete batches are dropped). Use a batch size of at most \(count)."
    }
  }
}

/// The largest class count file-based data may imply (labels beyond it are treated as invalid).
let maximumClassCount = 100_000

private func hex(_ value: UInt32) -> String {
  let digits = String(value, radix: 16)
  return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

/// `60000×28×28` for `[60000, 28, 28]`.
private func product(_ dimensions: [Int]) -> String {
  dimensions.map(String.init).joined(separator: "×")
}

/// `60000×28×28 = 47040000` for several dimensions, `60000` for one.
private func announced(_ dimensions: [Int], _ bytes: Int) -> String {
  dimensions.count > 1 ? "\(product(dimensions)) = \(bytes)" : "\(bytes)"
}

private func payloadName(_ dimensions: [Int]) -> String {
  switch dimensions.count {
  case 1: "labels"
  case 3: "pixels"
  default: "data"
  }
}

private func idxMeaning(_ magic: UInt32) -> String {
  switch magic {
  case IDXFile.Kind.images.magic: "unsigned bytes in 3 dimensions: an image file"
  case IDXFile.Kind.labels.magic: "unsigned bytes in 1 dimension: a label file"
  default: "an IDX file of type code \(magic >> 8 & 0xFF) with \(magic & 0xFF) dimensions"
  }
}

private func idxMeaningSuffix(_ magic: UInt32) -> String {
  if magic >> 16 != 0 { return ", so it is not an IDX file" }
  return " (\(idxMeaning(magic)))"
}
