import Networks
import NumericCore
import Testing

@testable import Training

@Suite("Dataset batches")
struct DatasetTests {
  /// 5 samples of dimension 3 with inputs `10·i + j`, labels `[2, 0, 3, 1, 2]` of 4 classes.
  let classification = Dataset(
    name: "toy", inputDimension: 3, inputs: (0..<5).flatMap { i in (0..<3).map { Float(10 * i + $0) } },
    labels: [2, 0, 3, 1, 2], classCount: 4)
  /// The same inputs with 2-dimensional targets `[i, −i]`.
  let regression = Dataset(
    name: "toy-regression", inputDimension: 3, inputs: (0..<5).flatMap { i in (0..<3).map { Float(10 * i + $0) } },
    regressionTargets: (0..<5).flatMap { [Float($0), -Float($0)] }, targetDimension: 2)

  func checkIndexedBatch<Scalar: BLASScalar>(_: Scalar.Type) {
    let indices = [3, 0, 4]
    var inputs = Matrix<Scalar>(rows: 3, columns: 3, repeating: -1)
    var mse = BatchTargets<Scalar>(rows: 3, outputDimension: 4, loss: .mse)
    mse.values.fill(with: 7)  // stale values must be overwritten
    classification.fillBatch(indices: indices, inputs: &inputs, targets: &mse, loss: .mse)
    #expect(inputs == Matrix([[30, 31, 32], [0, 1, 2], [40, 41, 42]]))
    #expect(mse.values == Matrix([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 0]]))

    var ce = BatchTargets<Scalar>(rows: 2, outputDimension: 4, loss: .crossEntropy)
    var twoRows = Matrix<Scalar>(rows: 2, columns: 3)
    classification.fillBatch(indices: [4, 2, 1, 0][1..<3], inputs: &twoRows, targets: &ce, loss: .crossEntropy)
    #expect(twoRows == Matrix([[20, 21, 22], [10, 11, 12]]))
    #expect(ce.labels == [3, 0])

    var regressionTargets = BatchTargets<Scalar>(rows: 3, outputDimension: 2, loss: .mse)
    regression.fillBatch(indices: indices, inputs: &inputs, targets: &regressionTargets, loss: .mse)
    #expect(regressionTargets.values == Matrix([[3, -3], [0, 0], [4, -4]]))
  }

  func checkRangeBatch<Scalar: BLASScalar>(_: Scalar.Type) {
    var inputs = Matrix<Scalar>(rows: 2, columns: 3)
    var mse = BatchTargets<Scalar>(rows: 2, outputDimension: 4, loss: .mse)
    classification.fillBatch(range: 2..<4, inputs: &inputs, targets: &mse, loss: .mse)
    #expect(inputs == Matrix([[20, 21, 22], [30, 31, 32]]))
    #expect(mse.values == Matrix([[0, 0, 0, 1], [0, 1, 0, 0]]))
    var ce = BatchTargets<Scalar>(rows: 2, outputDimension: 4, loss: .crossEntropy)
    classification.fillBatch(range: 3..<5, inputs: &inputs, targets: &ce, loss: .crossEntropy)
    #expect(ce.labels == [1, 2])
    var regressionTargets = BatchTargets<Scalar>(rows: 2, outputDimension: 2, loss: .mse)
    regression.fillBatch(range: 0..<2, inputs: &inputs, targets: &regressionTargets, loss: .mse)
    #expect(regressionTargets.values == Matrix([[0, 0], [1, -1]]))
  }

  @Test func indexedBatchFloat() { checkIndexedBatch(Float.self) }
  @Test func indexedBatchDouble() { checkIndexedBatch(Double.self) }
  @Test func rangeBatchFloat() { checkRangeBatch(Float.self) }
  @Test func rangeBatchDouble() { checkRangeBatch(Double.self) }

  @Test func fillsAWorkspaceFromTheSampler() throws {
    var sampler = try BatchSampler(count: 5, batchSize: 2, seed: 9)
    var inputs = Matrix<Float>(rows: 2, columns: 3)
    var targets = BatchTargets<Float>(rows: 2, outputDimension: 4, loss: .crossEntropy)
    let batch = sampler.nextBatch()
    classification.fillBatch(indices: batch, inputs: &inputs, targets: &targets, loss: .crossEntropy)
    #expect(targets.labels == batch.map { classification.labels![$0] })
    #expect(inputs[1, 2] == Float(10 * batch[batch.startIndex + 1] + 2))
  }

  @Test func crossEntropyNeedsLabels() throws {
    #expect(throws: Never.self) { try classification.validate(for: .crossEntropy) }
    #expect(throws: Never.self) { try regression.validate(for: .mse) }
    let error = try dataError { try regression.validate(for: .crossEntropy) }
    #expect(error == .crossEntropyNeedsLabels(dataset: "toy-regression"))
    #expect(error.description.contains("Use the mse loss"))
  }

  @Test func prefixKeepsTheFirstSamples() {
    let two = classification.prefix(2, name: "toy-2")
    #expect(two.count == 2 && two.name == "toy-2" && two.labels == [2, 0] && two.inputs == [0, 1, 2, 10, 11, 12])
    #expect(regression.prefix(1).regressionTargets == [0, 0])
  }
}
