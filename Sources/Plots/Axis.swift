import Foundation

/// A tick on an axis: a value, maybe a label, and whether it is major (longer mark, grid line).
public struct Tick: Sendable, Equatable {
  /// The data value where the tick sits.
  public var value: Double
  /// The text under (x) or beside (y) the tick; `nil` for an unlabeled tick.
  public var label: String?
  /// Major ticks get a grid line across the plot; minor ticks a fainter one.
  public var isMajor: Bool

  /// A tick at `value`.
  public init(value: Double, label: String?, isMajor: Bool) {
    self.value = value
    self.label = label
    self.isMajor = isMajor
  }
}

/// An axis: a label naming the quantity, a scale, and its ticks.
///
/// Ticks are "nice" numbers inside the scale's domain:
/// - **linear**: multiples of a 1-2-5 step (`…, 0.1, 0.2, 0.5, 1, 2, 5, 10, …`) chosen so that about
///   `targetTickCount` ticks fall in the domain, all labeled (`0`, `0.2`, …, `1`; `2×10⁻⁶` when
///   the numbers are very small or very large);
/// - **log**: a major tick at every decade, labeled `10⁻³`, `0.01`, `0.1`, `1`, `10`, `100`,
///   `1000`, `10⁴` (plain numbers from 0.01 to 1000), every k-th decade only when there are more
///   than 7; minor ticks at 2 and 5 times each decade when the domain spans at most 8 decades,
///   labeled too (`20`, `50`, `2×10⁻⁴`) when fewer than 3 decades are in the domain; a domain of
///   less than a decade gets every multiple 1…9 of its decade (`1000, 2000, 3000, 4000`); one
///   spanning less than a factor 3, too narrow for two labels, or less than a decade with fewer
///   than 4 labels, gets linear 1-2-5 ticks instead (about `targetTickCount + 2` of them), so that
///   a label sits near each end;
/// - **log over powers of two**: when the data shown on a log axis are all powers of two (widths
///   64, 128, 256, 512; batch sizes), a labeled major tick at every power of two from the smallest
///   to the largest value (`64`, `128`, `256`, `512`; every k-th labeled when there are more than
///   `targetTickCount + 2`, always the smallest), so both extremes carry a label — decade ticks
///   would give `60, 80, 100, 200` and leave the extremes unlabeled;
/// - **log over a few integers**: data of 2…8 distinct positive integers spanning less than 1.5
///   decades (depths 3, 6; widths 100, 200, 400, 800) get a labeled tick at each value.
public struct Axis: Sendable, Equatable {
  /// The axis title, e.g. `step` or `feature_rms — rms(F_ℓ)`.
  public var label: String
  /// The scale.
  public var scale: Scale
  /// The ticks inside the scale's domain, in increasing order.
  public var ticks: [Tick]

  /// An axis with nice ticks for `scale`; `data` (the values drawn along it) lets a log axis
  /// tick at powers of two when they all are.
  public init(label: String, scale: Scale, targetTickCount: Int = 6, data: [Double] = []) {
    self.label = label
    self.scale = scale
    self.ticks = Self.ticks(for: scale, targetCount: targetTickCount, data: data)
  }

  /// Nice ticks inside `scale.domain` (see the type's documentation).
  public static func ticks(for scale: Scale, targetCount: Int = 6, data: [Double] = []) -> [Tick] {
    switch scale.kind {
    case .linear: return linearTicks(in: scale.domain, targetCount: targetCount)
    case .log:
      if let powers = powerOfTwoTicks(in: scale.domain, data: data, targetCount: targetCount) { return powers }
      if let values = integerDataTicks(in: scale.domain, data: data) { return values }
      return logTicks(in: scale.domain, targetCount: targetCount)
    }
  }

  /// A labeled tick at each data value when the data are 2…8 distinct positive integers spanning
  /// less than 1.5 decades (depths 3, 6; widths 100, 200, 400, 800): the grid's own values, with
  /// both extremes labeled; `nil` otherwise.
  static func integerDataTicks(in domain: ClosedRange<Double>, data: [Double]) -> [Tick]? {
    let values = Array(Set(data.filter(\.isFinite))).sorted()
    guard (2...8).contains(values.count), let low = values.first, let high = values.last, low >= 1,
      values.allSatisfy({ $0 == $0.rounded() && $0 < 1e15 }), log10(high / low) < 1.5
    else { return nil }
    return values.filter { domain.contains($0) }.map { Tick(value: $0, label: String(Int($0)), isMajor: true) }
  }

