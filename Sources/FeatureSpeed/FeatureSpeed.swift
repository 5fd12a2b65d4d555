// The library in one import: `import FeatureSpeed` brings every layer of the package, from the
// numeric core to the plots (README "Use it as a library"). The layers stay separate modules —
// NumericCore → Networks → Measurements → Scalings → Training → Experiments → Plots — so a
// dependent that needs only part of it can import that part.
@_exported import NumericCore
@_exported import Networks
@_exported import Measurements
@_exported import Scalings
@_exported import Training
@_exported import Experiments
@_exported import Plots
