import Foundation
import Networks

/// The optimizer family a learning-rate rule is written for (theory §5.1). Raw values are CLI slugs.
///
/// Presets give separate learning-rate multipliers for SGD-like updates (the step is proportional
/// to the gradient), Adam-like updates (the step is normalized entry-wise, so its size does not
/// scale with the gradient) and spectral descent (the step is normalized in spectral norm).
public enum OptimizerFamily: String, Codable, CaseIterable, Sendable {
  /// Gradient descent, with or without momentum.
  case sgd
  /// Adam and other entry-wise normalized updates.
  case adam
  /// Spectral descent: orthogonalized (spectral-norm normalized) updates, [SC].
  case spectral
}

/// One scalar scaling rule, a monomial in the sizes of a tensor (theory §5.1):
///
///     value = coefficient · g^[includesGain] · fanIn^p · fanOut^q · L^r · min(1, (fanOut/fanIn)^e)
///
/// where `g` is the gain of the activation feeding the tensor (`Activation.gain`), `L` the network
/// depth (`UnitLayout.depth`) and the last factor is present only when `aspectRatioCapExponent`
/// is set. Init standard deviations, forward multipliers and learning-rate multipliers of every
/// preset are such laws, so a preset is a table of numbers that one edit changes, and every law
/// prints its own `formula`.
///
/// **Gain rule.** Every preset multiplies the init standard deviation of every *weight* by the
/// gain of the activation applied to that weight's input (1 for the first MLP layer, the ResNet
/// embedding and readout; √2 after ReLU/GELU; 5/3 after tanh). NTK puts the gain on the forward
/// multiplier instead, since its weights are N(0, 1). Biases have gain 1. Constant factors never
/// change a preset's scaling exponents.
public struct ScalingLaw: Codable, Equatable, Sendable {
  /// The constant factor (0 makes the law identically 0, e.g. zero-initialized biases).
  public var coefficient: Double
  /// `p`, the exponent of `fanIn`.
  public var fanInExponent: Double
  /// `q`, the exponent of `fanOut`.
  public var fanOutExponent: Double
  /// `r`, the exponent of the depth `L`.
  public var depthExponent: Double
  /// `e` in the factor `min(1, (fanOut/fanIn)^e)`, or `nil` for no such factor.
  public var aspectRatioCapExponent: Double?
  /// Whether the law is multiplied by the gain `g` of the tensor's input activation.
  public var includesGain: Bool

  /// A law `coefficient · g^[includesGain] · fanIn^p · fanOut^q · L^r · min(1, (fanOut/fanIn)^e)`.
  public init(
    coefficient: Double = 1, fanInExponent: Double = 0, fanOutExponent: Double = 0,
    depthExponent: Double = 0, aspectRatioCapExponent: Double? = nil, includesGain: Bool = false
  ) {
    self.coefficient = coefficient
    self.fanInExponent = fanInExponent
    self.fanOutExponent = fanOutExponent
    self.depthExponent = depthExponent
    self.aspectRatioCapExponent = aspectRatioCapExponent
    self.includesGain = includesGain
  }

  /// The law `1`.
  public static let one = ScalingLaw()
  /// The law `0` (e.g. the init standard deviation of a zero-initialized bias).
  public static let zero = ScalingLaw(coefficient: 0)
  /// The law `g`: the gain of the input activation.
  public static let gain = ScalingLaw(includesGain: true)
  /// The law `c`.
  public static func constant(_ c: Double) -> ScalingLaw { ScalingLaw(coefficient: c) }
  /// The law `fanIn^p`.
  public static func fanIn(_ p: Double) -> ScalingLaw { ScalingLaw(fanInExponent: p) }
  /// The law `fanOut^q`.
  public static func fanOut(_ q: Double) -> ScalingLaw { ScalingLaw(fanOutExponent: q) }
  /// The law `L^r`.
  public static func depth(_ r: Double) -> ScalingLaw { ScalingLaw(depthExponent: r) }
  /// The law `min(1, (fanOut/fanIn)^e)`.
  public static func aspectRatioCap(_ e: Double) -> ScalingLaw { ScalingLaw(aspectRatioCapExponent: e) }
  /// The law `√(fanOut/fanIn)` = `fanOut^0.5 · fanIn^−0.5`: the spectral norm [SC] prescribes for
  /// a `[fanOut, fanIn]` tensor, and every preset's spectral-descent rate multiplier.
  public static let spectralNormTarget = ScalingLaw(fanInExponent: -0.5, fanOutExponent: 0.5)

