import Foundation
import Networks
@testable import Scalings
import Testing

@Suite struct CatalogTests {
  @Test func catalogHasTheSpecPresetsInOrder() {
    #expect(Presets.names == ["sp", "ntk", "mup", "spectral", "spectral-exact", "mf-mup", "fsc", "resnet-sqrt", "resnet-inv"])
    #expect(Set(Presets.names).count == Presets.all.count)
  }

  @Test func lookUpByName() throws {
    for preset in Presets.all { #expect(try Presets.named(preset.name) == preset) }
    #expect(try Presets.named(" MUP ") == Presets.mup)
  }

  @Test func unknownPresetSaysWhatIsExpected() {
    #expect(throws: PresetError.unknownPreset("xyz", known: Presets.names)) { try Presets.named("xyz") }
    #expect(PresetError.unknownPreset("xyz", known: Presets.names).description
      == "Unknown parametrization 'xyz'. Expected one of: sp, ntk, mup, spectral, spectral-exact, mf-mup, fsc, resnet-sqrt, resnet-inv.")
  }

  @Test func reconstructionsAreFlaggedWithANote() {
    let reconstructions = Presets.all.filter(\.isReconstruction).map(\.name)
    #expect(reconstructions == ["mf-mup", "fsc", "resnet-sqrt", "resnet-inv"])
    for preset in Presets.all {
      #expect(!preset.summary.isEmpty && !preset.reference.isEmpty)
      if preset.isReconstruction { #expect(preset.note?.contains("Reconstruction") == true) }
    }
  }

  @Test func onlyResNetPresetsPrescribeBranchScales() {
    for preset in Presets.all {
      let isResNetPreset = preset.name.hasPrefix("resnet-")
      #expect((preset.branchScale != nil) == isResNetPreset)
      #expect(preset.architectures == (isResNetPreset ? [.resnet] : [.mlp, .resnet]))
    }
  }

  @Test func rulesPrintTheirFormulas() {
    let text = renderRules(Presets.mup, optimizer: .sgd)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.count == 6)
    #expect(lines[5].hasPrefix("fwd multiplier: the factor a in F = a·W·x; lr multiplier: the tensor's learning rate is the base rate η times it."))
    #expect(lines[5].contains("g = gain of the input activation"))
    #expect(lines[0].hasPrefix("role") && lines[0].hasSuffix("lr multiplier (sgd)"))
    #expect(lines[1].split(separator: " ") == ["input", "gaussian", "g/√fanIn", "1", "fanOut"])
    #expect(lines[3].split(separator: " ") == ["output", "gaussian", "g/fanIn", "1", "1/fanIn"])
    let fsc = renderRules(Presets.fsc, optimizer: .sgd).split(separator: "\n")
    #expect(fsc[2].split(separator: " ") == ["hidden", "gaussian", "g/√fanIn", "1", "1/L²"])
    #expect(fsc[3].split(separator: " ") == ["output", "gaussian", "g·√L/fanIn", "1", "1/fanIn"])
    let adam = renderRules(Presets.meanFieldMup, optimizer: .adam).split(separator: "\n")
    #expect(adam[2].split(separator: " ").last == "1/(fanIn·L)")
  }
}
