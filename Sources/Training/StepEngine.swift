import NumericCore
import Networks
import Measurements

/// One optimization step on the batch held in `workspace` (SPEC §3): forward, loss, backward, the
/// SGD update and — when asked — the per-layer measurements of `FeatureSpeedMeter`.
///
/// It owns every buffer (workspace, gradients, update, meter), made once, so a step allocates
/// nothing. On steps that are not measured, SGD is fused into the backward pass
/// (`Network.backwardApplyingSGD`): no gradient is stored. `Trainer` feeds it shuffled batches;
/// the benchmark feeds it a fixed batch.
public struct StepEngine<Scalar: BLASScalar> {
  /// The network being trained.
  public private(set) var network: Network<Scalar>
  /// Fill `workspace.input` and `workspace.targets` before `step`.
  public var workspace: Workspace<Scalar>
  /// The optimizer.
  public private(set) var optimizer: SGD<Scalar>
  private var gradients: NetworkParameters<Scalar>
  private var meter: FeatureSpeedMeter<Scalar>?

  /// - Parameters:
  ///   - batchSize: rows of the workspace.
  ///   - baseLearningRate: the SGD base rate.
  ///   - measurement: settings of the measured steps, or `nil` if no step will be measured.
  public init(network: Network<Scalar>, batchSize: Int, baseLearningRate: Double, measurement: MeasurementSettings?) {
    self.network = network
    optimizer = SGD(spec: network.spec, baseLearningRate: baseLearningRate)
    let exactTangents = measurement?.isExact ?? false
    workspace = Workspace(spec: network.spec, rows: batchSize, backward: true, tangents: exactTangents)
    if let measurement {
      gradients = NetworkParameters(zerosFor: network.spec)
      meter = FeatureSpeedMeter(
        spec: network.spec, batchRows: batchSize, settings: measurement, initialParameters: network.parameters)
    } else {
      gradients = NetworkParameters(layers: [])
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
      network.backwardApplyingSGD(&workspace, learningRates: optimizer.learningRates)
      return .stepped(loss: loss, correct: workspace.correct, measurement: nil)
    }
    network.backward(&workspace, gradients: &gradients)
    var measurement = meter!.measure(
      step: index, network: network, workspace: &workspace,
      parameterStep: .sgd(gradients: gradients, rates: optimizer.learningRates))
    optimizer.apply(gradients: gradients, to: &network.parameters)
    meter!.measureAfterUpdate(&measurement, updatedNetwork: network, workspace: workspace)
    // NaN/±∞ parameters show up as a non-finite loss at the next step (checked every step).
    return .stepped(loss: loss, correct: workspace.correct, measurement: measurement)
  }
}
