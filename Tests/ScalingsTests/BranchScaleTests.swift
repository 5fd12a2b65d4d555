import Foundation
import Networks
@testable import Scalings
import Testing

@Suite struct BranchScaleTests {
  @Test(arguments: [
    ("inv-sqrt", BranchScale.inverseSqrtDepth(multiplier: 1)),
    (" INV-SQRT ", .inverseSqrtDepth(multiplier: 1)),
    ("1/sqrt", .inverseSqrtDepth(multiplier: 1)),
    ("2/sqrt", .inverseSqrtDepth(multiplier: 2)),
    ("0.5/sqrt", .inverseSqrtDepth(multiplier: 0.5)),
    ("inv", .inverseDepth),
    ("1", .constant(1)),
    ("0.5", .constant(0.5)),
    ("1e-2", .constant(0.01)),
  ])
  func validSlugsParse(text: String, expected: BranchScale) throws {
    #expect(try BranchScale(parsing: text) == expected)
  }

  @Test(arguments: ["", "0", "-1", "nan", "inf", "abc", "sqrt", "0/sqrt", "-2/sqrt", "x/sqrt", "1/sqrt(L)"])
  func invalidSlugsThrow(text: String) {
    #expect(throws: PresetError.invalidBranchScale(text)) { try BranchScale(parsing: text) }
  }

  @Test func invalidMessageListsTheAcceptedForms() {
    let message = PresetError.invalidBranchScale("abc").description
    #expect(message.hasPrefix("Invalid branch scale 'abc'. Expected inv-sqrt"))
    for form in ["inv (β = 1/L)", "2/sqrt", "positive number"] { #expect(message.contains(form)) }
  }

  @Test func valuesSlugsAndFormulas() throws {
    let cases: [(BranchScale, Double, String, String)] = [
      (.inverseSqrt, 0.125, "inv-sqrt", "1/√L"),
      (.inverseSqrtDepth(multiplier: 2), 0.25, "2/sqrt", "2/√L"),
      (.inverseDepth, 1.0 / 64, "inv", "1/L"),
      (.constant(0.5), 0.5, "0.5", "0.5"),
      (.constant(1), 1, "1", "1"),
    ]
    for (scale, value, slug, formula) in cases {
      #expect(scale.value(depth: 64) == value)
      #expect(scale.slug == slug && scale.description == formula)
      #expect(try BranchScale(parsing: slug) == scale)
      let encoder = JSONEncoder()
      encoder.outputFormatting = .withoutEscapingSlashes
      let json = try encoder.encode([scale])
      #expect(String(decoding: json, as: UTF8.self) == "[\"\(slug)\"]")
      #expect(try JSONDecoder().decode([BranchScale].self, from: json) == [scale])
    }
    #expect(throws: DecodingError.self) { try JSONDecoder().decode([BranchScale].self, from: Data("[\"-1\"]".utf8)) }
  }
}
