import ArgumentParser

/// The `featurespeed` root command.
public struct FeatureSpeedCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "featurespeed",
    abstract: "Measure and steer feature learning in deep networks, per layer and per step.",
    discussion: """
      Implements the Feature Speed Formula (Chizat & Netrapalli) and the spectral condition for \
      feature learning (Yang, Simon & Bernstein). See README.md for the measured quantities.
      """,
    version: featureSpeedVersion,
    subcommands: [TrainCommand.self, DiagnoseCommand.self, KernelCommand.self, PresetsCommand.self, QuantitiesCommand.self, PlotCommand.self, SweepCommand.self, MergeCommand.self, TransferCommand.self, CoordCheckCommand.self, ReproduceCommand.self, BenchCommand.self, DoctorCommand.self],
    defaultSubcommand: nil)

  public init() {}
}
