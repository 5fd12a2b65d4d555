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
        + "\(payloadName(dimensions)) but the file holds \(foundBytes). The file is damaged or not an "
        + "MNIST-style IDX file; re-download it."
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
