/// The two MNIST-style data sets: same file names, same IDX layout, 10 classes of 28×28 images.
public enum MNISTVariant: String, Codable, CaseIterable, Sendable {
  /// Handwritten digits (LeCun, Cortes, Burges).
  case mnist
  /// Zalando article images (Xiao, Rasul, Vollgraf), a drop-in replacement for MNIST.
  case fashionMNIST = "fashion-mnist"

  /// The standard file names: train images, train labels, test images, test labels. Each may
  /// also be present with a `.gz` suffix.
  public static let fileNames = [
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
  ]

  /// Number of classes of both data sets.
  public static let classCount = 10

  /// Name for messages: `MNIST`, `Fashion-MNIST`.
  public var displayName: String {
    switch self {
    case .mnist: "MNIST"
    case .fashionMNIST: "Fashion-MNIST"
    }
  }

  /// How a user gets the files, for error messages.
  public var howToObtain: String {
    switch self {
    case .mnist:
      "Get the four MNIST IDX files from an MNIST distribution (torchvision's datasets.MNIST(root, download=True) "
        + "writes them to root/MNIST/raw) and pass --data mnist:DIR with DIR their folder."
    case .fashionMNIST:
      "Install them with 'sudo apt-get install dataset-fashion-mnist' (into \(DataSource.defaultFashionMNISTDirectory)), "
        + "or pass --data fashion-mnist:DIR with DIR the folder of the four IDX files."
    }
  }
}

/// Loads MNIST or Fashion-MNIST (train and test splits) from a directory of IDX files.
///
/// Inputs are `pixel / 255`, standardized by the global mean and standard deviation of the
/// training images (the test split uses the training statistics); both are recorded in the
/// provenance. Decoding works on byte buffers through a 256-entry lookup table, with no generic
/// per-element code.
public enum MNISTLoader {
  /// The train and test splits of `variant` from `directory`, which holds the four files of
  /// `MNISTVariant.fileNames`, each raw or `.gz` (the raw form is used when both exist).
  ///
  /// Shapes: `train.inputs` is `60000 × 784`, `test.inputs` `10000 × 784` for the standard files.
  /// - Throws: `DataError.directoryNotFound`, `.fileNotFound` (before reading anything);
  ///   file errors of `IDXFile`; `.countMismatch` when images and labels differ in number;
  ///   `.labelOutOfRange` for a label ≥ 10; `.emptyFile` for an image file without pixels;
  ///   `.imageShapeMismatch` if train and test image sizes differ.
  public static func load(_ variant: MNISTVariant, directory: String) throws -> LoadedData {
    let directory = absolutePath(directory)
    guard directoryExists(atPath: directory) else { throw DataError.directoryNotFound(variant, directory: directory) }
    let paths = try MNISTVariant.fileNames.map { name in
      let candidates = [name, name + ".gz"].map { joinPath(directory, $0) }
      guard let path = candidates.first(where: fileExists(atPath:)) else {
        throw DataError.fileNotFound(variant, directory: directory, file: name)
      }
      return path
    }

    let (trainImages, trainLabels) = try readSplit(images: paths[0], labels: paths[1])
    let (testImages, testLabels) = try readSplit(images: paths[2], labels: paths[3])
    guard testImages.sampleSize == trainImages.sampleSize else {
      throw DataError.imageShapeMismatch(
        trainFile: paths[0], trainShape: Array(trainImages.dimensions.dropFirst()),
        testFile: paths[2], testShape: Array(testImages.dimensions.dropFirst()))
    }

    let normalization = pixelStatistics(trainImages)
    let table = lookupTable(normalization)
    let inputDimension = trainImages.sampleSize
    let train = Dataset(
      name: "\(variant.rawValue)-train", inputDimension: inputDimension, inputs: normalize(trainImages, table: table),
      labels: trainLabels, classCount: MNISTVariant.classCount)
    let test = Dataset(
      name: "\(variant.rawValue)-test", inputDimension: inputDimension, inputs: normalize(testImages, table: table),
      labels: testLabels, classCount: MNISTVariant.classCount)
    let provenance = DataProvenance(
      source: "\(variant.rawValue):\(directory)", slug: variant.rawValue, directory: directory, files: paths,
      trainCount: train.count, testCount: test.count, inputDimension: inputDimension,
      targetDimension: MNISTVariant.classCount, classCount: MNISTVariant.classCount, normalization: normalization)
    return LoadedData(train: train, test: test, provenance: provenance)
  }

