import Foundation

/// MNIST-1D (Greydanus, "Scaling down deep learning", arXiv 2011.14439; the `mnist1d` Python
/// package, Apache-2.0): 10 classes of 1-D signals of length 40, generated from one hand-made
/// template of 12 points per digit by random padding, dilation, scaling, translation, correlated
/// and iid noise, shear and subsampling. Small (4000 training and 1000 test samples), made in well
/// under a second without any download, and far harder for a linear model than its size suggests.
///
/// This is the package's published generator (`mnist1d.data.make_dataset` with its default
/// arguments) re-implemented from its algorithm: with NumPy's legacy random stream
/// (`NumPyLegacyRandom`) seeded like `np.random.seed(42)` and NumPy's pairwise summation, it
/// produces the package's samples bit for bit — a test compares them with the Python package
/// when it is installed.
public enum MNIST1D {
  /// The generator's settings (the package's `get_dataset_args()` defaults).
  public struct Settings: Equatable, Sendable {
    public var sampleCount = 5000
    public var trainFraction = 0.8
    public var templateLength = 12
    /// Zeros appended to a template before dilation: uniform in this range.
    public var padding = 36...60
    public var scaleCoefficient = 0.4
    public var maxTranslation = 48
    public var correlatedNoiseScale = 0.25
    public var iidNoiseScale = 2e-2
    public var shearScale = 0.75
    public var finalLength = 40
    public var seed: UInt32 = 42

    /// The package's defaults.
    public init() {}
  }

  /// The generated splits: row-major `[count, finalLength]` inputs (standardized over the whole
  /// set, as the package does) and labels `0..<10`.
  public struct Samples: Sendable {
    public var trainInputs: [Double]
    public var trainLabels: [Int]
    public var testInputs: [Double]
    public var testLabels: [Int]
    public var length: Int
  }

  /// The package's 10 templates (12 points each), before whitening.
  static let rawTemplates: [[Double]] = [
    [5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5],
    [5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5],
    [5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5],
    [5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5],
    [5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5],
    [5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5],
    [5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5],
    [5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5],
    [5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5],
    [5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5],
  ]

  /// The templates: each whitened (zero mean, unit standard deviation), shifted to start at 0,
  /// and divided by 6.
  static func templates() -> [[Double]] {
    rawTemplates.map { raw in
      let mean = pairwiseSum(raw[...]) / Double(raw.count)
      var x = raw.map { $0 - mean }
      let sd = standardDeviation(x[...])
      x = x.map { $0 / sd }
      let first = x[0]
      return x.map { ($0 - first) / 6.0 }
    }
  }

  /// Generates the data set. Deterministic: the same settings give the same samples.
  public static func generate(_ settings: Settings = Settings()) -> Samples {
    var random = NumPyLegacyRandom(seed: settings.seed)
    let templates = templates()
    let perClass = settings.sampleCount / templates.count
    var signals = [[Double]]()
    var labels = [Int]()
    signals.reserveCapacity(perClass * templates.count)
    for label in templates.indices {
      for _ in 0..<perClass {
        signals.append(transform(templates[label], settings, &random))
        labels.append(label)
      }
    }
    let order = random.permutation(signals.count)
    let length = settings.finalLength
    var flat = [Double]()
    flat.reserveCapacity(signals.count * length)
    for i in order { flat += signals[i] }
    labels = order.map { labels[$0] }
    let mean = pairwiseSum(flat[...]) / Double(flat.count)
    let sd = standardDeviation(flat[...])
    flat = flat.map { ($0 - mean) / sd }
    let split = Int(Double(labels.count) * settings.trainFraction)
    return Samples(
      trainInputs: Array(flat[..<(split * length)]), trainLabels: Array(labels[..<split]),
      testInputs: Array(flat[(split * length)...]), testLabels: Array(labels[split...]), length: length)
  }

  /// One sample from a template (the package's `transform`, in its order of random draws).
  static func transform(_ template: [Double], _ s: Settings, _ random: inout NumPyLegacyRandom) -> [Double] {
    // Pad with a random number of zeros, then dilate to templateLength + the largest padding.
    let padding = s.padding.lowerBound + Int(random.nextDouble() * Double(s.padding.count))
    var x = template.map { $0 + 1e-8 } + [Double](repeating: 0, count: padding)
    let dilated = s.templateLength + s.padding.upperBound
    x = interpolate(x, to: dilated)
    let scale = 1 + s.scaleCoefficient * (random.nextDouble() - 0.5)
    x = x.map { $0 * scale }
    let k = random.nextInt(below: s.maxTranslation)
    if k > 0 { x = Array(x[(x.count - k)...] + x[..<(x.count - k)]) }
    // Correlated noise where the signal is exactly zero, then iid noise everywhere.
    let raw = (0..<x.count).map { _ in s.correlatedNoiseScale * random.nextGaussian() }
    let correlated = gaussianFilter(raw, sigma: 2)
    x = x.indices.map { x[$0] != 0 ? x[$0] : correlated[$0] }
    let iid = (0..<x.count).map { _ in s.iidNoiseScale * random.nextGaussian() }
    x = x.indices.map { x[$0] + iid[$0] }
    let shear = s.shearScale * (random.nextDouble() - 0.5)
    let ramp = linspace(-0.5, 0.5, x.count)
    x = x.indices.map { x[$0] - shear * ramp[$0] }
    return interpolate(x, to: s.finalLength)
  }

