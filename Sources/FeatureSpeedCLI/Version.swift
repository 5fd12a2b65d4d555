/// FeatureSpeed's version (semantic versioning), as `featurespeed --version` prints it and the
/// benchmark worker and the reproductions' `measured.md` report it.
public let featureSpeedVersion = "0.1.0"
