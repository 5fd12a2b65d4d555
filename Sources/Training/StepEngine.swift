import NumericCore
import Networks
import Measurements
import Scalings

/// One optimization step on the batch held in `workspace` (theory §3): forward, loss, backward, the
/// optimizer's update, FSC-control of the per-layer rates when asked (theory §5.3) and — when asked —
/// the per-layer measurements of `FeatureSpeedMeter`.
///
/// It owns every buffer (workspace, gradients, update, meter), made once, so a step allocates
/// no tensor (only the small per-tensor rate table is rebuilt when the schedule's factor changes
/// or control sets SGD's rates). With plain SGD and no control, steps that are not measured fuse the update into the
/// backward pass (`Network.backwardApplyingSGD`): no gradient is stored. Otherwise the gradients
/// are stored every step; other optimizers compute their update into a buffer, which control
/// scales layer by layer and measured steps measure as `ParameterStep.general` before it is added.
/// `Trainer` feeds it shuffled batches; the benchmark feeds it a fixed batch.
///
/// **Learning-rate schedule and control.** Each step takes the schedule's factor `s_t`. The
/// rates applied at step t are `η_{k,t} = s_t · κ_{k,t} · η · m_k`: the preset's rates `η·m_k`,
/// times the FSC-control factor `κ_{k,t}` (1 without control), times `s_t`. The controller decides
/// `κ` from the contributions at the preset rates `C_k(1)`, which do not involve `s_t`, so it never
/// sees — and never undoes — the schedule; the schedule then scales the controlled step (under
/// adaptive contributions the achieved first-order decay is `s_t·ρ·ℒ_t`). Measurements see the
/// rates (or the update) actually applied, so every theory §3 identity holds at every measured step.
public struct StepEngine<Scalar: BLASScalar> {
  /// The network being trained.
  public private(set) var network: Network<Scalar>
  /// Fill `workspace.input` and `workspace.targets` before `step`.
  public var workspace: Workspace<Scalar>
  /// The SGD rates of the fused fast path (used when `optimizerSettings.kind == .sgd`): the
  /// preset's × the last step's schedule factor; under control the last step's applied rates.
  public private(set) var optimizer: SGD<Scalar>
  /// The optimizer's settings.
  public let optimizerSettings: OptimizerSettings
  /// The optimizer of every kind but `.sgd` (`nil` for plain SGD, which runs fused).
  private var general: (any Optimizer<Scalar>)?
  /// The preset's rates, which control factors multiply.
  private let presetRates: LearningRates
  /// FSC-control, when active.
  private var controller: RateController?
  /// The last measured `cos θ_ℓ` per layer position (for the feature-speed target).
  private var lastCosines: [Double]?
  private var gradients: NetworkParameters<Scalar>
  private var update: NetworkParameters<Scalar>
  private var meter: FeatureSpeedMeter<Scalar>?
  /// The schedule factor the uncontrolled rates in use hold (`presetRates × scheduledFactor`).
  private var scheduledFactor = 1.0

  /// - Parameters:
  ///   - batchSize: rows of the workspace.
  ///   - baseLearningRate: the base rate `η` (per tensor `η × learningRateMultiplier`).
  ///   - measurement: settings of the measured steps, or `nil` if no step will be measured.
  ///   - optimizer: which optimizer (default plain SGD); must pass `validate()`.
  ///   - control: FSC-control settings (default inactive).
  /// - Throws: `ControlError` for control settings that do not fit the network.
  public init(
    network: Network<Scalar>, batchSize: Int, baseLearningRate: Double, measurement: MeasurementSettings?,
    optimizer optimizerSettings: OptimizerSettings = OptimizerSettings(), control: ControlSettings = ControlSettings()
  ) throws {
    self.network = network
    optimizer = SGD(spec: network.spec, baseLearningRate: baseLearningRate)
    presetRates = optimizer.learningRates
    self.optimizerSettings = optimizerSettings
    let isSGD = optimizerSettings.kind == .sgd
    if !isSGD {
      general = optimizerSettings.makeOptimizer(spec: network.spec, baseLearningRate: baseLearningRate) as any Optimizer<Scalar>
    }
    if control.isActive { controller = try RateController(settings: control, layerCount: network.spec.layers.count) }
    let exactTangents = measurement?.isExact ?? false
    workspace = Workspace(spec: network.spec, rows: batchSize, backward: true, tangents: exactTangents)
    let storesGradients = measurement != nil || !isSGD || control.isActive
    gradients = storesGradients ? NetworkParameters(zerosFor: network.spec) : NetworkParameters(layers: [])
    update = !isSGD && (measurement != nil || control.isActive) ? NetworkParameters(zerosFor: network.spec) : NetworkParameters(layers: [])
    if let measurement {
      meter = FeatureSpeedMeter(
        spec: network.spec, batchRows: batchSize, settings: measurement, initialParameters: network.parameters)
    }
  }

