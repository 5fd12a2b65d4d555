import Networks
import NumericCore

/// How the targets of synthetic data are made.
public enum SyntheticTargets: String, Codable, CaseIterable, Sendable {
  /// A fixed random teacher network: labels are its arg-max, regression targets its output.
  case teacher
  /// Targets independent of the inputs: iid `N(0, 1)` values, or uniformly random labels.
  case gaussian
}

/// Whether a data set is used for classification (labels) or regression (real targets).
public enum DataTask: String, Codable, CaseIterable, Sendable {
  /// Class labels; trained with cross-entropy or with MSE on one-hot rows.
  case classification
  /// Real-valued targets; trained with MSE.
  case regression

  /// The task that `loss` implies for synthetic data: classification for cross-entropy, regression for MSE.
  public init(for loss: Loss) {
    self = loss == .crossEntropy ? .classification : .regression
  }
}

/// Settings of a seeded synthetic data set; the same settings give the same numbers on every run.
///
/// Inputs are iid `N(0, 1)`, `inputDimension` wide. The teacher is a one-hidden-layer network
/// `y = tanh(x W₁ᵀ) W₂ᵀ` of width `teacherWidth`, with `W₁ ~ N(0, 1/inputDimension)` (`64 × d_0`)
/// and `W₂ ~ N(0, 1/64)` (`outputDimension × 64`), evaluated in `Double` with plain loops so the
/// result does not depend on the BLAS build. Random streams of `SeededGenerator(seed:stream:)`:
/// `synthetic-teacher` for the teacher, `synthetic-train-inputs`, `synthetic-test-inputs`,
/// `synthetic-train-targets`, `synthetic-test-targets`; so changing one split size leaves the other
/// split and the teacher unchanged.
public struct SyntheticDataSpec: Codable, Equatable, Sendable {
  /// Width of the teacher's hidden layer.
  public static let teacherWidth = 64

  /// Teacher or Gaussian targets.
  public var targets: SyntheticTargets
  /// Classification (labels in `0..<outputDimension`) or regression (`outputDimension` real targets).
  public var task: DataTask
  /// Input dimension `d_0` (≥ 1).
  public var inputDimension: Int
  /// Number of classes (≥ 2) or of regression outputs (≥ 1).
  public var outputDimension: Int
  /// Number of training samples (≥ 1).
  public var trainCount: Int
  /// Number of test samples (≥ 0; 0 means no test split).
  public var testCount: Int
  /// The seed of every random stream.
  public var seed: UInt64

  /// Settings; see the properties. Call `validate()` (or `generate()`, which does) before use.
  public init(
    targets: SyntheticTargets, task: DataTask, inputDimension: Int, outputDimension: Int,
    trainCount: Int, testCount: Int, seed: UInt64
  ) {
    self.targets = targets
    self.task = task
    self.inputDimension = inputDimension
    self.outputDimension = outputDimension
    self.trainCount = trainCount
    self.testCount = testCount
    self.seed = seed
  }

  /// Stable slug: `synthetic-teacher` or `synthetic-gaussian`.
  public var slug: String { "synthetic-\(targets.rawValue)" }

  /// Checks the sizes.
  /// - Throws: `DataError.invalidSyntheticSize` naming the first size out of range.
  public func validate() throws {
    let checks = [
      ("input dimension", inputDimension, 1),
      (task == .classification ? "class count (output dimension)" : "output dimension", outputDimension,
       task == .classification ? 2 : 1),
      ("train count", trainCount, 1),
      ("test count", testCount, 0),
    ]
    for (name, value, minimum) in checks where value < minimum {
      throw DataError.invalidSyntheticSize(name: name, value: value, minimum: minimum)
    }
  }

  /// Generates the train split and, when `testCount > 0`, the test split.
  /// - Throws: `DataError.invalidSyntheticSize`.
  public func generate() throws -> LoadedData {
    try validate()
    var teacherGenerator = SeededGenerator(seed: seed, stream: "synthetic-teacher")
    let teacher = Teacher(
      inputDimension: inputDimension, outputDimension: outputDimension, using: &teacherGenerator)
    let train = makeSplit("train", count: trainCount, teacher: teacher)
    let test = testCount > 0 ? makeSplit("test", count: testCount, teacher: teacher) : nil
    let provenance = DataProvenance(
      source: DataSource.synthetic(targets).description, slug: slug, trainCount: trainCount,
      testCount: testCount, inputDimension: inputDimension, targetDimension: outputDimension,
      classCount: task == .classification ? outputDimension : nil, synthetic: self)
    return LoadedData(train: train, test: test, provenance: provenance)
  }

