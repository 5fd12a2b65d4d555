/// The ResNet branch scale β as a rule in the depth L (theory §2, §5.1): `F_ℓ = F_{ℓ−1} + β·branch`.
///
/// Written to files and read from the command line as its `slug`: `inv-sqrt` (1/√L), `2/sqrt`
/// (2/√L), `inv` (1/L), or a positive number (`1`, `0.5`).
public enum BranchScale: Codable, Equatable, Sendable, CustomStringConvertible {
  /// `β = c`, independent of depth (c > 0).
  case constant(Double)
  /// `β = m/√L` (m > 0; m = 1 is `inv-sqrt`). [FSF]: the output alignment is depth-independent.
  case inverseSqrtDepth(multiplier: Double)
  /// `β = 1/L`.
  case inverseDepth

  /// `β = 1/√L`, the default branch scale of ResNets.
  public static let inverseSqrt = BranchScale.inverseSqrtDepth(multiplier: 1)

  /// Parses a slug: `inv-sqrt`, `inv`, `m/sqrt` with m > 0 (β = m/√L), or a positive number.
  /// Case and surrounding spaces are ignored.
  /// - Throws: `PresetError.invalidBranchScale` for anything else (zero, negative, non-finite).
  public init(parsing text: String) throws {
    let slug = text.trimmingWhitespace().lowercased()
    switch slug {
    case "inv-sqrt", "1/sqrt": self = .inverseSqrt
    case "inv", "1/l": self = .inverseDepth
    default:
      if slug.hasSuffix("/sqrt"), let m = positiveNumber(String(slug.dropLast("/sqrt".count))) {
        self = .inverseSqrtDepth(multiplier: m)
      } else if let c = positiveNumber(slug) {
        self = .constant(c)
      } else {
        throw PresetError.invalidBranchScale(text)
      }
    }
  }

  /// `β` for a ResNet with `depth` residual blocks (depth ≥ 1).
  public func value(depth: Int) -> Double {
    precondition(depth >= 1, "The branch scale needs depth ≥ 1, got \(depth)")
    switch self {
    case .constant(let c): return c
    case .inverseSqrtDepth(let m): return m / Double(depth).squareRoot()
    case .inverseDepth: return 1 / Double(depth)
    }
  }

  /// The stable slug (`inv-sqrt`, `2/sqrt`, `inv`, `0.5`); `init(parsing:)` reads it back.
  public var slug: String {
    switch self {
    case .constant(let c): compactSlugNumber(c)
    case .inverseSqrtDepth(let m): m == 1 ? "inv-sqrt" : compactSlugNumber(m) + "/sqrt"
    case .inverseDepth: "inv"
    }
  }

  /// The rule as a formula: `1/√L`, `2/√L`, `1/L`, `0.5`.
  public var description: String {
    switch self {
    case .constant(let c): compactSlugNumber(c)
    case .inverseSqrtDepth(let m): compactSlugNumber(m) + "/√L"
    case .inverseDepth: "1/L"
    }
  }

  /// Encodes the slug as a single string.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(slug)
  }

  /// Decodes a slug.
  /// - Throws: `DecodingError.dataCorrupted` with the `PresetError` text for an invalid slug.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    do {
      try self.init(parsing: text)
    } catch let error as PresetError {
      throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
    }
  }
}

/// A finite positive number parsed from `text`, or nil.
private func positiveNumber(_ text: String) -> Double? {
  guard let x = Double(text), x.isFinite, x > 0 else { return nil }
  return x
}

/// Shortest text that reads back as `x` (`1`, `0.5`, `0.125`).
private func compactSlugNumber(_ x: Double) -> String {
  x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
}

extension String {
  /// The string without leading and trailing whitespace.
  func trimmingWhitespace() -> String {
    String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
  }
}
