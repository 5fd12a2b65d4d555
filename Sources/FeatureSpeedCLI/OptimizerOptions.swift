import ArgumentParser
import NumericCore
import Training
import Experiments

/// The optimizer options of `train` (theory §3.1, §5.1): which optimizer and its constants. Per-
/// tensor learning rates are `--learning-rate` × the preset's multiplier for the optimizer's
/// family (sgd/momentum: SGD table, adam/adamw: Adam table, spectral: √(fanOut/fanIn)).
public struct OptimizerOptions: ParsableArguments {
  @Option(help: ArgumentHelp(
    "Optimizer: sgd, momentum, adam, adamw or spectral (spectral descent, Newton–Schulz orthogonalized steps).",
    valueName: "name"))
  public var optimizer: OptimizerKind = .sgd

  @Option(parsing: .unconditional, help: "Momentum μ of --optimizer momentum (default 0.9).")
  public var momentum: Double?

  @Flag(help: "Nesterov momentum (--optimizer momentum).")
  public var nesterov = false

  @Option(parsing: .unconditional, help: "Adam's β₁ (--optimizer adam/adamw; default 0.9).")
  public var beta1: Double?

  @Option(parsing: .unconditional, help: "Adam's β₂ (--optimizer adam/adamw; default 0.999).")
  public var beta2: Double?

  @Option(parsing: .unconditional, help: "Adam's ε (--optimizer adam/adamw; default 1e-8).")
  public var adamEpsilon: Double?

  @Option(parsing: .unconditional, help: "Decoupled weight decay λ of --optimizer adamw (default 0.01).")
  public var weightDecay: Double?

  @Option(parsing: .unconditional, help: "Newton–Schulz steps of --optimizer spectral (default 5 quintic; cubic: a cap, default 100).")
  public var newtonSchulzSteps: Int?

  @Option(help: "Newton–Schulz polynomial of --optimizer spectral: quintic (Muon, approximate) or cubic (exact polar factor).")
  public var newtonSchulzVariant: NewtonSchulzVariant?

  public init() {}

  /// Sets `request.optimizer` from these options.
  /// - Throws: `RunError.invalidOption` for a constant given to an optimizer that does not use it.
  public func apply(to request: inout RunRequest) throws {
    let given: [(flag: String, isSet: Bool, kinds: [OptimizerKind])] = [
      ("--momentum", momentum != nil, [.momentum]), ("--nesterov", nesterov, [.momentum]),
      ("--beta1", beta1 != nil, [.adam, .adamw]), ("--beta2", beta2 != nil, [.adam, .adamw]),
      ("--adam-epsilon", adamEpsilon != nil, [.adam, .adamw]), ("--weight-decay", weightDecay != nil, [.adamw]),
      ("--newton-schulz-steps", newtonSchulzSteps != nil, [.spectral]),
      ("--newton-schulz-variant", newtonSchulzVariant != nil, [.spectral]),
    ]
    for option in given where option.isSet && !option.kinds.contains(optimizer) {
      throw RunError.invalidOption(
        flag: option.flag, value: "with --optimizer \(optimizer.rawValue)",
        expected: "--optimizer " + option.kinds.map(\.rawValue).joined(separator: " or ") + " (or drop \(option.flag))")
    }
    var settings = OptimizerSettings(kind: optimizer, nesterov: nesterov, weightDecay: weightDecay, newtonSchulzSteps: newtonSchulzSteps)
    if let momentum { settings.momentum = momentum }
    if let beta1 { settings.beta1 = beta1 }
    if let beta2 { settings.beta2 = beta2 }
    if let adamEpsilon { settings.epsilon = adamEpsilon }
    if let newtonSchulzVariant { settings.newtonSchulzVariant = newtonSchulzVariant }
    request.optimizer = settings
  }
}
