import ArgumentParser
import NumericCore
import Networks
import Scalings
import Training
import Experiments

// Command-line values are the stable slugs of the library's enums.

extension Activation: @retroactive ExpressibleByArgument {}
extension ArchitectureKind: @retroactive ExpressibleByArgument {}
extension Loss: @retroactive ExpressibleByArgument {}
extension DType: @retroactive ExpressibleByArgument {}
extension OptimizerFamily: @retroactive ExpressibleByArgument {}

