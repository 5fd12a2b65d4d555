import Foundation
import NumericCore
import Testing

@testable import Training

/// Mean and population standard deviation of a split's inputs.
private func moments(_ dataset: Dataset) -> (mean: Double, deviation: Double) {
  let n = Double(dataset.inputs.count)
  let mean = dataset.inputs.reduce(0.0) { $0 + Double($1) } / n
  let variance = dataset.inputs.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
  return (mean, variance.squareRoot())
}

/// Twenty rows `i, 2i, i % 3` with a header: 2 features, labels 0…2.
private let tableCSV = "a,b,label\n" + (0..<20).map { "\($0),\(2 * $0),\($0 % 3)" }.joined(separator: "\n") + "\n"

@Suite("--data csv:FILE")
struct CSVDataTests {
  @Test func lastColumnIsTheLabelAndTwentyPercentAreHeldOut() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let data = try loadCSV(tableCSV, in: directory)
    let test = try #require(data.test)
    #expect(data.train.count == 16 && test.count == 4)
    #expect(data.train.inputDimension == 2 && data.train.classCount == 3 && test.classCount == 3)
    #expect(data.provenance.heldOut == HeldOutSplit(count: 4, seed: 0, stream: "holdout"))
    #expect(data.provenance.slug == "csv" && data.provenance.files == [directory.file("data.csv")])
    // Undo the normalization: together the splits hold every row once, labels still i % 3.
    let norm = try #require(data.provenance.normalization)
    var rows = [Int: Int32]()
    for split in [data.train, test] {
      for s in 0..<split.count {
        let a = Double(split.inputs[2 * s]) * norm.standardDeviation + norm.mean
        let b = Double(split.inputs[2 * s + 1]) * norm.standardDeviation + norm.mean
        let i = Int(a.rounded())
        #expect(abs(b - 2 * a) < 1e-4)
        rows[i] = split.labels![s]
      }
    }
    #expect(rows.count == 20 && rows.allSatisfy { $0.value == Int32($0.key % 3) })
    let (mean, deviation) = moments(data.train)
    #expect(abs(mean) < 1e-5 && abs(deviation - 1) < 1e-5)
  }

  @Test func theHeldOutSplitDependsOnTheSeedOnly() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let a = try loadCSV(tableCSV, in: directory, options: fileOptions(seed: 7))
    let b = try loadCSV(tableCSV, in: directory, options: fileOptions(seed: 7))
    let c = try loadCSV(tableCSV, in: directory, options: fileOptions(seed: 8))
    #expect(a.test!.inputs == b.test!.inputs && a.train.inputs == b.train.inputs)
    #expect(a.test!.inputs != c.test!.inputs)
    let sized = try loadCSV(tableCSV, in: directory, options: fileOptions(heldOut: 5))
    #expect(sized.test?.count == 5 && sized.train.count == 15)
    let none = try loadCSV(tableCSV, in: directory, options: fileOptions(heldOut: 0))
    #expect(none.test == nil && none.train.count == 20)
    let error = try dataError { _ = try loadCSV(tableCSV, in: directory, options: fileOptions(heldOut: 20)) }
    #expect(error == .testSizeTooLarge(testSize: 20, sampleCount: 20))
    #expect(error.description.contains("below 20"))
  }

  @Test func labelAndTargetColumnsAreChosenByNameOrNumber() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    // label=a: 20 classes from column a; inputs b and label.
    let byName = try loadCSV(tableCSV, suffix: "#label=a", in: directory, options: fileOptions(heldOut: 0))
    #expect(byName.train.classCount == 20 && byName.train.inputDimension == 2)
    #expect(byName.train.labels == (0..<20).map { Int32($0) })
    let byNumber = try loadCSV(tableCSV, suffix: "#label=1", in: directory, options: fileOptions(heldOut: 0))
    #expect(byNumber.train.labels == byName.train.labels)
    #expect(byNumber.provenance.source.hasSuffix("#label=1"))
    let regression = try loadCSV(
      tableCSV, suffix: "#targets=b,label", in: directory, options: fileOptions(task: .regression, heldOut: 0))
    #expect(regression.train.regressionTargets?.prefix(4) == [0, 0, 2, 1])
    #expect(regression.train.targetDimension == 2 && regression.train.inputDimension == 1)
    #expect(regression.provenance.classCount == nil)
    let error = try dataError { _ = try loadCSV(tableCSV, suffix: "#label=species", in: directory) }
    #expect(error.description.contains("no column 'species'") && error.description.contains("a, b, label"))
    let all = try dataError { _ = try loadCSV(tableCSV, suffix: "#targets=a,b,label", in: directory) }
    #expect(all == .noInputColumns(file: directory.file("data.csv"), columnCount: 3))
  }

  @Test func scikitLearnHeadersGiveClassNamesAndGzipIsRead() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let text = "6,2,setosa,versicolor,virginica\n" + (0..<6).map { "5.\($0),3.\($0),\($0 % 3)" }.joined(separator: "\n")
    let data = try loadCSV(text, in: directory, options: fileOptions(heldOut: 0))
    #expect(data.train.count == 6 && data.train.inputDimension == 2 && data.train.classCount == 3)
    #expect(data.provenance.classNames == ["setosa", "versicolor", "virginica"])
    try shell("gzip -f '\(directory.file("data.csv"))'")
    let zipped = try DataSource(parsing: "csv:" + directory.file("data.csv.gz")).load(options: fileOptions(heldOut: 0))
    #expect(zipped.train.inputs == data.train.inputs && zipped.train.labels == data.train.labels)
    let wrongCount = try dataError { _ = try loadCSV("7" + text.dropFirst(), in: directory) }
    #expect(wrongCount == .csvHeaderCountMismatch(file: directory.file("data.csv"), announced: 7, found: 6))
  }

  @Test func theRealIrisFileTrainsAsThreeClasses() throws {
    let data = try DataSource(parsing: "csv:" + RealData.irisCSV).load(options: fileOptions())
    #expect(data.train.count == 120 && data.test?.count == 30)
    #expect(data.train.inputDimension == 4 && data.train.classCount == 3)
  }

  @Test func badCellsAndRowsNameTheirLineAndColumn() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let file = directory.file("data.csv")
    let ragged = try dataError { _ = try loadCSV("a,b,y\n1,2,0\n3,4\n5,6,1\n", in: directory) }
    #expect(ragged == .raggedCSVRow(file: file, line: 3, expected: 3, found: 2, firstLine: 1))
    #expect(ragged.description.contains("line 3: 2 cells, but line 1 has 3"))
    let text = try dataError { _ = try loadCSV("a,b,y\n1,2,0\n3,x4,1\n", in: directory) }
    #expect(text == .nonNumericCSVCell(file: file, line: 3, column: 2, name: "b", text: "x4"))
    #expect(text.description.contains("line 3, column 2 (b): 'x4' is not a number"))
    let missing = try dataError { _ = try loadCSV("1,2,0\n3,,1\n", in: directory) }
    #expect(missing == .nonNumericCSVCell(file: file, line: 2, column: 2, name: nil, text: ""))
    let nan = try dataError { _ = try loadCSV("a,b,y\n1,2,0\n3,nan,1\n", in: directory) }
    guard case .nonFiniteInput(_, let position, let value) = nan else { Issue.record("\(nan)"); return }
    #expect(position == "line 3, column 2 (b)" && value.isNaN)
    let infinite = try dataError { _ = try loadCSV("1,inf,0\n3,4,1\n", in: directory) }
    #expect(infinite == .nonFiniteInput(file: file, position: "line 1, column 2", value: .infinity))
    let negative = try dataError { _ = try loadCSV("1,2,0\n3,4,-1\n", in: directory) }
    #expect(negative == .invalidClassLabel(
      file: file, position: "line 2, column 3", value: -1,
      regressionHint: ", or name regression target columns with csv:FILE#targets=COL and use --loss mse"))
    let fraction = try dataError { _ = try loadCSV("1,2,0.5\n3,4,1\n", in: directory) }
    #expect(fraction.description.contains("class label 0.5 is not a whole number"))
    let single = try dataError { _ = try loadCSV("1,2,0\n3,4,0\n", in: directory, options: fileOptions(heldOut: 0)) }
    #expect(single == .singleClass(file: file))
    let empty = try dataError { _ = try loadCSV("a,b,y\n\n", in: directory) }
    #expect(empty == .emptyDataFile(file: file))
  }

  @Test func aMissingFileSaysSoBeforeReading() throws {
    let error = try dataError {
      _ = try DataSource(parsing: "csv:/nonexistent-featurespeed/x.csv").load(options: fileOptions())
    }
    #expect(error == .dataFileNotFound(path: "/nonexistent-featurespeed/x.csv", format: "CSV"))
    #expect(error.description.contains("does not exist"))
  }
}