  /// The images and the checked labels of one split.
  private static func readSplit(images imagesPath: String, labels labelsPath: String) throws -> (IDXFile, [Int32]) {
    let images = try IDXFile(contentsOfFile: imagesPath, kind: .images)
    guard images.payload.count > 0 else { throw DataError.emptyFile(file: imagesPath, dimensions: images.dimensions) }
    let labelFile = try IDXFile(contentsOfFile: labelsPath, kind: .labels)
    guard images.count == labelFile.count else {
      throw DataError.countMismatch(
        imagesFile: imagesPath, imageCount: images.count, labelsFile: labelsPath, labelCount: labelFile.count)
    }
    let labels = labelFile.withUnsafePayload { bytes in
      [Int32](unsafeUninitializedCapacity: bytes.count) { out, initialized in
        for i in 0..<bytes.count { out[i] = Int32(bytes[i]) }
        initialized = bytes.count
      }
    }
    if let index = labels.firstIndex(where: { $0 >= MNISTVariant.classCount }) {
      throw DataError.labelOutOfRange(
        file: labelsPath, index: index, value: Int(labels[index]), classCount: MNISTVariant.classCount)
    }
    return (images, labels)
  }

  /// Mean and population standard deviation of `pixel / 255` over all pixels, from a histogram
  /// of the 256 byte values (exact, and one integer pass over the bytes).
  private static func pixelStatistics(_ images: IDXFile) -> InputNormalization {
    // Four interleaved histograms, summed at the end: consecutive equal bytes (most pixels are 0)
    // then update different counters instead of waiting on one another.
    var counts = [Int](repeating: 0, count: 4 * 256)
    images.withUnsafePayload { bytes in
      counts.withUnsafeMutableBufferPointer { h in
        let n = bytes.count
        var i = 0
        while i + 4 <= n {
          h[Int(bytes[i])] += 1
          h[256 + Int(bytes[i + 1])] += 1
          h[512 + Int(bytes[i + 2])] += 1
          h[768 + Int(bytes[i + 3])] += 1
          i += 4
        }
        while i < n {
          h[Int(bytes[i])] += 1
          i += 1
        }
      }
    }
    var histogram = [Int](repeating: 0, count: 256)
    for (i, n) in counts.enumerated() { histogram[i % 256] += n }
    let total = Double(images.payload.count)
    let scale = 1.0 / 255
    var mean = 0.0
    for (value, n) in histogram.enumerated() { mean += Double(n) * Double(value) * scale }
    mean /= total
    var variance = 0.0
    for (value, n) in histogram.enumerated() {
      let deviation = Double(value) * scale - mean
      variance += Double(n) * deviation * deviation
    }
    variance /= total
    let standardDeviation = variance > 0 ? variance.squareRoot() : 1
    return InputNormalization(scale: scale, mean: mean, standardDeviation: standardDeviation)
  }

  /// `table[v] = (v · scale − mean) / standardDeviation` for every byte value `v`.
  private static func lookupTable(_ normalization: InputNormalization) -> [Float] {
    (0..<256).map { value in
      Float((Double(value) * normalization.scale - normalization.mean) / normalization.standardDeviation)
    }
  }

  /// The payload bytes mapped through `table`.
  private static func normalize(_ images: IDXFile, table: [Float]) -> [Float] {
    images.withUnsafePayload { bytes in
      table.withUnsafeBufferPointer { t in
        [Float](unsafeUninitializedCapacity: bytes.count) { out, initialized in
          for i in 0..<bytes.count { out[i] = t[Int(bytes[i])] }
          initialized = bytes.count
        }
      }
    }
  }
}