  private func makeSplit(_ split: String, count: Int, teacher: Teacher) -> Dataset {
    var inputGenerator = SeededGenerator(seed: seed, stream: "synthetic-\(split)-inputs")
    var targetGenerator = SeededGenerator(seed: seed, stream: "synthetic-\(split)-targets")
    let inputs = gaussianFloats(count * inputDimension, using: &inputGenerator)
    let name = "\(slug)-\(split)"
    switch (targets, task) {
    case (.teacher, .classification):
      let outputs = teacher.outputs(inputs, count: count)
      let labels = (0..<count).map { i in
        Int32(argmax(outputs[(i * outputDimension)..<((i + 1) * outputDimension)]))
      }
      return Dataset(name: name, inputDimension: inputDimension, inputs: inputs, labels: labels, classCount: outputDimension)
    case (.teacher, .regression):
      let outputs = teacher.outputs(inputs, count: count).map { Float($0) }
      return Dataset(
        name: name, inputDimension: inputDimension, inputs: inputs, regressionTargets: outputs,
        targetDimension: outputDimension)
    case (.gaussian, .classification):
      let labels = (0..<count).map { _ in Int32(targetGenerator.nextIndex(below: outputDimension)) }
      return Dataset(name: name, inputDimension: inputDimension, inputs: inputs, labels: labels, classCount: outputDimension)
    case (.gaussian, .regression):
      return Dataset(
        name: name, inputDimension: inputDimension, inputs: inputs,
        regressionTargets: gaussianFloats(count * outputDimension, using: &targetGenerator),
        targetDimension: outputDimension)
    }
  }
}

/// `count` iid `N(0, 1)` draws, rounded to `Float`.
private func gaussianFloats(_ count: Int, using generator: inout SeededGenerator) -> [Float] {
  (0..<count).map { _ in Float(generator.nextGaussian()) }
}

/// Index of the first largest entry.
private func argmax(_ values: ArraySlice<Double>) -> Int {
  var best = values.startIndex
  for i in values.indices where values[i] > values[best] { best = i }
  return best - values.startIndex
}

/// The random teacher `y = tanh(x W₁ᵀ) W₂ᵀ` of synthetic data.
private struct Teacher {
  let inputDimension: Int
  let outputDimension: Int
  /// `64 × inputDimension`, row-major.
  let hiddenWeights: [Double]
  /// `outputDimension × 64`, row-major.
  let outputWeights: [Double]

  init(inputDimension: Int, outputDimension: Int, using generator: inout SeededGenerator) {
    let width = SyntheticDataSpec.teacherWidth
    self.inputDimension = inputDimension
    self.outputDimension = outputDimension
    let hiddenStd = (1 / Double(inputDimension)).squareRoot()
    let outputStd = (1 / Double(width)).squareRoot()
    hiddenWeights = (0..<(width * inputDimension)).map { _ in hiddenStd * generator.nextGaussian() }
    outputWeights = (0..<(outputDimension * width)).map { _ in outputStd * generator.nextGaussian() }
  }

  /// The `count × outputDimension` outputs on the row-major `count × inputDimension` inputs.
  func outputs(_ inputs: [Float], count: Int) -> [Double] {
    let width = SyntheticDataSpec.teacherWidth
    let d = inputDimension
    let k = outputDimension
    var hidden = [Double](repeating: 0, count: count * width)
    var outputs = [Double](repeating: 0, count: count * k)
    inputs.withUnsafeBufferPointer { x in
      hiddenWeights.withUnsafeBufferPointer { w1 in
        outputWeights.withUnsafeBufferPointer { w2 in
          hidden.withUnsafeMutableBufferPointer { h in
            outputs.withUnsafeMutableBufferPointer { y in
              for i in 0..<count {
                for j in 0..<width {
                  var sum = 0.0
                  for l in 0..<d { sum += w1[j * d + l] * Double(x[i * d + l]) }
                  h[i * width + j] = sum
                }
              }
              if !h.isEmpty { Double.activate(.tanh, h.baseAddress!, h.baseAddress!, count: h.count) }
              for i in 0..<count {
                for c in 0..<k {
                  var sum = 0.0
                  for j in 0..<width { sum += w2[c * width + j] * h[i * width + j] }
                  y[i * k + c] = sum
                }
              }
            }
          }
        }
      }
    }
    return outputs
  }
}
