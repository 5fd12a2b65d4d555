import _TestSupport
import Foundation
import NumericCore
import Testing

@testable import Experiments
import Training

/// What the Python scripts below print: every tensor's dtype, shape and values (`repr` of each
/// element as a Python float or int, so nothing is rounded on the way).
private struct PythonView: Decodable {
  struct Tensor: Decodable, Equatable {
    var dtype: String
    var shape: [Int]
    var values: [String]
  }
  var headerLength: Int?
  var dataStart: Int?
  var keys: [String]?
  var metadata: [String: String]?
  var tensors: [String: Tensor]

  enum CodingKeys: String, CodingKey {
    case headerLength = "header_length", dataStart = "data_start", keys, metadata, tensors
  }
}

/// Parses a safetensors file by hand from the format description: `struct.unpack` of the length,
/// `json.loads` of the header, `numpy.frombuffer` of each tensor's byte range.
private let handParser = """
  import sys, struct, json
  import numpy as np
  data = open(sys.argv[1], 'rb').read()
  (n,) = struct.unpack('<Q', data[:8])
  header = json.loads(data[8:8 + n].decode('utf-8'))
  start = 8 + n
  kinds = {'F32': '<f4', 'F64': '<f8', 'I32': '<i4', 'I64': '<i8', 'U8': 'u1'}
  tensors = {}
  for name, info in header.items():
      if name == '__metadata__':
          continue
      begin, end = info['data_offsets']
      array = np.frombuffer(data[start + begin:start + end], dtype=kinds[info['dtype']]).reshape(info['shape'])
      tensors[name] = {'dtype': info['dtype'], 'shape': list(array.shape),
                       'values': [repr(v.item()) for v in array.ravel()]}
  print(json.dumps({'header_length': n, 'data_start': start, 'keys': list(header.keys()),
                    'metadata': header.get('__metadata__', {}), 'tensors': tensors}))
  """

/// Loads argv[1] with the `safetensors` package and writes argv[2] with it.
private let packageRoundTrip = """
  import sys, json
  import numpy as np
  from safetensors import safe_open
  from safetensors.numpy import load_file, save_file
  loaded = load_file(sys.argv[1])
  with safe_open(sys.argv[1], framework='np') as f:
      metadata = f.metadata()
  tensors = {name: {'dtype': str(a.dtype), 'shape': list(a.shape), 'values': [repr(v.item()) for v in a.ravel()]}
             for name, a in loaded.items()}
  save_file({'w': (np.arange(6, dtype=np.float32) / 8).reshape(2, 3),
             'labels': np.array([1, -2, 3], dtype=np.int64),
             'd': np.array([[0.1]], dtype=np.float64)},
            sys.argv[2], metadata={'from': 'python'})
  print(json.dumps({'metadata': metadata, 'tensors': tensors}))
  """

@Suite struct SafetensorsInteropTests {
  static let weight = Matrix<Float>([[0.1, -2.5, 3], [1e-7, 65504, 0.333]])
  static let column = Matrix<Double>([[0.1], [1e300], [-1e-300]])
  static let labels: [Int32] = [3, -1, .max, .min]
  static let steps: [Int64] = [.min, 0, 1, .max]
  static let mask: [UInt8] = [0, 255]
  static let metadata = ["run": "µP \"test\"", "seed": "3"]

  static func sampleFile() -> SafetensorsFile {
    var file = SafetensorsFile(metadata: metadata)
    file.add("layer1.weight", weight)
    file.add("column", column)
    file.add("labels", labels, shape: [4])
    file.add("steps", steps, shape: [2, 2])
    file.add("mask", mask, shape: [2])
    file.add("empty", Matrix<Float>(rows: 0, columns: 4))
    file.add("scalar", Matrix<Double>([[-0.5]]), shape: [])
    return file
  }

  private func decode(_ output: String) throws -> PythonView {
    try JSONDecoder().decode(PythonView.self, from: Data(output.utf8))
  }

