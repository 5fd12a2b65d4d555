import Foundation
import Training

/// `kernel --weights FILE` next to a run's `config.json`: the model, data and batch of that run
/// instead of repeating every flag.
///
/// Rule: each setting below comes from the saved request. A flag whose value differs from its
/// default counts as given; given and equal to the saved value is fine, given and different is
/// refused (`KernelError.contradictsRunConfiguration`) — analyzing weights with another model or
/// data than they were trained on is almost always a mistake, and silently overriding would hide
/// it. (A flag given with exactly its default value cannot be told from an absent one: the saved
/// value is used.) Kernel-only settings (layers, tolerance, probes, output, threads) are never
/// taken from the run.
extension KernelRequest {
  /// The settings taken from a saved run, with their flags.
  static var savedSettings: [(flag: String, differ: (RunRequest, RunRequest) -> Bool, show: (RunRequest) -> String)] { [
    setting("--arch", \.architecture), setting("--width", \.width), setting("--depth", \.depth),
    setting("--branch-scale", \.branchScale), setting("--branch-matrices", \.branchMatrices),
    setting("--activation", \.activation), setting("--bias", \.bias),
    setting("--normalize-features", \.normalizesFeatures), setting("--loss", \.loss), setting("--preset", \.preset),
    setting("--init-scale", \.initScale), setting("--learning-rate", \.learningRate), setting("--data", \.data),
    setting("--input-dim", \.inputDimension), setting("--output-dim", \.outputDimension),
    setting("--train-size", \.trainSize), setting("--batch-size", \.batchSize), setting("--seed", \.seed),
    setting("--dtype", \.dtype), setting("--preset-file", \.presetFile),
  ] }

  private static func setting<T: Equatable>(
    _ flag: String, _ keyPath: KeyPath<RunRequest, T>
  ) -> (flag: String, differ: (RunRequest, RunRequest) -> Bool, show: (RunRequest) -> String) {
    (flag, { $0[keyPath: keyPath] != $1[keyPath: keyPath] }, { request in
      let value = request[keyPath: keyPath]
      let mirror = Mirror(reflecting: value)
      guard mirror.displayStyle == .optional else { return "\(value)" }
      return mirror.children.first.map { "\($0.value)" } ?? "(none)"
    })
  }

  /// The request saved in `config.json` beside `weightsPath`, or `nil` when there is none.
  /// - Throws: `KernelError.unreadableRunConfiguration` for a `config.json` that does not decode.
  public static func savedRunRequest(besideWeights weightsPath: String) throws -> (request: RunRequest, path: String)? {
    let config = URL(fileURLWithPath: weightsPath).deletingLastPathComponent().appendingPathComponent("config.json")
    guard FileManager.default.fileExists(atPath: config.path) else { return nil }
    struct Saved: Decodable { var request: RunRequest }
    do {
      return (try JSONDecoder().decode(Saved.self, from: Data(contentsOf: config)).request, config.path)
    } catch {
      throw KernelError.unreadableRunConfiguration(path: config.path, reason: "\(error)")
    }
  }

  /// `flags` with every saved setting taken from `saved`.
  /// - Parameters:
  ///   - flags: the request the command-line flags build.
  ///   - defaults: the request the same command builds with no flags (to tell which were given).
  ///   - saved: the run's request; `configPath` names its file in messages.
  /// - Throws: `KernelError.contradictsRunConfiguration` for the first given flag that differs.
  public static func merging(
    flags: RunRequest, defaults: RunRequest, saved: RunRequest, configPath: String
  ) throws -> RunRequest {
    var merged = flags
    for setting in savedSettings where setting.differ(flags, defaults) && setting.differ(flags, saved) {
      throw KernelError.contradictsRunConfiguration(
        flag: setting.flag, given: setting.show(flags), saved: setting.show(saved), configPath: configPath)
    }
    // Copy the saved settings over the flags (the kernel-only fields of `flags` stay).
    merged.architecture = saved.architecture
    merged.width = saved.width
    merged.depth = saved.depth
    merged.branchScale = saved.branchScale
    merged.branchMatrices = saved.branchMatrices
    merged.activation = saved.activation
    merged.bias = saved.bias
    merged.normalizesFeatures = saved.normalizesFeatures
    merged.loss = saved.loss
    merged.preset = saved.preset
    merged.initScale = saved.initScale
    merged.learningRate = saved.learningRate
    merged.data = saved.data
    merged.inputDimension = saved.inputDimension
    merged.outputDimension = saved.outputDimension
    merged.trainSize = saved.trainSize
    merged.batchSize = saved.batchSize
    merged.seed = saved.seed
    merged.dtype = saved.dtype
    merged.presetFile = saved.presetFile
    return merged
  }
}
