import Foundation
import NumericCore
import Networks
import Training

/// A weights file to start from (`train --weights`, `kernel --weights`): the raw `W` and `c` of
/// every dense unit (theory §2), read from safetensors.
///
/// **Names.** FeatureSpeed's own names (`layer{ℓ}.weight`, see `SafetensorsFile+NetworkParameters`)
/// are matched exactly. A file without them — e.g. a PyTorch `nn.Sequential` MLP saved with
/// `safetensors.torch.save_file(model.state_dict(), path)`, names `0.weight`, `0.bias`,
/// `2.weight`, `net.4.weight` — is mapped by order: its rank-2 tensors sorted by name in
/// natural order (numeric parts compared as numbers, so `10` after `2`) go to the network's units
/// in forward order, and the bias of unit `P.weight` is `P.bias`. Shapes must be `[fanOut, fanIn]`
/// (PyTorch `nn.Linear` layout) and `[fanOut]`; F32, F64, F16 and BF16 convert to the run's dtype.
///
/// The preset's forward multipliers still apply on top: the file holds `W`, not `a·W`.
public enum InitialWeights {
  /// How the tensors of a file were matched to the network.
  public enum Naming: String, Codable, Sendable {
    /// FeatureSpeed's `layer{ℓ}.weight` names.
    case featurespeed
    /// Rank-2 tensors in natural name order (PyTorch state dicts).
    case naturalOrder = "natural-order"
  }

  /// What `config.json` records about the file (no SHA-256 helper exists in FeatureSpeed: the
  /// size identifies the file along with its path).
  public struct Record: Codable, Equatable, Sendable {
    /// Absolute path.
    public var path: String
    /// File size in bytes.
    public var byteCount: Int
    /// How names were matched.
    public var naming: Naming
    /// The file's tensor of every unit weight, in forward order.
    public var weightTensors: [String]
  }

  /// The parameters of a network shaped like `spec`, from the safetensors file at `path`.
  /// - Throws: `SafetensorsError` (unreadable or damaged file, `.layoutMismatch` listing expected
  ///   against found shapes, `.missingTensor`, `.unexpectedTensors`, `.dtypeMismatch` for
  ///   non-float tensors).
  public static func read<Scalar: BLASScalar>(
    from path: String, spec: NetworkSpec, as type: Scalar.Type = Scalar.self
  ) throws -> (parameters: NetworkParameters<Scalar>, record: Record) {
    let file = try SafetensorsFile.read(from: URL(fileURLWithPath: path))
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    let byteCount = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? file.serialized().count
    let units = spec.layers.flatMap { layer in layer.units.enumerated().map { (layer, $0.offset, $0.element) } }
    let ownNames = units.map { layer, u, _ in
      SafetensorsFile.parameterName(layerIndex: layer.index, unit: u, unitCount: layer.units.count, isBias: false)
    }
    if ownNames.contains(where: { file[$0] != nil }) {
      let converted = try convertedCopy(of: file, as: Scalar.self)
      return (try converted.networkParameters(for: spec, as: Scalar.self),
              Record(path: absolute, byteCount: byteCount, naming: .featurespeed, weightTensors: ownNames))
    }

    let matrices = file.names.filter { file[$0]!.shape.count == 2 }.sorted(by: naturalOrder)
    func describe(_ name: String) -> String { "\(name) \(file[name]!.shape)" }
    let expected = units.flatMap { layer, u, unit -> [String] in
      let label = layer.units.count == 1 ? "layer\(layer.index)" : "layer\(layer.index).\(u)"
      return ["\(label).weight [\(unit.fanOut), \(unit.fanIn)]"]
        + (unit.scaling.bias != nil ? ["\(label).bias [\(unit.fanOut)]"] : [])
    }
    let found = matrices.flatMap { name in [describe(name)] + (biasName(of: name, in: file).map { [describe($0)] } ?? []) }
    func mismatch(_ reason: String) -> SafetensorsError {
      .layoutMismatch(source: path, reason: reason, expected: expected, found: found)
    }
    guard matrices.count == units.count else {
      throw mismatch("the network has \(units.count) weight matrices, the file \(matrices.count) rank-2 tensors")
    }
    var used = Set<String>()
    var layers = [[DenseParameters<Scalar>]]()
    var index = 0
    for layer in spec.layers {
      var layerParameters = [DenseParameters<Scalar>]()
      for unit in layer.units {
        let name = matrices[index]
        index += 1
        let tensor = file[name]!
        guard tensor.shape == [unit.fanOut, unit.fanIn] else {
          throw mismatch("'\(name)' has shape \(tensor.shape) where weight \(index) needs [\(unit.fanOut), \(unit.fanIn)]")
        }
        let weight = Matrix(rows: unit.fanOut, columns: unit.fanIn, storage: try values(name, in: file, as: Scalar.self))
        used.insert(name)
        var bias: Matrix<Scalar>?
        let fileBias = biasName(of: name, in: file)
        switch (unit.scaling.bias != nil, fileBias) {
        case (true, let biasName?):
          guard file[biasName]!.shape == [unit.fanOut] else {
            throw mismatch("'\(biasName)' has shape \(file[biasName]!.shape) where bias \(index) needs [\(unit.fanOut)]")
          }
          bias = Matrix(rows: 1, columns: unit.fanOut, storage: try values(biasName, in: file, as: Scalar.self))
          used.insert(biasName)
        case (true, nil):
          throw mismatch("the network has biases (--bias) but the file has no '\(name.dropLast("weight".count))bias'")
        case (false, let biasName?):
          throw mismatch("the file has bias '\(biasName)' but the network has none (pass --bias)")
        case (false, nil):
          break
        }
        layerParameters.append(DenseParameters(weight: weight, bias: bias))
      }
      layers.append(layerParameters)
    }
    let unexpected = file.names.filter { !used.contains($0) }
    guard unexpected.isEmpty else { throw SafetensorsError.unexpectedTensors(source: path, names: unexpected) }
    return (NetworkParameters(layers: layers),
            Record(path: absolute, byteCount: byteCount, naming: .naturalOrder, weightTensors: matrices))
  }