  /// The product of two laws: coefficients multiply, exponents add.
  ///
  /// Precondition: at most one factor carries the gain and at most one the aspect-ratio cap
  /// (`g²` or a product of two caps is not a law of this form).
  public static func * (lhs: ScalingLaw, rhs: ScalingLaw) -> ScalingLaw {
    precondition(!(lhs.includesGain && rhs.includesGain), "A scaling law carries the gain at most once")
    precondition(
      lhs.aspectRatioCapExponent == nil || rhs.aspectRatioCapExponent == nil,
      "A scaling law carries at most one min(1, (fanOut/fanIn)^e) factor")
    return ScalingLaw(
      coefficient: lhs.coefficient * rhs.coefficient,
      fanInExponent: lhs.fanInExponent + rhs.fanInExponent,
      fanOutExponent: lhs.fanOutExponent + rhs.fanOutExponent,
      depthExponent: lhs.depthExponent + rhs.depthExponent,
      aspectRatioCapExponent: lhs.aspectRatioCapExponent ?? rhs.aspectRatioCapExponent,
      includesGain: lhs.includesGain || rhs.includesGain)
  }

  /// Evaluates the law for a tensor of shape `[fanOut, fanIn]` in a network of depth `depth`.
  ///
  /// - Parameters:
  ///   - fanIn: input width, ≥ 1 (1 for a bias vector).
  ///   - fanOut: output width, ≥ 1.
  ///   - depth: the network depth `L`, ≥ 1.
  ///   - gain: `g`, used only when `includesGain` (pass 1 for biases).
  public func value(fanIn: Int, fanOut: Int, depth: Int, gain: Double) -> Double {
    precondition(fanIn >= 1 && fanOut >= 1 && depth >= 1,
                 "Scaling laws need fanIn, fanOut, depth ≥ 1, got \(fanIn), \(fanOut), \(depth)")
    if coefficient == 0 { return 0 }
    var result = coefficient
    if includesGain { result *= gain }
    result *= power(Double(fanIn), fanInExponent)
    result *= power(Double(fanOut), fanOutExponent)
    result *= power(Double(depth), depthExponent)
    if let e = aspectRatioCapExponent {
      result *= min(1, power(Double(fanOut) / Double(fanIn), e))
    }
    return result
  }

  /// The law as a human-readable formula, e.g. `g/√fanIn`, `fanOut`, `1/(fanIn·L)`,
  /// `(g/√fanIn)·min(1, √(fanOut/fanIn))`.
  public var formula: String {
    if coefficient == 0 { return "0" }
    var numerator = [String]()
    var denominator = [String]()
    if coefficient != 1 { numerator.append(compactNumber(coefficient)) }
    if includesGain { numerator.append("g") }
    for (name, exponent) in [("fanOut", fanOutExponent), ("fanIn", fanInExponent), ("L", depthExponent)] {
      if exponent > 0 { numerator.append(powerFormula(name, exponent)) }
    }
    for (name, exponent) in [("fanIn", fanInExponent), ("fanOut", fanOutExponent), ("L", depthExponent)] {
      if exponent < 0 { denominator.append(powerFormula(name, -exponent)) }
    }
    var main = numerator.isEmpty ? "1" : numerator.joined(separator: "·")
    if !denominator.isEmpty {
      main += "/" + (denominator.count == 1 ? denominator[0] : "(" + denominator.joined(separator: "·") + ")")
    }
    guard let e = aspectRatioCapExponent else { return main }
    let ratio = e == 1 ? "fanOut/fanIn" : e == 0.5 ? "√(fanOut/fanIn)" : "(fanOut/fanIn)^\(compactNumber(e))"
    let cap = "min(1, \(ratio))"
    if main == "1" { return cap }
    return (main.contains("/") ? "(\(main))" : main) + "·" + cap
  }
}

/// `x^p`, exact for half-integer `p` (products of `x` and `√x`), `pow` otherwise.
private func power(_ x: Double, _ p: Double) -> Double {
  if p == 0 { return 1 }
  let twice = 2 * p
  guard twice == twice.rounded(), abs(twice) <= 64 else { return pow(x, p) }
  let halves = Int(abs(twice))
  var result = 1.0
  for _ in 0..<(halves / 2) { result *= x }
  if halves % 2 == 1 { result *= x.squareRoot() }
  return p < 0 ? 1 / result : result
}

/// `name^p` as text: `name`, `√name`, `name²`, `name³`, or `name^p`.
private func powerFormula(_ name: String, _ p: Double) -> String {
  switch p {
  case 1: name
  case 0.5: "√" + name
  case 2: name + "²"
  case 3: name + "³"
  default: name + "^" + compactNumber(p)
  }
}

/// A number in compact form: integers plainly (`1024`), others with 4 significant digits in
/// fixed or scientific notation (`0.04419`, `1.526e-05`).
func compactNumber(_ x: Double) -> String {
  if x == 0 { return "0" }
  if !x.isFinite { return "\(x)" }
  if x == x.rounded() && abs(x) < 1e6 { return String(Int(x)) }
  return String(format: "%.4g", x)
}
