import ArgumentParser
import Measurements

/// `featurespeed quantities`: the measured quantities, their slugs and theory sections.
public struct QuantitiesCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "quantities",
    abstract: "List the measured quantities (the `quantity` column of measurements.csv).")

  @Flag(help: "Print a Markdown table (as in the README).")
  public var markdown = false

  public init() {}

  public func run() throws {
    if markdown {
      print("| quantity | scope | theory | meaning |")
      print("|---|---|---|---|")
      for q in Quantity.allCases { print("| `\(q.rawValue)` | \(q.scope.rawValue) | \(q.specSection) | \(q.summary) |") }
    } else {
      for q in Quantity.allCases {
        print("\(q.rawValue.padding(toLength: 30, withPad: " ", startingAt: 0)) \(q.scope.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(q.specSection)  \(q.summary)")
      }
    }
  }
}
