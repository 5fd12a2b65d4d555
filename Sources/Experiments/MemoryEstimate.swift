import Foundation
import Networks

/// A lower bound on the memory a run allocates, computed from the network spec before anything
/// is allocated, so that an impossible size is refused with a message instead of crashing in the
/// allocator (`RunSetup` checks it for `train`, `kernel`, sweep and coordcheck cells).
///
/// Counted: two parameter-sized buffers (the parameters and their gradients or update, which
/// every step holds) and two activation-sized ones (features and backward signals of one batch,
/// `batchSize × Σ_ℓ d_ℓ`). The real peak is higher (optimizer state, measurement buffers, the
/// data set), so a run that passes may still not fit; one that fails cannot.
public struct MemoryEstimate: Sendable, Equatable {
  /// Bytes of one parameter-sized buffer and of one batch of activations (`Double`: no overflow
  /// for absurd sizes).
  public var parameterBytes: Double
  public var activationBytes: Double
  /// The precision the bytes were counted in.
  public var dtype: DType

  /// The lower bound in bytes.
  public var totalBytes: Double { 2 * parameterBytes + 2 * activationBytes }

  public init(spec: NetworkSpec, dtype: DType, batchSize: Int) {
    self.dtype = dtype
    let scalar = Double(dtype == .float32 ? 4 : 8)
    var parameters = 0.0, widths = 0.0
    for layer in spec.layers {
      for unit in layer.units {
        parameters += Double(unit.fanIn) * Double(unit.fanOut) + (unit.scaling.bias == nil ? 0 : Double(unit.fanOut))
        widths += Double(unit.fanOut)
      }
    }
    parameterBytes = parameters * scalar
    activationBytes = Double(batchSize) * widths * scalar
  }

  /// Memory the system can give this process now: `MemAvailable` of /proc/meminfo on Linux, else
  /// the physical memory; `nil` when neither is known.
  public static func availableBytes() -> Double? {
    if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
      for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
        if let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Double($0) }) {
          return kb * 1024
        }
      }
    }
    let physical = Double(ProcessInfo.processInfo.physicalMemory)
    return physical > 0 ? physical : nil
  }

  /// - Throws: `RunError.insufficientMemory` when the lower bound exceeds `available`.
  public func check(available: Double?) throws {
    guard let available, totalBytes > available else { return }
    throw RunError.insufficientMemory(
      neededBytes: totalBytes, availableBytes: available, parameterBytes: parameterBytes, activationBytes: activationBytes,
      dtype: dtype)
  }

  /// `1.5 GiB`, `12.0 TiB`, … (binary units).
  public static func format(bytes: Double) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var value = bytes, index = 0
    while value >= 1024 && index < units.count - 1 { value /= 1024; index += 1 }
    return index == 0 ? "\(Int(value)) bytes" : String(format: "%.1f %@", value, units[index])
  }
}