@Suite("--data npy:INPUTS,LABELS")
struct NPYDataTests {
  func load(_ x: [UInt8], _ y: [UInt8], options: DataLoadOptions = fileOptions(heldOut: 0)) throws -> LoadedData {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try directory.write(x, to: "x.npy")
    try directory.write(y, to: "y.npy")
    return try DataSource(parsing: "npy:\(directory.file("x.npy")),\(directory.file("y.npy"))").load(options: options)
  }

  @Test func everyVersionAndRankThreeInputsFlattenPerSample() throws {
    let inputs = (0..<24).map { Float($0) }
    for major: UInt8 in [1, 2, 3] {
      let data = try load(
        npy(inputs, descr: "<f4", shape: [6, 2, 2], major: major), npy([Int64](0..<6), descr: "<i8", shape: [6]))
      #expect(data.train.count == 6 && data.train.inputDimension == 4 && data.train.classCount == 6)
      let norm = try #require(data.provenance.normalization)
      #expect(abs(norm.mean - 11.5) < 1e-9)
      let restored = data.train.inputs.map { (Double($0) * norm.standardDeviation + norm.mean).rounded() }
      #expect(restored == inputs.map(Double.init))
    }
    let bytes = try load(npy([UInt8](0..<8), descr: "|u1", shape: [4, 2]), npy([Int32](repeating: 1, count: 4), descr: "<i4", shape: [4]))
    #expect(bytes.train.inputDimension == 2 && bytes.train.classCount == 2)
  }

