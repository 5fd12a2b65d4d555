import ArgumentParser
import NumericCore
import Networks
import Scalings
import Training
import Experiments

// Command-line values are the stable slugs of the library's enums.

extension Activation: ExpressibleByArgument {}
extension ArchitectureKind: ExpressibleByArgument {}
extension Loss: ExpressibleByArgument {}
extension DType: ExpressibleByArgument {}
extension OptimizerFamily: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension NewtonSchulzVariant: ExpressibleByArgument {}
extension LearningRateScheduleKind: ExpressibleByArgument {}


/// Positive integers separated by commas (`64,128,256`), for list-valued flags such as `--widths`.
/// - Throws: `ValidationError` naming `flag` and the first entry that is not a positive integer.
func parseList(_ text: String, flag: String) throws -> [Int] {
  let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  return try parts.map { part in
    guard let value = Int(part), value >= 1 else {
      throw ValidationError("\(flag) expects positive integers separated by commas, found '\(part)'.")
    }
    return value
  }
}
