import _TestSupport
import Foundation
import Testing

@testable import Training

/// Files written by NumPy itself (`numpy.save`, `numpy.savez`, `numpy.savez_compressed`) load
/// to the values NumPy wrote. Skipped without Python and NumPy (scripts/test.sh sets
/// FEATURESPEED_PYTHON to a virtual environment that has them).
@Suite("NumPy-written .npy and .npz files")
struct NumPyInteropTests {
  /// Inputs `x[i, j] = i + j / 4` (float32 and float64) and labels `i % 3`.
  static let script = """
    import sys, numpy as np
    d = sys.argv[1]
    x = (np.arange(10)[:, None] + np.arange(4)[None, :] / 4).astype(np.float64)
    y = np.arange(10) % 3
    np.save(d + '/x.npy', x); np.save(d + '/y.npy', y)
    np.save(d + '/x32.npy', x.astype(np.float32).reshape(10, 2, 2))
    np.save(d + '/yu8.npy', y.astype(np.uint8))
    np.save(d + '/xf.npy', np.asfortranarray(x))
    np.save(d + '/xbig.npy', x.astype('>f8'))
    np.savez(d + '/plain.npz', x=x, y=y)
    np.savez_compressed(d + '/split.npz', x_train=x[:8], y_train=y[:8], x_test=x[8:], y_test=y[8:])
    """

  @Test(.enabled(if: PythonInterpreter.hasNumPy, "needs python3 with numpy (FEATURESPEED_PYTHON)"))
  func numpyFilesLoadToTheValuesNumPyWrote() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let result = try PythonInterpreter.run(Self.script, arguments: [directory.path])
    try #require(result.status == 0, "python failed: \(result.error)")
    let expected = (0..<10).flatMap { i in (0..<4).map { Double(i) + Double($0) / 4 } }
    let labels = (0..<10).map { Int32($0 % 3) }
    func raw(_ data: LoadedData, _ split: Dataset) throws -> [Double] {
      let norm = try #require(data.provenance.normalization)
      return split.inputs.map { ((Double($0) * norm.standardDeviation + norm.mean) * 1e4).rounded() / 1e4 }
    }
    let options = fileOptions(heldOut: 0)
    for (x, y) in [("x.npy", "y.npy"), ("x32.npy", "yu8.npy")] {
      let data = try DataSource(parsing: "npy:\(directory.file(x)),\(directory.file(y))").load(options: options)
      #expect(try raw(data, data.train) == expected && data.train.labels == labels && data.train.inputDimension == 4)
    }
    let plain = try DataSource(parsing: "npz:" + directory.file("plain.npz")).load(options: options)
    #expect(try raw(plain, plain.train) == expected && plain.train.labels == labels)
    let split = try DataSource(parsing: "npz:" + directory.file("split.npz")).load(options: fileOptions())
    let test = try #require(split.test)
    #expect(try raw(split, split.train) + raw(split, test) == expected)
    #expect(split.train.labels! + test.labels! == labels)
    for (file, fix) in [("xf.npy", "ascontiguousarray"), ("xbig.npy", "newbyteorder")] {
      let error = try dataError {
        _ = try DataSource(parsing: "npy:\(directory.file(file)),\(directory.file("y.npy"))").load(options: options)
      }
      #expect(error.description.contains(fix))
    }
  }
}
