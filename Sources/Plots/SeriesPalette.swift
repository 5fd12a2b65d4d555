import Foundation

/// The color (`#RRGGBB`) and marker shape (0…4: circle, square, triangle, diamond, inverted
/// triangle) of one series.
public struct SeriesStyle: Sendable, Equatable, Hashable {
  /// The stroke and fill color, `#RRGGBB`.
  public var color: String
  /// The marker shape index (taken modulo 5).
  public var marker: Int

  /// A style.
  public init(color: String, marker: Int) {
    self.color = color
    self.marker = marker
  }
}

/// Colors for series named by the values of one or more columns, chosen from what the values are:
///
/// - **numeric** columns only (width 64, 128, 256, 512; a learning rate): an **ordered sequential**
///   palette (viridis from dark purple to green, its pale yellow end left out), by rank of the
///   value, so the order of the lines is the order of the colors; markers cycle with the rank;
/// - **categorical** columns only (preset, method): the Okabe–Ito palette (distinguishable with
///   the common color-vision deficiencies), one color and one marker per value;
/// - **both** (`preset, width`): the hue from the categorical value (Okabe–Ito) and the marker
///   shape with it, the shade from the rank of the numeric value (lighter for smaller), so
///   presets stay apart and widths stay ordered within each.
///
/// A style depends on the value's position among `levels` — all values of the column, not only
/// those in one panel — so one value has one style in every panel of a figure, and in every
/// figure of a report that passes the same levels.
public enum SeriesPalette {
  /// The Okabe–Ito palette, most distinct first (yellow last: weak on white).
  public static let categorical = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
  ]

  /// Viridis stops at t = 0, 0.125, …, 1.
  static let viridis: [(Double, Double, Double)] = [
    (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142), (31, 158, 137),
    (53, 183, 121), (109, 205, 89), (180, 222, 44),
  ]

  /// The sequential color of rank `index` among `count` ordered values (dark for the first).
  public static func sequential(_ index: Int, of count: Int) -> String {
    let t = count <= 1 ? 0 : 0.85 * Double(index) / Double(count - 1)
    let position = t * Double(viridis.count - 1)
    let low = Int(position.rounded(.down)), high = Swift.min(low + 1, viridis.count - 1)
    let f = position - Double(low)
    let (a, b) = (viridis[low], viridis[high])
    return hex(a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f)
  }

  /// Whether every value reads as a number (an empty list does not).
  public static func isNumeric(_ values: [String]) -> Bool {
    !values.isEmpty && values.allSatisfy { Double($0) != nil }
  }

  /// The style of the series with column values `key` (one per column), where `levels[i]` are
  /// all values of column `i` in their natural order (numbers ascending).
  ///
  /// A value missing from its levels counts as one past the last.
  public static func style(key: [String], levels: [[String]]) -> SeriesStyle {
    precondition(key.count == levels.count, "A series key has \(key.count) values for \(levels.count) columns")
    let numeric = levels.map(isNumeric)
    let numbers = levels.indices.filter { numeric[$0] }, categories = levels.indices.filter { !numeric[$0] }
    if categories.isEmpty {
      let (index, count) = denseRank(numbers, key: key, levels: levels)
      return SeriesStyle(color: sequential(index, of: count), marker: index)
    }
    let category = denseRank(categories, key: key, levels: levels).index
    let hue = categorical[category % categorical.count]
    guard !numbers.isEmpty else { return SeriesStyle(color: hue, marker: category) }
    let (index, count) = denseRank(numbers, key: key, levels: levels)
    // From 45 % toward white (smallest) to 25 % toward black (largest).
    let amount = count <= 1 ? 0 : -0.45 + 0.7 * Double(index) / Double(count - 1)
    return SeriesStyle(color: shade(hue, amount), marker: category)
  }

  /// The rank of the key's values in `columns` among all combinations of their levels.
  private static func denseRank(_ columns: [Int], key: [String], levels: [[String]]) -> (index: Int, count: Int) {
    var index = 0, count = 1
    for column in columns {
      let values = levels[column]
      let position = values.firstIndex(of: key[column]) ?? values.count
      let size = values.count + (values.contains(key[column]) ? 0 : 1)
      index = index * size + position
      count *= size
    }
    return (index, count)
  }

  /// `color` mixed toward white (`amount < 0`) or black (`amount > 0`) by `|amount|`.
  static func shade(_ color: String, _ amount: Double) -> String {
    let digits = Array(color.dropFirst())
    func channel(_ i: Int) -> Double { Double(Int(String(digits[(2 * i)..<(2 * i + 2)]), radix: 16) ?? 0) }
    let target = amount < 0 ? 255.0 : 0.0, f = abs(amount)
    return hex(
      channel(0) + (target - channel(0)) * f, channel(1) + (target - channel(1)) * f,
      channel(2) + (target - channel(2)) * f)
  }

  private static func hex(_ r: Double, _ g: Double, _ b: Double) -> String {
    "#" + [r, g, b].map { String(format: "%02X", Int(Swift.min(255, Swift.max(0, $0.rounded())))) }.joined()
  }
}
