import Foundation
import Networks

/// Per-layer learning-rate multipliers on top of a preset: what `featurespeed diagnose` suggests
/// (theory §5.2) and `featurespeed train --preset-file` loads. Stored as JSON:
/// ```json
/// {"format": "featurespeed-lr-multipliers", "preset": "sp", "architecture": "mlp", "depth": 8,
///  "layers": [{"layer": 1, "multiplier": 1.0}, …], "source": "featurespeed diagnose …"}
/// ```
/// A multiplier applies to every tensor (weights and biases) of its layer.
public struct LearningRateMultipliers: Codable, Equatable, Sendable {
  /// Format tag, always `featurespeed-lr-multipliers`.
  public var format = Self.formatTag
  /// The preset the multipliers were calibrated for.
  public var preset: String
  /// `mlp` or `resnet`.
  public var architecture: ArchitectureKind
  /// The network depth L.
  public var depth: Int
  /// One entry per layer, user-facing layer index and multiplier.
  public var layers: [Entry]
  /// Free text: which command produced the file.
  public var source: String

  /// One layer's multiplier.
  public struct Entry: Codable, Equatable, Sendable {
    public var layer: Int
    public var multiplier: Double
    public init(layer: Int, multiplier: Double) {
      self.layer = layer
      self.multiplier = multiplier
    }
  }

  public static let formatTag = "featurespeed-lr-multipliers"

  public init(preset: String, architecture: ArchitectureKind, depth: Int, layers: [Entry], source: String) {
    self.preset = preset
    self.architecture = architecture
    self.depth = depth
    self.layers = layers
    self.source = source
  }

  /// Reads and checks a file.
  /// - Throws: `ControlError.multiplierFile` saying what is wrong and how to fix it.
  public static func read(from url: URL) throws -> LearningRateMultipliers {
    let path = url.path
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ControlError.multiplierFile(
        path: path, problem: "no such file or not readable", fix: "Write one with `featurespeed diagnose --output DIR` (DIR/lr-multipliers.json).")
    }
    let file: LearningRateMultipliers
    do {
      file = try JSONDecoder().decode(LearningRateMultipliers.self, from: data)
    } catch {
      throw ControlError.multiplierFile(
        path: path, problem: "not a learning-rate multiplier file (\(describe(error)))",
        fix: "Expected JSON with format, preset, architecture, depth and layers: [{layer, multiplier}], as `featurespeed diagnose` writes.")
    }
    guard file.format == formatTag else {
      throw ControlError.multiplierFile(path: path, problem: "format is '\(file.format)', expected '\(formatTag)'", fix: "Pass a file written by `featurespeed diagnose`.")
    }
    for entry in file.layers where !(entry.multiplier.isFinite && entry.multiplier > 0) {
      throw ControlError.multiplierFile(
        path: path, problem: "layer \(entry.layer) has multiplier \(entry.multiplier)", fix: "Every multiplier must be a positive number.")
    }
    return file
  }

  /// Writes the file atomically (pretty-printed, keys sorted).
  public func write(to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(self).write(to: url, options: .atomic)
  }

  /// Multiplies the learning-rate multiplier of every tensor of each listed layer of `spec`.
  /// - Throws: `ControlError.multiplierFile` when the file was made for another preset,
  ///   architecture or depth, or names a layer the network does not have.
  public func apply(to spec: inout NetworkSpec, preset presetName: String, path: String) throws {
    let arch = spec.architecture
    guard presetName == preset else {
      throw ControlError.multiplierFile(
        path: path, problem: "it was calibrated for preset \(preset), the run uses \(presetName)", fix: "Pass --preset \(preset).")
    }
    guard arch.kind == architecture, arch.depth == depth else {
      throw ControlError.multiplierFile(
        path: path, problem: "it was calibrated for a \(architecture.rawValue) of depth \(depth), the run has a \(arch.kind.rawValue) of depth \(arch.depth)",
        fix: "Pass --arch \(architecture.rawValue) --depth \(depth), or run `featurespeed diagnose` for this network.")
    }
    let indices = spec.layerIndices
    for entry in layers {
      guard let position = indices.firstIndex(of: entry.layer) else {
        throw ControlError.multiplierFile(
          path: path, problem: "layer \(entry.layer) does not exist (layers are \(indices.first!)…\(indices.last!))",
          fix: "Remove that entry or run `featurespeed diagnose` for this network.")
      }
      for u in spec.layers[position].units.indices {
        spec.layers[position].units[u].scaling.weight.learningRateMultiplier *= entry.multiplier
        if spec.layers[position].units[u].scaling.bias != nil {
          spec.layers[position].units[u].scaling.bias!.learningRateMultiplier *= entry.multiplier
        }
      }
    }
  }

  private static func describe(_ error: Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, _): "missing key '\(key.stringValue)'"
    case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c), DecodingError.dataCorrupted(let c):
      c.debugDescription
    default: "\(error)"
    }
  }
}