  /// What a step did.
  public enum Outcome: Sendable {
    /// The update was applied; `measurement` is set on measured steps, `control` under FSC-control.
    case stepped(loss: Double, correct: Int, measurement: StepMeasurement?, control: ControlDecision?)
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
  /// - Parameter learningRateFactor: `s_t > 0`, the schedule's factor on every rate at this step
  ///   (default 1: the preset's rates, times the control factors when controlled).
  public mutating func step(index: Int, measure: Bool, learningRateFactor: Double = 1) -> Outcome {
    precondition(learningRateFactor.isFinite && learningRateFactor > 0, "Learning-rate factor \(learningRateFactor) at step \(index)")
    network.forward(&workspace)
    let loss = network.computeLoss(&workspace)
    guard loss.isFinite else { return .diverged(reason: "the training loss is \(loss) at step \(index)") }
    let measuring = measure && meter != nil
    // Under control the optimizer keeps the preset's rates (the controller reads C_k(1) from
    // them) and `control` applies κ·s; otherwise the rates are the preset's × s.
    if controller == nil { scheduleRates(learningRateFactor) }
    if general == nil && controller == nil && !measuring {
      network.backwardApplyingSGD(&workspace, learningRates: optimizer.learningRates)
      return .stepped(loss: loss, correct: workspace.correct, measurement: nil, control: nil)
    }
    network.backward(&workspace, gradients: &gradients)
    if general != nil && controller == nil && !measuring {
      general!.apply(gradients: gradients, to: &network.parameters)
      return .stepped(loss: loss, correct: workspace.correct, measurement: nil, control: nil)
    }
    if general != nil {
      general!.computeUpdate(gradients: gradients, parameters: network.parameters, into: &update)
    }
    var decision: ControlDecision?
    if controller != nil {
      decision = control(step: index, loss: loss, learningRateFactor: learningRateFactor)
    }
    var measurement: StepMeasurement?
    if measuring {
      let step: ParameterStep<Scalar> = general != nil
        ? .general(gradients: gradients, update: update) : .sgd(gradients: gradients, rates: optimizer.learningRates)
      measurement = meter!.measure(step: index, network: network, workspace: &workspace, parameterStep: step)
      lastCosines = measurement!.layers.map(\.bfaCos)
    }
    if general != nil {
      network.parameters.add(update)
    } else {
      optimizer.apply(gradients: gradients, to: &network.parameters)
    }
    if measuring { meter!.measureAfterUpdate(&measurement!, updatedNetwork: network, workspace: workspace) }
    // NaN/±∞ parameters show up as a non-finite loss at the next step (checked every step).
    return .stepped(loss: loss, correct: workspace.correct, measurement: measurement, control: decision)
  }

  /// Sets the uncontrolled rates in use to the preset's × `factor` (a no-op when they already are).
  private mutating func scheduleRates(_ factor: Double) {
    guard factor != scheduledFactor else { return }
    let rates = factor == 1 ? presetRates : presetRates.scaled(by: factor)
    if general != nil { general!.learningRates = rates } else { optimizer.learningRates = rates }
    scheduledFactor = factor
  }

  /// FSC-control (theory §5.3): the contributions of the step at the preset rates, the controller's
  /// factors `κ_k`, and the step rescaled by `κ_k · learningRateFactor` (SGD: the rates; other
  /// optimizers: the update buffer, which is linear in the rates).
  private mutating func control(step index: Int, loss: Double, learningRateFactor s: Double) -> ControlDecision {
    // Per layer: C_k(1) at the preset rates and ‖∇_k‖².
    let step: ParameterStep<Scalar> = general != nil
      ? .general(gradients: gradients, update: update) : .sgd(gradients: gradients, rates: presetRates)
    let (unit, norms, _) = step.contributionsAndGradientNorms()
    let signals = network.spec.layers.indices.map { l in
      let f = workspace.features[l]
      return LayerSignals(
        unitContribution: unit[l], gradientNormSquared: norms[l], backwardNorm: workspace.backward[l].norm, featureCount: f.count,
        featureRMS: f.norm / Double(f.count).squareRoot(), bfaCos: lastCosines?[l])
    }
    let decision = controller!.decide(step: index, loss: loss, layers: signals)
    let applied = decision.factors.map { $0 * s }
    if general != nil {
      for (l, factor) in applied.enumerated() where factor != 1 {
        for u in update.layers[l].indices {
          update.layers[l][u].weight.scale(by: Scalar(factor))
          if update.layers[l][u].bias != nil { update.layers[l][u].bias!.scale(by: Scalar(factor)) }
        }
      }
    } else {
      optimizer.learningRates = presetRates.scaled(byLayer: applied)
    }
    return decision
  }
}