  /// The exponent `k` when `value` is `2^k` (to 1e-9 relative), else `nil`.
  static func powerOfTwoExponent(_ value: Double) -> Int? {
    guard value > 0, value.isFinite else { return nil }
    let k = log2(value).rounded()
    return abs(value / pow(2, k) - 1) < 1e-9 ? Int(k) : nil
  }

  /// A tick at every power of two from the smallest to the largest of `data` when the data are
  /// at least two distinct powers of two inside `domain`; `nil` otherwise.
  static func powerOfTwoTicks(in domain: ClosedRange<Double>, data: [Double], targetCount: Int) -> [Tick]? {
    let finite = data.filter { $0.isFinite && $0 > 0 }
    guard !finite.isEmpty else { return nil }
    var exponents = [Int]()
    for value in finite {
      guard let k = powerOfTwoExponent(value) else { return nil }
      exponents.append(k)
    }
    guard let low = exponents.min(), let high = exponents.max(), low < high else { return nil }
    let count = high - low + 1
    let stride = Swift.max(1, Int((Double(count) / Double(targetCount + 2)).rounded(.up)))
    return (low...high).compactMap { k in
      let value = pow(2, Double(k))
      guard value >= domain.lowerBound * (1 - 1e-9), value <= domain.upperBound * (1 + 1e-9) else { return nil }
      let labeled = (k - low).isMultiple(of: stride)
      return Tick(value: value, label: labeled ? TickLabel.powerOfTwo(k) : nil, isMajor: labeled)
    }
  }

  /// Multiples of a 1-2-5 step in `domain`, all labeled and major.
  static func linearTicks(in domain: ClosedRange<Double>, targetCount: Int) -> [Tick] {
    let span = domain.upperBound - domain.lowerBound
    guard span > 0, span.isFinite else { return [] }
    let raw = span / Double(Swift.max(targetCount - 1, 1))
    var exponent = Int(floor(log10(raw)))
    let residual = raw / pow(10, Double(exponent))
    var mantissa = residual < 1.5 ? 1 : residual < 3 ? 2 : residual < 7 ? 5 : 10
    if mantissa == 10 {
      mantissa = 1
      exponent += 1
    }
    let step = Double(mantissa) * pow(10, Double(exponent))
    let first = Int(ceil(domain.lowerBound / step - 1e-9)), last = Int(floor(domain.upperBound / step + 1e-9))
    guard first <= last else { return [] }
    let integers = (first...last).map { $0 * mantissa }
    let largest = integers.map { abs($0) }.max() ?? 0
    let scientific = exponent < -4 || Double(largest) * pow(10, Double(exponent)) >= 1e6
    return integers.map { n in
      Tick(
        value: TickLabel.value(n, exponent: exponent),
        label: TickLabel.decimal(n, exponent: exponent, scientific: scientific), isMajor: true)
    }
  }

  /// Decades (major), 2× and 5× minors, or linear ticks for narrow positive domains.
  static func logTicks(in domain: ClosedRange<Double>, targetCount: Int) -> [Tick] {
    let low = log10(domain.lowerBound), high = log10(domain.upperBound)
    let span = high - low
    // Less than a factor 3 (e.g. losses 0.8…1.9): decade multiples would leave one or two labels.
    if span < 0.48 { return linearTicks(in: domain, targetCount: targetCount + 2).filter { $0.value > 0 } }
    let firstDecade = Int(ceil(low - 1e-9)), lastDecade = Int(floor(high + 1e-9))
    let decades = firstDecade <= lastDecade ? Array(firstDecade...lastDecade) : []
    let stride = Swift.max(1, Int((Double(decades.count) / 7).rounded(.up)))
    let labelsMinors = decades.count < 3
    // Less than a decade (e.g. widths 1024…4096): every integer multiple, so that each end has a tick nearby.
    let multiples = span < 1 ? Array(1...9) : [1, 2, 5]
    var ticks = [Tick]()
    if span <= 8 {
      for decade in (firstDecade - 1)...lastDecade {
        for multiple in multiples {
          let value = TickLabel.value(multiple, exponent: decade)
          guard value >= domain.lowerBound * (1 - 1e-9), value <= domain.upperBound * (1 + 1e-9) else { continue }
          if multiple == 1 {
            let label = decade.isMultiple(of: stride) ? TickLabel.decade(decade) : nil
            ticks.append(Tick(value: value, label: label, isMajor: true))
          } else {
            ticks.append(
              Tick(value: value, label: labelsMinors ? TickLabel.multiple(multiple, decade: decade) : nil, isMajor: false))
          }
        }
      }
    } else {
      for decade in decades {
        let labeled = decade.isMultiple(of: stride)
        ticks.append(
          Tick(value: TickLabel.value(1, exponent: decade), label: labeled ? TickLabel.decade(decade) : nil, isMajor: labeled))
      }
    }
    let labeled = ticks.filter { $0.label != nil }.count
    if labeled < 2 {
      return linearTicks(in: domain, targetCount: targetCount).filter { $0.value > 0 }
    }
    // Less than a decade with fewer than 4 labels (e.g. losses 1.2…4.3 labeled 2, 3, 4 only): the
    // finer linear ticks put a label near each end.
    if span < 1 && labeled < 4 {
      let linear = linearTicks(in: domain, targetCount: targetCount + 2).filter { $0.value > 0 }
      if linear.count > labeled { return linear }
    }
    return ticks
  }
}

