import FeatureSpeedCLI

FeatureSpeedCommand.main()
