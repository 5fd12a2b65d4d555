import Foundation
import Testing
import Training
@testable import Experiments

/// The cells of `featurespeed reproduce mu-transfer` (theory §6.8): the grid the transfer check needs.
@Suite struct MuTransferReproductionTests {
  @Test("Default: sp and mup × 3 widths × 5 rates × 3 seeds on Fashion-MNIST; quick: synthetic, 4 rates")
  func grid() {
    let full = Reproduction(.muTransfer, quick: false).jobs()
    #expect(full.count == 2 * 3 * 5 * 3)
    #expect(Set(full.map(\.request.preset)) == ["sp", "mup"])
    #expect(Set(full.map(\.request.width)) == [64, 128, 256])
    #expect(Set(full.map(\.request.learningRate)).count == 5 && Set(full.map(\.request.seed)) == [0, 1, 2])
    #expect(full.allSatisfy { $0.request.data == .fashionMNIST(directory: DataSource.defaultFashionMNISTDirectory) && ($0.request.testSize ?? 1) > 0 })
    #expect(full.allSatisfy { $0.values.map(\.key) == MuTransfer.keys })
    #expect(Set(full.map(\.id)).count == full.count, "cell ids are unique")
    let quick = Reproduction(.muTransfer, quick: true).jobs()
    #expect(quick.count == 2 * 2 * 4 * 2 && quick.allSatisfy { $0.request.data == .synthetic(.teacher) && $0.request.steps == 12 })
  }
}