  @Test func floatLabelsAreClassesUnderCrossEntropyAndTargetsUnderMSE() throws {
    let x = npy([Double](repeating: 1, count: 8).enumerated().map { Double($0.offset) }, descr: "<f8", shape: [4, 2])
    let y = npy([Double(0), 1, 2, 1], descr: "<f8", shape: [4])
    #expect(try load(x, y).train.labels == [0, 1, 2, 1])
    let regression = try load(x, y, options: fileOptions(task: .regression, heldOut: 0))
    #expect(regression.train.regressionTargets == [0, 1, 2, 1] && regression.train.targetDimension == 1)
    let wide = try load(x, npy([Float](repeating: 0.5, count: 12), descr: "<f4", shape: [4, 3]),
                        options: fileOptions(task: .regression, heldOut: 0))
    #expect(wide.train.targetDimension == 3)
    let rank = try dataError { _ = try load(x, npy([Float](repeating: 0.5, count: 12), descr: "<f4", shape: [4, 3])) }
    #expect(rank.description.contains("expected class labels [n] for cross-entropy"))
    let fraction = try dataError { _ = try load(x, npy([Double(0), 1.5, 2, 1], descr: "<f8", shape: [4])) }
    #expect(fraction.description.contains("sample 1 (0-based): class label 1.5"))
  }

  @Test func layoutsAndTypesThatCannotBeReadAreRefusedWithTheFix() throws {
    let y = npy([Int64](0..<2), descr: "<i8", shape: [2])
    let payload = [Float](repeating: 1, count: 4).withUnsafeBytes { Array($0) }
    let fortran = try dataError { _ = try load(npyBytes(descr: "<f4", shape: [2, 2], payload: payload, fortranOrder: true), y) }
    #expect(fortran.description.contains("Fortran") && fortran.description.contains("ascontiguousarray"))
    let big = try dataError { _ = try load(npyBytes(descr: ">f4", shape: [2, 2], payload: payload), y) }
    guard case .bigEndianArray(_, ">f4") = big else { Issue.record("\(big)"); return }
    let complex = try dataError { _ = try load(npyBytes(descr: "<c8", shape: [2, 1], payload: payload), y) }
    guard case .unsupportedDType(_, nil, "<c8") = complex else { Issue.record("\(complex)"); return }
    let notNPY = try dataError { _ = try load(Array("x,y\n1,2\n".utf8), y) }
    guard case .notNPY = notNPY else { Issue.record("\(notNPY)"); return }
    let nan = try dataError { _ = try load(npy([Float(1), 2, .nan, 4], descr: "<f4", shape: [2, 2]), y) }
    guard case .nonFiniteInput(_, "sample 1, feature 0 (0-based)", _) = nan else { Issue.record("\(nan)"); return }
    let vector = try dataError { _ = try load(npy([Float(1), 2], descr: "<f4", shape: [2]), y) }
    #expect(vector.description.contains("has shape [2], expected inputs of rank 2"))
    let negative = try dataError {
      _ = try load(npy([Float](repeating: 1, count: 4), descr: "<f4", shape: [2, 2]), npy([Int64(0), -3], descr: "<i8", shape: [2]))
    }
    guard case .invalidClassLabel(_, "sample 1 (0-based)", -3, _) = negative else { Issue.record("\(negative)"); return }
    let long = try dataError { _ = try load(npyBytes(descr: "<f4", shape: [2, 2], payload: payload + [0, 0, 0, 0]), y) }
    guard case .trailingPayload(_, [2, 2], 16, 20) = long else { Issue.record("\(long)"); return }
    #expect(long.description.contains("re-create it"))

  }