  /// Checks the values Python printed (as `repr` strings) against the Swift sample.
  private func expectSampleValues(_ tensors: [String: PythonView.Tensor], dtypes: [String: String]) {
    #expect(tensors["layer1.weight"]?.dtype == dtypes["F32"])
    #expect(tensors["layer1.weight"]?.shape == [2, 3])
    #expect(tensors["layer1.weight"]?.values.map { Float(Double($0)!) } == Self.weight.storage)
    #expect(tensors["column"]?.dtype == dtypes["F64"])
    #expect(tensors["column"]?.shape == [3, 1])
    #expect(tensors["column"]?.values.map { Double($0)! } == Self.column.storage)
    #expect(tensors["labels"]?.dtype == dtypes["I32"])
    #expect(tensors["labels"]?.values.map { Int32($0)! } == Self.labels)
    #expect(tensors["steps"]?.dtype == dtypes["I64"])
    #expect(tensors["steps"]?.shape == [2, 2])
    #expect(tensors["steps"]?.values.map { Int64($0)! } == Self.steps)
    #expect(tensors["mask"]?.dtype == dtypes["U8"])
    #expect(tensors["mask"]?.values.map { UInt8($0)! } == Self.mask)
    #expect(tensors["empty"] == PythonView.Tensor(dtype: dtypes["F32"]!, shape: [0, 4], values: []))
    #expect(tensors["scalar"] == PythonView.Tensor(dtype: dtypes["F64"]!, shape: [], values: ["-0.5"]))
  }

  @Test(.enabled(if: PythonInterpreter.hasNumPy, "needs python3 with numpy"))
  func pythonParsesTheFileByHandFromTheSpecification() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("sample.safetensors")
      try Self.sampleFile().write(to: url)
      let result = try PythonInterpreter.run(handParser, arguments: [url.path])
      #expect(result.status == 0, "python3 failed: \(result.error)")
      let view = try decode(result.output)
      #expect(view.dataStart.map { $0 % 8 } == 0)
      #expect(view.headerLength.map { 8 + $0 } == view.dataStart)
      #expect(view.keys == ["__metadata__", "layer1.weight", "column", "labels", "steps", "mask", "empty", "scalar"])
      #expect(view.metadata == Self.metadata)
      let sameNames = Dictionary(uniqueKeysWithValues: ["F32", "F64", "I32", "I64", "U8"].map { ($0, $0) })
      expectSampleValues(view.tensors, dtypes: sameNames)
    }
  }

  @Test(.enabled(if: PythonInterpreter.hasSafetensors, "needs python3 with numpy and the safetensors package"))
  func theSafetensorsPackageReadsOurFilesAndWeReadItsFiles() throws {
    try withTemporaryDirectory { directory in
      let ours = directory.appendingPathComponent("ours.safetensors")
      let theirs = directory.appendingPathComponent("theirs.safetensors")
      try Self.sampleFile().write(to: ours)
      let result = try PythonInterpreter.run(packageRoundTrip, arguments: [ours.path, theirs.path])
      #expect(result.status == 0, "python3 failed: \(result.error)")
      let view = try decode(result.output)
      #expect(view.metadata == Self.metadata)
      expectSampleValues(
        view.tensors, dtypes: ["F32": "float32", "F64": "float64", "I32": "int32", "I64": "int64", "U8": "uint8"])

      let file = try SafetensorsFile.read(from: theirs)
      #expect(file.metadata == ["from": "python"])
      #expect(Set(file.names) == ["w", "labels", "d"])
      #expect(try file.matrix(named: "w", as: Float.self, shape: [2, 3]) == Matrix([[0, 0.125, 0.25], [0.375, 0.5, 0.625]]))
      #expect(try file.values(named: "labels", as: Int64.self) == [1, -2, 3])
      #expect(try file.matrix(named: "d", as: Double.self) == Matrix([[0.1]]))
    }
  }
}
