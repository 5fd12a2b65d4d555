import Foundation
import Measurements

/// Axis labels that name the quantity: a quantity slug is shown with its symbol from
/// `Quantity.summary`, `feature_rms — rms(F_ℓ)`; any other column by its name.
public enum AxisLabel {
  /// `slug — symbol` when `column` is a quantity slug (or a `_w2` second-matrix slug, shown with
  /// `(W₂)`), else `column` itself.
  public static func forColumn(_ column: String) -> String {
    guard let symbol = symbol(forQuantity: column) else { return column }
    return "\(column) — \(symbol)"
  }

  /// The short formula of a quantity slug (`rms(F_ℓ)` for `feature_rms`, `‖W_ℓ‖_* (W₂)` for
  /// `weight_spectral_norm_w2`), or `nil` for an unknown slug.
  ///
  /// It is the part of `summary` before its colon, cut before the first explanation (` with `,
  /// ` over `, ` on `, `, which`, `, the `, ` (`), so it stays a formula.
  public static func symbol(forQuantity slug: String) -> String? {
    if let quantity = Quantity(rawValue: slug) { return symbol(of: quantity) }
    if slug.hasSuffix("_w2"), let quantity = Quantity(rawValue: String(slug.dropLast(3))) {
      return symbol(of: quantity) + " (W₂)"
    }
    return nil
  }

  /// The short formula of `quantity` (see `symbol(forQuantity:)`).
  public static func symbol(of quantity: Quantity) -> String {
    var text = Substring(quantity.summary)
    if let colon = text.range(of: ": ") { text = text[..<colon.lowerBound] }
    for separator in [" with ", " over ", " on ", ", which", ", the ", " ("] {
      if let range = text.range(of: separator) { text = text[..<range.lowerBound] }
    }
    return String(text)
  }
}
