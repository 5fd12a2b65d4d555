import Testing

@testable import Training

@Suite("Synthetic data")
struct SyntheticDataTests {
  func spec(
    _ targets: SyntheticTargets = .teacher, task: DataTask = .classification, seed: UInt64 = 7,
    trainCount: Int = 300, testCount: Int = 50
  ) -> SyntheticDataSpec {
    SyntheticDataSpec(
      targets: targets, task: task, inputDimension: 8, outputDimension: 5, trainCount: trainCount,
      testCount: testCount, seed: seed)
  }

  @Test(arguments: [SyntheticTargets.teacher, .gaussian], [DataTask.classification, .regression])
  func sameSeedGivesIdenticalDataAndAnotherSeedDifferentData(targets: SyntheticTargets, task: DataTask) throws {
    let a = try spec(targets, task: task).generate()
    let b = try spec(targets, task: task).generate()
    let c = try spec(targets, task: task, seed: 8).generate()
    #expect(a.train.inputs == b.train.inputs && a.test?.inputs == b.test?.inputs)
    #expect(a.train.labels == b.train.labels && a.train.regressionTargets == b.train.regressionTargets)
    #expect(a.test?.labels == b.test?.labels && a.test?.regressionTargets == b.test?.regressionTargets)
    #expect(a.train.inputs != c.train.inputs)
    switch task {
    case .classification: #expect(a.train.labels != c.train.labels)
    case .regression: #expect(a.train.regressionTargets != c.train.regressionTargets)
    }
    #expect(a.train.inputs != a.test?.inputs.prefix(a.train.inputs.count).map { $0 })
  }

  @Test func shapesAndNames() throws {
    let classification = try spec().generate()
    #expect(classification.train.count == 300 && classification.test?.count == 50)
    #expect(classification.train.inputDimension == 8 && classification.train.inputs.count == 300 * 8)
    #expect(classification.train.classCount == 5 && classification.train.targetDimension == 5)
    #expect(classification.train.labels?.count == 300 && classification.train.regressionTargets == nil)
    #expect(classification.train.name == "synthetic-teacher-train" && classification.test?.name == "synthetic-teacher-test")
    #expect(classification.provenance.slug == "synthetic-teacher")
    #expect(classification.provenance.source == "synthetic:teacher")
    #expect(classification.provenance.synthetic == spec())
    #expect(classification.provenance.classCount == 5)

    let regression = try spec(.gaussian, task: .regression, testCount: 0).generate()
    #expect(regression.test == nil)
    #expect(regression.train.labels == nil && regression.train.classCount == nil)
    #expect(regression.train.regressionTargets?.count == 300 * 5 && regression.train.targetDimension == 5)
    #expect(regression.provenance.classCount == nil && regression.provenance.testCount == 0)
  }

  @Test func inputsAreStandardGaussian() throws {
    let inputs = try spec(trainCount: 2000).generate().train.inputs.map(Double.init)
    let mean = inputs.reduce(0, +) / Double(inputs.count)
    let variance = inputs.reduce(0) { $0 + $1 * $1 } / Double(inputs.count) - mean * mean
    #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
  }

  @Test func teacherLabelsCoverSeveralClasses() throws {
    let labels = try #require(try spec().generate().train.labels)
    var counts = [Int](repeating: 0, count: 5)
    for label in labels { counts[Int(label)] += 1 }
    #expect(counts.filter { $0 > 0 }.count >= 3, "class counts \(counts)")
    #expect(counts.max()! < 300 * 3 / 4, "class counts \(counts)")
  }

  @Test func teacherTargetsAreAFunctionOfTheInputs() throws {
    // Labels are the arg-max of the regression outputs of the same teacher on the same inputs.
    let labels = try #require(try spec().generate().train.labels)
    let outputs = try #require(try spec(task: .regression).generate().train.regressionTargets)
    for i in 0..<300 {
      let row = outputs[(i * 5)..<((i + 1) * 5)]
      #expect(Int(labels[i]) == row.firstIndex(of: row.max()!)! - i * 5)
    }
    #expect(Set(outputs).count > 100 && outputs.allSatisfy(\.isFinite))
  }

  @Test func splitSizesDoNotChangeTheOtherSplit() throws {
    let small = try spec(trainCount: 100, testCount: 20).generate()
    let large = try spec(trainCount: 300, testCount: 50).generate()
    #expect(small.train.inputs == Array(large.train.inputs.prefix(100 * 8)))
    #expect(small.test?.labels == large.test?.labels.map { Array($0.prefix(20)) })
  }

  @Test func invalidSizesAreErrors() throws {
    var bad = spec()
    bad.outputDimension = 1
    #expect(
      try dataError { _ = try bad.generate() }
        == .invalidSyntheticSize(name: "class count (output dimension)", value: 1, minimum: 2))
    bad = spec()
    bad.trainCount = 0
    let error = try dataError { _ = try bad.generate() }
    #expect(error == .invalidSyntheticSize(name: "train count", value: 0, minimum: 1))
    #expect(error.description == "The synthetic data train count must be at least 1, got 0. Set it to 1 or more.")
  }
}