/// Exact decimal tick values and their labels, computed from integers so that `0.3` is `0.3`.
enum TickLabel {
  /// `n × 10^exponent`, dividing for negative exponents (`3 / 10` is exactly the double `0.3`).
  static func value(_ n: Int, exponent: Int) -> Double {
    exponent >= 0 ? Double(n) * pow(10, Double(exponent)) : Double(n) / pow(10, Double(-exponent))
  }

  /// `10^k`: plain from `0.01` to `1000`, else `10⁻³`, `10⁴`.
  static func decade(_ k: Int) -> String {
    (-2...3).contains(k) ? decimal(1, exponent: k, scientific: false) : "10" + superscript(k)
  }

  /// `m × 10^k` for a minor tick: plain from `0.02` to `5000`, else `2×10⁻³`.
  static func multiple(_ m: Int, decade k: Int) -> String {
    (-2...3).contains(k) ? decimal(m, exponent: k, scientific: false) : "\(m)×10" + superscript(k)
  }

  /// `n × 10^exponent` written out (`−1.2`, `0.05`, `2500`) or in scientific form (`1.5×10⁻⁶`),
  /// with a true minus sign.
  static func decimal(_ n: Int, exponent: Int, scientific: Bool) -> String {
    if n == 0 { return "0" }
    let sign = n < 0 ? "−" : ""
    let digits = String(n.magnitude)
    if scientific {
      let power = exponent + digits.count - 1
      let rest = digits.dropFirst().reversed().drop { $0 == "0" }.reversed()
      return sign + String(digits.first!) + (rest.isEmpty ? "" : "." + String(rest)) + "×10" + superscript(power)
    }
    if exponent >= 0 { return sign + digits + String(repeating: "0", count: exponent) }
    let padded = String(repeating: "0", count: Swift.max(0, -exponent - digits.count + 1)) + digits
    let integerPart = padded.dropLast(-exponent)
    let fraction = padded.suffix(-exponent).reversed().drop { $0 == "0" }.reversed()
    return sign + integerPart + (fraction.isEmpty ? "" : "." + String(fraction))
  }

  /// `2^k`: the integer up to `2²⁰` (`64`, `1024`), the exact decimal down to `2⁻⁴` (`0.0625`),
  /// else `2⁻⁵`, `2²¹`.
  static func powerOfTwo(_ k: Int) -> String {
    if (0...20).contains(k) { return String(1 << k) }
    if (-4 ..< 0).contains(k) { return decimal(Int(pow(5, Double(-k))), exponent: k, scientific: false) }
    return "2" + superscript(k)
  }

  /// A number for a sentence: 3 significant digits (`481`, `0.0123`; whole up to `9999`), `7.7×10³⁶` from 10⁴ and
  /// below 10⁻³.
  static func compact(_ value: Double) -> String {
    guard value.isFinite, value != 0 else { return value == 0 ? "0" : "\(value)" }
    let magnitude = abs(value)
    if magnitude >= 1e3 && magnitude < 1e4 { return String(format: "%.0f", value) }
    if magnitude >= 1e-3 && magnitude < 1e3 { return String(format: "%.3g", value) }
    let exponent = Int(floor(log10(magnitude)))
    let mantissa = String(format: "%.2g", value / pow(10, Double(exponent)))
    return (mantissa == "1" ? "" : mantissa + "×") + "10" + superscript(exponent)
  }

  /// `-3` → `⁻³`.
  static func superscript(_ k: Int) -> String {
    let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
    return (k < 0 ? "⁻" : "") + String(k.magnitude).map { digits[Int(String($0))!] }
  }
}