  @Test func truncatedFilesAndMismatchedCountsSayWhatIsMissing() throws {
    let x = npy([Float](repeating: 1, count: 6), descr: "<f4", shape: [3, 2])
    let y = npy([Int64](0..<3), descr: "<i8", shape: [3])
    let truncated = try dataError { _ = try load(Array(x.dropLast(5)), y) }
    guard case .truncatedPayload(_, [3, 2], 24, 19) = truncated else { Issue.record("\(truncated)"); return }
    let header = try dataError { _ = try load(Array(x.prefix(40)), y) }
    guard case .truncatedHeader(_, let expected, 40) = header, expected > 40 else { Issue.record("\(header)"); return }
    let mismatch = try dataError { _ = try load(x, npy([Int64](0..<4), descr: "<i8", shape: [4])) }
    guard case .sampleCountMismatch(_, 3, _, 4) = mismatch else { Issue.record("\(mismatch)"); return }
    #expect(mismatch.description.contains("must match one to one"))
    #expect(throws: DataError.invalidDataSource(
      given: "npy:x.npy", reason: "npy needs two files separated by one comma, npy:INPUTS.npy,LABELS.npy")) {
      try DataSource(parsing: "npy:x.npy")
    }
  }
}

@Suite("--data npz:FILE and safetensors:FILE")
struct ArchiveDataTests {
  static let x = npy((0..<12).map { Float($0) }, descr: "<f4", shape: [6, 2])
  static let y = npy([Int64](0..<6).map { $0 % 2 }, descr: "<i8", shape: [6])

  func loadNPZ(_ members: [(String, [UInt8])], deflate: Bool = false, corrupt: (inout [UInt8]) -> Void = { _ in },
               options: DataLoadOptions = fileOptions()) throws -> LoadedData {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    var bytes = try zipBytes(members.map { (name: $0.0, bytes: $0.1) }, deflate: deflate, scratch: directory)
    corrupt(&bytes)
    try directory.write(bytes, to: "data.npz")
    return try DataSource(parsing: "npz:" + directory.file("data.npz")).load(options: options)
  }

  @Test func storedAndDeflatedArchivesLoadTheSameArrays() throws {
    let stored = try loadNPZ([("x.npy", Self.x), ("y.npy", Self.y)], options: fileOptions(heldOut: 0))
    let deflated = try loadNPZ([("x.npy", Self.x), ("y.npy", Self.y)], deflate: true, options: fileOptions(heldOut: 0))
    #expect(stored.train.count == 6 && stored.train.labels == [0, 1, 0, 1, 0, 1])
    #expect(deflated.train.inputs == stored.train.inputs && deflated.train.labels == stored.train.labels)
    let named = try loadNPZ([("inputs.npy", Self.x), ("labels.npy", Self.y)], options: fileOptions(heldOut: 0))
    #expect(named.train.inputs == stored.train.inputs)
  }

  @Test func anExplicitTestSplitIsUsedWholeAndNormalizedWithTrainStatistics() throws {
    let xTest = npy([Float(100), 101], descr: "<f4", shape: [1, 2])
    let yTest = npy([Int64(2)], descr: "<i8", shape: [1])
    let data = try loadNPZ([("x_train.npy", Self.x), ("y_train.npy", Self.y), ("x_test.npy", xTest), ("y_test.npy", yTest)])
    let test = try #require(data.test)
    #expect(data.train.count == 6 && test.count == 1 && data.provenance.heldOut == nil)
    #expect(data.train.classCount == 3 && test.classCount == 3)  // C = max + 1 over both splits
    let norm = try #require(data.provenance.normalization)
    #expect(abs(Double(test.inputs[0]) * norm.standardDeviation + norm.mean - 100) < 1e-3)
    let widerTest = npy([Float](repeating: 0, count: 3), descr: "<f4", shape: [1, 3])
    let shape = try dataError { _ = try loadNPZ([("x.npy", Self.x), ("y.npy", Self.y), ("x_test.npy", widerTest), ("y_test.npy", yTest)]) }
    guard case .splitShapeMismatch(_, [6, 2], _, [1, 3]) = shape else { Issue.record("\(shape)"); return }
    let floatTest = npy([Double(0.5)], descr: "<f8", shape: [1])
    let kinds = try dataError {
      _ = try loadNPZ([("x.npy", Self.x), ("y.npy", Self.y), ("x_test.npy", xTest), ("y_test.npy", floatTest)],
                      options: fileOptions(task: .regression))
    }
    guard case .splitShapeMismatch(let trainFile, _, let testFile, _) = kinds, trainFile.contains("(y) (I64)"),
          testFile.contains("(y_test) (F64)") else { Issue.record("\(kinds)"); return }
    let halfSplit = try dataError { _ = try loadNPZ([("x.npy", Self.x), ("y.npy", Self.y), ("x_test.npy", xTest)]) }
    guard case .missingArray(_, "test label", ["y_test", "labels_test", "targets_test"], _) = halfSplit else {
      Issue.record("\(halfSplit)"); return
    }
  }

