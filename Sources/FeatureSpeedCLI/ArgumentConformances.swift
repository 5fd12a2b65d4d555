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