  /// `P.bias` for a weight named `P.weight`, when the file has it.
  private static func biasName(of weightName: String, in file: SafetensorsFile) -> String? {
    guard weightName.hasSuffix("weight") else { return nil }
    let candidate = String(weightName.dropLast("weight".count)) + "bias"
    return file[candidate] != nil && file[candidate]!.shape.count == 1 ? candidate : nil
  }

  /// The floating-point elements of tensor `name` as `Scalar`.
  private static func values<Scalar: BLASScalar>(_ name: String, in file: SafetensorsFile, as: Scalar.Type) throws -> [Scalar] {
    let tensor = file[name]!
    guard [.float16, .bfloat16, .float32, .float64].contains(tensor.dtype), let values = tensor.doubleValues() else {
      throw SafetensorsError.dtypeMismatch(
        source: file.source, name: name, expected: SafetensorsDType(rawValue: Scalar.safetensorsDType)!, found: tensor.dtype)
    }
    return values.map { Scalar($0) }
  }

  /// A copy of `file` whose float tensors are all in the dtype of `Scalar`, for the exact-name
  /// reader (which checks dtypes strictly); other tensors are kept as they are.
  private static func convertedCopy<Scalar: BLASScalar>(of file: SafetensorsFile, as: Scalar.Type) throws -> SafetensorsFile {
    let target = SafetensorsDType(rawValue: Scalar.safetensorsDType)!
    var copy = SafetensorsFile(metadata: file.metadata, source: file.source)
    for name in file.names {
      let tensor = file[name]!
      if tensor.dtype != target, [.float16, .bfloat16, .float32, .float64].contains(tensor.dtype) {
        let converted = try values(name, in: file, as: Scalar.self)
        copy.add(name, SafetensorsFile.Tensor(dtype: target, shape: tensor.shape, bytes: converted.withUnsafeBytes { Array($0) }))
      } else {
        copy.add(name, tensor)
      }
    }
    return copy
  }

  /// Natural order: digit runs compare as numbers (`layer2` < `layer10`), the rest as text.
  static func naturalOrder(_ a: String, _ b: String) -> Bool {
    func chunks(_ s: String) -> [(Bool, String)] {
      var result = [(Bool, String)]()
      for character in s {
        let isDigit = character.isASCII && character.isNumber
        if let last = result.last, last.0 == isDigit { result[result.count - 1].1.append(character) } else {
          result.append((isDigit, String(character)))
        }
      }
      return result
    }
    for (x, y) in zip(chunks(a), chunks(b)) where x.1 != y.1 {
      if x.0 && y.0 {
        let (u, v) = (x.1.drop { $0 == "0" }, y.1.drop { $0 == "0" })
        return u.count != v.count ? u.count < v.count : u < v
      }
      return x.1 < y.1
    }
    return a.count < b.count
  }
}