  /// NumPy's `linspace(start, stop, count)`: `i·step + start`, the last point exactly `stop`.
  static func linspace(_ start: Double, _ stop: Double, _ count: Int) -> [Double] {
    guard count > 1 else { return count == 1 ? [start] : [] }
    let step = (stop - start) / Double(count - 1)
    var values = (0..<count).map { Double($0) * step + start }
    values[count - 1] = stop
    return values
  }

  /// Linear resampling of `y` on `linspace(0, 1, y.count)` at `linspace(0, 1, count)`, as
  /// `numpy.interp` computes it (a knot returns its value exactly).
  static func interpolate(_ y: [Double], to count: Int) -> [Double] {
    let xp = linspace(0, 1, y.count)
    let slopes = (0..<(y.count - 1)).map { (i: Int) -> Double in
      let rise: Double = y[i + 1] - y[i]
      let run: Double = xp[i + 1] - xp[i]
      return rise / run
    }
    var j = 0
    return linspace(0, 1, count).map { x in
      while j + 1 < xp.count && xp[j + 1] <= x { j += 1 }
      if j == xp.count - 1 || xp[j] == x { return y[j] }
      return slopes[j] * (x - xp[j]) + y[j]
    }
  }

  /// `scipy.ndimage.gaussian_filter` of a 1-D signal: radius `⌊4σ + ½⌋`, weights
  /// `exp(−d²/(2σ²))` normalized, mirror ("reflect") boundaries, summed in the library's order.
  static func gaussianFilter(_ x: [Double], sigma: Double) -> [Double] {
    let radius = Int(4 * sigma + 0.5)
    let raw = (-radius...radius).map { d in Foundation.exp((-0.5 / (sigma * sigma) * Double(d)) * Double(d)) }
    let total = pairwiseSum(raw[...])
    let weights = raw.map { $0 / total }
    let n = x.count
    func at(_ i: Int) -> Double {
      if i < 0 { return x[-i - 1] }
      if i >= n { return x[2 * n - 1 - i] }
      return x[i]
    }
    return (0..<n).map { i in
      var value = x[i] * weights[radius]
      for d in stride(from: radius, through: 1, by: -1) {
        value += (at(i - d) + at(i + d)) * weights[radius - d]
      }
      return value
    }
  }

  /// NumPy's pairwise summation (`np.sum` of a contiguous float64 array): plain below 8 values,
  /// eight interleaved partial sums up to 128, halves (a multiple of 8) above.
  static func pairwiseSum(_ a: ArraySlice<Double>) -> Double {
    let n = a.count
    let base = a.startIndex
    if n < 8 {
      var sum = 0.0
      for v in a { sum += v }
      return sum
    }
    if n <= 128 {
      var r = (0..<8).map { a[base + $0] }
      var i = 8
      while i < n - n % 8 {
        for k in 0..<8 { r[k] += a[base + i + k] }
        i += 8
      }
      var sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
      while i < n {
        sum += a[base + i]
        i += 1
      }
      return sum
    }
    var half = n / 2
    half -= half % 8
    return pairwiseSum(a[base..<(base + half)]) + pairwiseSum(a[(base + half)...])
  }

  /// NumPy's population standard deviation: the mean, then the mean of squared deviations.
  static func standardDeviation(_ a: ArraySlice<Double>) -> Double {
    let mean = pairwiseSum(a) / Double(a.count)
    let squares = a.map { ($0 - mean) * ($0 - mean) }
    return (pairwiseSum(squares[...]) / Double(a.count)).squareRoot()
  }

  /// The default data set as FeatureSpeed's splits (`--data mnist1d`): inputs as generated
  /// (standardized by the generator), 10 classes.
  public static func load() -> LoadedData {
    let samples = generate()
    let train = Dataset(
      name: "mnist1d-train", inputDimension: samples.length, inputs: samples.trainInputs.map { Float($0) },
      labels: samples.trainLabels.map { Int32($0) }, classCount: 10)
    let test = Dataset(
      name: "mnist1d-test", inputDimension: samples.length, inputs: samples.testInputs.map { Float($0) },
      labels: samples.testLabels.map { Int32($0) }, classCount: 10)
    let provenance = DataProvenance(
      source: DataSource.mnist1d.description, slug: DataSource.mnist1d.slug, trainCount: train.count,
      testCount: test.count, inputDimension: samples.length, targetDimension: 10, classCount: 10)
    return LoadedData(train: train, test: test, provenance: provenance)
  }
}
