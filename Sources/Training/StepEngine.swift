import NumericCore
import Networks
import Measurements

/// One optimization step on the batch held in `workspace` (SPEC §3): forward, loss, backward, the
/// optimizer's update and — when asked — the per-layer measurements of `FeatureSpeedMeter`.
///
/// It owns every buffer (workspace, gradients, update, meter), made once, so a step allocates
/// nothing. With plain SGD, steps that are not measured fuse the update into the backward pass
/// (`Network.backwardApplyingSGD`): no gradient is stored. Other optimizers store the gradients
/// every step; on measured steps their update goes into a buffer, is measured as
/// `ParameterStep.general`, then added. `Trainer` feeds it shuffled batches; the benchmark feeds
/// it a fixed batch.
public struct StepEngine<Scalar: BLASScalar> {
  /// The network being trained.
  public private(set) var network: Network<Scalar>
  /// Fill `workspace.input` and `workspace.targets` before `step`.
  public var workspace: Workspace<Scalar>
  /// The SGD rates of the fused fast path (used when `optimizerSettings.kind == .sgd`).
  public private(set) var optimizer: SGD<Scalar>
  /// The optimizer's settings.
  public let optimizerSettings: OptimizerSettings
  /// The optimizer of every kind but `.sgd` (`nil` for plain SGD, which runs fused).
  private var general: (any Optimizer<Scalar>)?
  private var gradients: NetworkParameters<Scalar>
  private var update: NetworkParameters<Scalar>
  private var meter: FeatureSpeedMeter<Scalar>?

  /// - Parameters:
  ///   - batchSize: rows of the workspace.
  ///   - baseLearningRate: the base rate `η` (per tensor `η × learningRateMultiplier`).
  ///   - measurement: settings of the measured steps, or `nil` if no step will be measured.
  ///   - optimizer: which optimizer (default plain SGD); must pass `validate()`.
  public init(
    network: Network<Scalar>, batchSize: Int, baseLearningRate: Double, measurement: MeasurementSettings?,
    optimizer optimizerSettings: OptimizerSettings = OptimizerSettings()
  ) {
    self.network = network
    optimizer = SGD(spec: network.spec, baseLearningRate: baseLearningRate)
    self.optimizerSettings = optimizerSettings
    let isSGD = optimizerSettings.kind == .sgd
    if !isSGD {
      general = optimizerSettings.makeOptimizer(spec: network.spec, baseLearningRate: baseLearningRate) as any Optimizer<Scalar>
    }
    let exactTangents = measurement?.isExact ?? false
    workspace = Workspace(spec: network.spec, rows: batchSize, backward: true, tangents: exactTangents)
    gradients = measurement != nil || !isSGD ? NetworkParameters(zerosFor: network.spec) : NetworkParameters(layers: [])
    update = measurement != nil && !isSGD ? NetworkParameters(zerosFor: network.spec) : NetworkParameters(layers: [])
    if let measurement {
      meter = FeatureSpeedMeter(
        spec: network.spec, batchRows: batchSize, settings: measurement, initialParameters: network.parameters)
    }
  }

  /// What a step did.
  public enum Outcome: Sendable {
    /// The update was applied; `measurement` is set on measured steps.
    case stepped(loss: Double, correct: Int, measurement: StepMeasurement?)
    /// The loss before the update is NaN/±∞; nothing more is done.
    case diverged(reason: String)
  }

  /// The loss of the current parameters on the batch in `workspace`, without a step (the next
  /// `step` recomputes its forward pass).
  public mutating func currentLoss() -> Double {
    network.forward(&workspace)
    return network.computeLoss(&workspace, gradient: false)
  }

  /// Runs step `index` on the batch in `workspace`, measuring it when `measure` is true (which
  /// requires measurement settings at initialization).
  public mutating func step(index: Int, measure: Bool) -> Outcome {
    network.forward(&workspace)
    let loss = network.computeLoss(&workspace)
    guard loss.isFinite else { return .diverged(reason: "the training loss is \(loss) at step \(index)") }
    guard measure, meter != nil else {
      if general != nil {
        network.backward(&workspace, gradients: &gradients)
        general!.apply(gradients: gradients, to: &network.parameters)
      } else {
        network.backwardApplyingSGD(&workspace, learningRates: optimizer.learningRates)
      }
      return .stepped(loss: loss, correct: workspace.correct, measurement: nil)
    }
    network.backward(&workspace, gradients: &gradients)
    var measurement: StepMeasurement
    if general != nil {
      general!.computeUpdate(gradients: gradients, parameters: network.parameters, into: &update)
      measurement = meter!.measure(
        step: index, network: network, workspace: &workspace,
        parameterStep: .general(gradients: gradients, update: update))
      network.parameters.add(update)
    } else {
      measurement = meter!.measure(
        step: index, network: network, workspace: &workspace,
        parameterStep: .sgd(gradients: gradients, rates: optimizer.learningRates))
      optimizer.apply(gradients: gradients, to: &network.parameters)
    }
    meter!.measureAfterUpdate(&measurement, updatedNetwork: network, workspace: workspace)
    // NaN/±∞ parameters show up as a non-finite loss at the next step (checked every step).
    return .stepped(loss: loss, correct: workspace.correct, measurement: measurement)
  }
}
