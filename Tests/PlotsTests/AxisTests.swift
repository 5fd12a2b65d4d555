import Foundation
import Testing

@testable import Plots

@Suite("Scales and nice ticks")
struct AxisTests {
  func labels(_ ticks: [Tick]) -> [String] { ticks.compactMap(\.label) }

  @Test("Linear [0, 1]: steps of 0.2, exact decimal labels")
  func linearUnitInterval() {
    let scale = Scale(kind: .linear, fitting: [0, 0.5, 1])
    #expect(scale.domain.lowerBound < 0 && scale.domain.upperBound > 1)
    let ticks = Axis.ticks(for: scale)
    #expect(labels(ticks) == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
    #expect(ticks.map(\.value) == [0, 0.2, 0.4, 0.6, 0.8, 1])
  }

  @Test("Linear 1-2-5 steps on other ranges, negative numbers with a minus sign, large and tiny numbers")
  func linearSteps() {
    #expect(labels(Axis.linearTicks(in: 0...100, targetCount: 6)) == ["0", "20", "40", "60", "80", "100"])
    #expect(labels(Axis.linearTicks(in: -3...3, targetCount: 6)) == ["−3", "−2", "−1", "0", "1", "2", "3"])
    #expect(labels(Axis.linearTicks(in: 0.1...0.35, targetCount: 6)) == ["0.1", "0.15", "0.2", "0.25", "0.3", "0.35"])
    #expect(labels(Axis.linearTicks(in: 0...2e-6, targetCount: 5)) == ["0", "5×10⁻⁷", "1×10⁻⁶", "1.5×10⁻⁶", "2×10⁻⁶"])
    #expect(labels(Axis.linearTicks(in: 0...4e6, targetCount: 5)) == ["0", "1×10⁶", "2×10⁶", "3×10⁶", "4×10⁶"])
    #expect(labels(Axis.linearTicks(in: 1200...1800, targetCount: 6)) == ["1200", "1300", "1400", "1500", "1600", "1700", "1800"])
  }

  @Test("Log [3e-4, 20]: decades 10⁻³ … 10¹ labeled, 2× and 5× minors unlabeled")
  func logDecades() {
    let scale = Scale(kind: .log, fitting: [3e-4, 0.1, 20])
    let ticks = Axis.ticks(for: scale)
    let majors = ticks.filter(\.isMajor)
    #expect(majors.map(\.value) == [1e-3, 1e-2, 1e-1, 1, 10])
    #expect(labels(majors) == ["10⁻³", "0.01", "0.1", "1", "10"])
    #expect(ticks.filter { !$0.isMajor }.allSatisfy { $0.label == nil })
    #expect(ticks.contains { $0.value == 2e-3 && !$0.isMajor } && ticks.contains { $0.value == 5 && !$0.isMajor })
    #expect(ticks.allSatisfy { scale.domain.contains($0.value) })
  }

  @Test("Log decade labels: plain from 0.01 to 1000, powers beyond")
  func decadeLabels() {
    #expect((-4...5).map(TickLabel.decade) == ["10⁻⁴", "10⁻³", "0.01", "0.1", "1", "10", "100", "1000", "10⁴", "10⁵"])
  }

  @Test("Log over less than 3 decades labels the 2× and 5× ticks; very narrow ranges fall back to linear ticks")
  func narrowLog() {
    let ticks = Axis.logTicks(in: 60...2200, targetCount: 6)
    #expect(labels(ticks) == ["100", "200", "500", "1000", "2000"])
    let narrow = Axis.logTicks(in: 0.3...0.45, targetCount: 6)
    #expect(narrow.count >= 2 && narrow.allSatisfy { $0.label != nil && $0.value > 0 })
  }

  @Test("Log over many decades labels every k-th decade and drops minors")
  func wideLog() {
    let ticks = Axis.logTicks(in: 1e-17...10, targetCount: 6)
    #expect(labels(ticks) == ["10⁻¹⁵", "10⁻¹²", "10⁻⁹", "10⁻⁶", "10⁻³", "1"])
    #expect(ticks.count == 19 && ticks.filter(\.isMajor).count == 6)
  }

  @Test("Degenerate ranges: one value, all equal, zero, no values")
  func degenerate() {
    #expect(Scale(kind: .linear, fitting: [5, 5, 5]).domain == 4.5...5.5)
    #expect(Scale(kind: .linear, fitting: [0]).domain == -1...1)
    #expect(Scale(kind: .linear, fitting: []).domain == 0...1)
    #expect(Scale(kind: .log, fitting: []).domain == 1...10)
    let log = Scale(kind: .log, fitting: [0.01])
    #expect(abs(log.domain.lowerBound - 0.01 / 10.0.squareRoot()) < 1e-12)
    #expect(abs(log.domain.upperBound - 0.01 * 10.0.squareRoot()) < 1e-12)
    #expect(labels(Axis.ticks(for: log)).contains("0.01"))
    #expect(!labels(Axis.ticks(for: Scale(kind: .linear, fitting: [5]))).isEmpty)
  }

  @Test("A log scale ignores non-finite and non-positive values and cannot place them")
  func logIgnoresNonPositive() {
    let scale = Scale(kind: .log, fitting: [0, -1, .nan, .infinity, 1, 100])
    #expect(scale.domain.lowerBound > 0.5 && scale.domain.upperBound < 200)
    #expect(scale.fraction(0) == nil && scale.fraction(-2) == nil && scale.fraction(.nan) == nil)
    #expect(abs(scale.fraction(10)! - 0.5) < 1e-12)
  }
}