  @Test func aMissingArrayListsTheNamesPresent() throws {
    let error = try dataError { _ = try loadNPZ([("features.npy", Self.x), ("y.npy", Self.y)]) }
    guard case .missingArray(_, "input", ["x", "x_train", "inputs"], ["features", "y"]) = error else {
      Issue.record("\(error)"); return
    }
    #expect(error.description.contains("found features, y"))
  }

  @Test func damagedArchivesAreRefused() throws {
    let truncated = try dataError { _ = try loadNPZ([("x.npy", Self.x), ("y.npy", Self.y)]) { $0.removeLast(30) } }
    guard case .invalidZip(_, let reason) = truncated else { Issue.record("\(truncated)"); return }
    #expect(reason.contains("truncated"))
    let flipped = try dataError { _ = try loadNPZ([("x.npy", Self.x), ("y.npy", Self.y)]) { $0[140] ^= 0xFF } }
    guard case .invalidZip(_, let crc) = flipped else { Issue.record("\(flipped)"); return }
    #expect(crc.contains("CRC-32"))
  }

  @Test func safetensorsTensorsLoadByTheSameNamesAndHalfFloatsWiden() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    var file = SafetensorsFile()
    // 1.0, 2.0, 0.5, -2 as IEEE half precision.
    let halves: [UInt16] = [0x3C00, 0x4000, 0x3800, 0xC000]
    file.add("x", SafetensorsFile.Tensor(dtype: .float16, shape: [2, 2], bytes: halves.withUnsafeBytes { Array($0) }))
    file.add("y", [Int32(0), 1], shape: [2])
    try directory.write(file.serialized(), to: "data.safetensors")
    let data = try DataSource(parsing: "safetensors:" + directory.file("data.safetensors")).load(options: fileOptions(heldOut: 0))
    let norm = try #require(data.provenance.normalization)
    #expect(abs(norm.mean - 0.375) < 1e-12)
    #expect(data.train.inputs.map { Double($0) * norm.standardDeviation + norm.mean } .map { ($0 * 1e4).rounded() / 1e4 } == [1, 2, 0.5, -2])
    var wrong = SafetensorsFile()
    wrong.add("inputs", [Float(1), 2], shape: [2, 1])
    try directory.write(wrong.serialized(), to: "wrong.safetensors")
    let missing = try dataError { _ = try DataSource(parsing: "safetensors:" + directory.file("wrong.safetensors")).load(options: fileOptions()) }
    guard case .missingArray(_, "label (or target)", _, ["inputs"]) = missing else { Issue.record("\(missing)"); return }
  }
}

@Suite("Data source strings of the user's files")
struct FileDataSourceTests {
  @Test func everyFormRoundTripsThroughItsDescription() throws {
    for text in ["csv:a.csv", "csv:a.csv#label=species", "csv:dir/a.csv#targets=x,y", "npy:x.npy,y.npy", "npz:d.npz",
                 "safetensors:d.safetensors", "csv:odd#name.csv"] {
      let source = try DataSource(parsing: text)
      #expect(source.description == text)
      #expect(try DataSource(parsing: source.description) == source)
    }
    #expect(try DataSource(parsing: "CSV:a.csv#label=3") == .csv(path: "a.csv", targets: .label("3")))
    #expect(try DataSource(parsing: "csv:odd#name.csv") == .csv(path: "odd#name.csv", targets: .lastColumnLabel))
  }

  @Test func incompleteFormsSayWhatIsMissing() throws {
    for text in ["csv:", "npz", "safetensors:", "npy:a.npy,", "csv:a.csv#label=", "csv:a.csv#label=a,b"] {
      let error = try dataError { _ = try DataSource(parsing: text) }
      guard case .invalidDataSource(text, _) = error else { Issue.record("\(text): \(error)"); continue }
    }
  }
}
