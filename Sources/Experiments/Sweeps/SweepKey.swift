import NumericCore
import Networks
import Scalings
import Training

/// A setting a sweep file may give in `base`, `grid` or `zip`: a `featurespeed train` flag
/// without its `--`, mapped onto one `RunRequest` field with the CLI's parsing.
enum SweepKey: String, CaseIterable, Sendable {
  case arch, width, depth
  case branchScale = "branch-scale"
  case branchMatrices = "branch-matrices"
  case activation, bias, loss, preset
  case normalizeFeatures = "normalize-features"
  case initScale = "init-scale"
  case learningRate = "learning-rate"
  case data
  case inputDim = "input-dim"
  case outputDim = "output-dim"
  case trainSize = "train-size"
  case testSize = "test-size"
  case batchSize = "batch-size"
  case steps, seed, dtype
  case measureEvery = "measure-every"
  case probe
  case noActual = "no-actual"
  case noSpectral = "no-spectral"
  case evaluateEvery = "evaluate-every"
  case saveTensors = "save-tensors"
  case threads
  case presetFile = "preset-file"
  case controlBackwardNorm = "control-backward-norm"
  case controlDecay = "control-decay"
  case controlProfile = "control-profile"
  case controlFeatureSpeed = "control-feature-speed"
  case controlCap = "control-cap"
  case controlSmoothing = "control-smoothing"
  case controlFloor = "control-floor"
  case controlCalibration = "control-calibration"
  case optimizer, momentum, nesterov, beta1, beta2
  case adamEpsilon = "adam-epsilon"
  case weightDecay = "weight-decay"
  case newtonSchulzSteps = "newton-schulz-steps"
  case newtonSchulzVariant = "newton-schulz-variant"
  case lrSchedule = "lr-schedule"
  case warmupSteps = "warmup-steps"
  case lrFinalFraction = "lr-final-fraction"
  case zeroReadout = "zero-readout"
  case baseWidth = "base-width"

  /// `train` flags a sweep owns or that only change the console, with the reason for messages.
  static let reserved: [String: String] = [
    "output": "the sweep puts every cell in <output>/cells/<cell id>",
    "overwrite": "the sweep resumes unfinished cells and never replaces finished ones",
    "name": "each cell is named by its cell id",
    "quiet": "it only changes the console of `train`",
  ]

  /// Common misspellings that edit distance does not catch.
  static let aliases: [String: SweepKey] = [
    "lr": .learningRate, "eta": .learningRate, "beta": .branchScale, "architecture": .arch,
    "parametrization": .preset, "parameterization": .preset, "batch": .batchSize,
    "optim": .optimizer, "wd": .weightDecay, "eps": .adamEpsilon, "epsilon": .adamEpsilon,
  ]

  /// Why the key may not be a grid axis, or `nil` when it may.
  var reasonNotInGrid: String? {
    switch self {
    case .threads: "BLAS threads change only the speed, not what is measured"
    case .saveTensors: "it only adds files, so the cells would measure the same thing"
    default: nil
    }
  }

  /// Whether `null` (the `train` default: the flag not given) is accepted.
  var acceptsNull: Bool {
    switch self {
    case .branchScale, .inputDim, .outputDim, .probe, .threads, .weightDecay, .newtonSchulzSteps, .presetFile,
      .controlBackwardNorm, .controlDecay, .controlFeatureSpeed, .lrFinalFraction, .baseWidth:
      true
    default: false
    }
  }

  /// What a value must look like, for messages.
  var expectation: String {
    switch self {
    case .arch: "one of " + Self.choices(ArchitectureKind.self)
    case .activation: "one of " + Self.choices(Activation.self)
    case .loss: "one of " + Self.choices(Loss.self)
    case .dtype: "one of " + Self.choices(DType.self)
    case .preset: "a preset, one of " + Presets.names.joined(separator: ", ")
    case .data: "a data source: " + DataSource.acceptedForms.joined(separator: ", ")
    case .branchScale: "a branch scale: inv-sqrt, inv, m/sqrt (m > 0), a positive number, or null (the preset's)"
    case .branchMatrices: "1 or 2"
    case .bias, .normalizeFeatures, .noActual, .noSpectral, .saveTensors: "true or false"
    case .initScale, .learningRate: "a positive number"
    case .seed: "a whole number ≥ 0"
    case .testSize, .measureEvery, .evaluateEvery: "a whole number ≥ 0"
    case .inputDim, .outputDim, .probe, .threads: "a whole number ≥ 1, or null (the default)"
    case .width, .depth, .trainSize, .batchSize, .steps: "a whole number ≥ 1"
    case .presetFile: "the path of a learning-rate file (featurespeed diagnose), or null"
    case .controlBackwardNorm: "a positive target for √N‖b‖, or null (off)"
    case .controlDecay: "a fraction of the loss in (0, 1), or null (off)"
    case .controlProfile: "uniform or comma-separated positive weights, one per layer"
    case .controlFeatureSpeed: "a positive relative feature speed, or null (off)"
    case .controlCap: "a number ≥ 1"
    case .controlSmoothing: "a weight in (0, 1]"
    case .controlFloor: "a number ≥ 0"
    case .controlCalibration: "a whole number ≥ 0"
    case .optimizer: "one of " + Self.choices(OptimizerKind.self)
    case .newtonSchulzVariant: "one of " + Self.choices(NewtonSchulzVariant.self)
    case .nesterov: "true or false"
    case .momentum, .beta1, .beta2: "a number in [0, 1)"
    case .adamEpsilon: "a positive number"
    case .weightDecay: "a number ≥ 0, or null (0.01 for adamw)"
    case .newtonSchulzSteps: "a whole number ≥ 1, or null (5 quintic; cubic: a cap of 100)"
    case .lrSchedule: "one of " + Self.choices(LearningRateScheduleKind.self)
    case .warmupSteps: "a whole number ≥ 0, below steps"
    case .lrFinalFraction: "a fraction in [0, 1], or null (0)"
    case .zeroReadout: "true or false"
    case .baseWidth: "a whole number ≥ 1, or null (the preset's absolute laws)"
    }
  }

  /// An example value for fix hints.
  var example: String {
    switch self {
    case .arch: "mlp"
    case .activation: "relu"
    case .loss: "cross-entropy"
    case .dtype: "float32"
    case .preset: "mup"
    case .data: "synthetic"
    case .branchScale: "inv-sqrt"
    case .branchMatrices: "1"
    case .bias, .normalizeFeatures, .noActual, .noSpectral, .saveTensors: "true"
    case .initScale: "1"
    case .learningRate: "0.05"
    case .seed: "0"
    case .testSize: "1024"
    case .measureEvery, .evaluateEvery: "10"
    case .inputDim: "64"
    case .outputDim: "10"
    case .probe: "32"
    case .threads: "1"
    case .width: "256"
    case .depth: "4"
    case .trainSize: "4096"
    case .batchSize: "128"
    case .steps: "200"
    case .presetFile: "runs/diagnose/lr-multipliers.json"
    case .controlBackwardNorm: "1"
    case .controlDecay: "0.05"
    case .controlProfile: "uniform"
    case .controlFeatureSpeed: "0.05"
    case .controlCap: "1000"
    case .controlSmoothing: "1"
    case .controlFloor: "1e-30"
    case .controlCalibration: "0"
    case .optimizer: "adam"
    case .newtonSchulzVariant: "quintic"
    case .nesterov: "true"
    case .momentum, .beta1: "0.9"
    case .beta2: "0.999"
    case .adamEpsilon: "1e-08"
    case .weightDecay: "0.01"
    case .newtonSchulzSteps: "5"
    case .lrSchedule: "cosine"
    case .warmupSteps: "10"
    case .lrFinalFraction: "0.1"
    case .zeroReadout: "true"
    case .baseWidth: "256"
    }
  }

  private static func choices<T: RawRepresentable & CaseIterable>(_: T.Type) -> String where T.RawValue == String {
    T.allCases.map(\.rawValue).joined(separator: ", ")
  }

  /// Parses the text of one YAML scalar as this key's value, as `train` parses its flag.
  /// - Parameter isNull: whether the scalar is a YAML null (`~`, `null`, or nothing).
  /// - Throws: `SweepValueProblem` saying what was expected and, for names, the closest valid one.
  func parse(_ text: String, isNull: Bool) throws(SweepValueProblem) -> SweepValue {
    if isNull {
      guard acceptsNull else { throw SweepValueProblem(expected: expectation, suggestion: nil) }
      return .unset
    }
    let trimmed = text.trimmingWhitespace()
    switch self {
    case .arch: return .architecture(try choice(trimmed, ArchitectureKind.self))
    case .activation: return .activation(try choice(trimmed, Activation.self))
    case .loss: return .loss(try choice(trimmed, Loss.self))
    case .dtype: return .dtype(try choice(trimmed, DType.self))
    case .optimizer: return .optimizer(try choice(trimmed, OptimizerKind.self))
    case .newtonSchulzVariant: return .newtonSchulzVariant(try choice(trimmed, NewtonSchulzVariant.self))
    case .lrSchedule: return .learningRateSchedule(try choice(trimmed, LearningRateScheduleKind.self))
    case .lrFinalFraction:
      guard let x = Double(trimmed), x >= 0, x <= 1 else { throw SweepValueProblem(expected: expectation, suggestion: nil) }
      return .number(x)
    case .momentum, .beta1, .beta2:
      guard let x = Double(trimmed), x >= 0, x < 1 else { throw SweepValueProblem(expected: expectation, suggestion: nil) }
      return .number(x)
    case .adamEpsilon:
      guard let x = Double(trimmed), x.isFinite, x > 0 else { throw SweepValueProblem(expected: expectation, suggestion: nil) }
      return .number(x)
    case .weightDecay:
      guard let x = Double(trimmed), x.isFinite, x >= 0 else { throw SweepValueProblem(expected: expectation, suggestion: nil) }
      return .number(x)
    case .preset:
      guard let preset = try? Presets.named(trimmed) else {
        throw SweepValueProblem(expected: expectation, suggestion: closestName(to: trimmed, among: Presets.names))
      }
      return .preset(preset.name)
    case .data:
      guard let source = try? DataSource(parsing: trimmed) else {
        throw SweepValueProblem(expected: expectation, suggestion: nil)
      }
      return .data(source)
    case .branchScale:
      guard let scale = try? BranchScale(parsing: trimmed) else {
        throw SweepValueProblem(expected: expectation, suggestion: nil)
      }
      return .branchScale(scale)
    case .bias, .normalizeFeatures, .noActual, .noSpectral, .saveTensors, .nesterov, .zeroReadout:
      switch trimmed.lowercased() {
      case "true", "yes", "on": return .flag(true)
      case "false", "no", "off": return .flag(false)
      default: throw SweepValueProblem(expected: expectation, suggestion: nil)
      }
    case .initScale, .learningRate:
      guard let x = Double(trimmed), x.isFinite, x > 0 else { throw SweepValueProblem(expected: expectation, suggestion: nil) }
      return .number(x)
    case .seed:
      guard let seed = UInt64(trimmed) else { throw SweepValueProblem(expected: expectation, suggestion: nil) }
      return .seed(seed)
    case .branchMatrices:
      guard let n = Int(trimmed), n == 1 || n == 2 else { throw SweepValueProblem(expected: expectation, suggestion: nil) }
      return .integer(n)
    case .testSize, .measureEvery, .evaluateEvery, .warmupSteps:
      guard let n = Int(trimmed), n >= 0 else { throw SweepValueProblem(expected: expectation, suggestion: nil) }
      return .integer(n)
    case .inputDim, .outputDim, .probe, .threads, .width, .depth, .trainSize, .batchSize, .steps, .newtonSchulzSteps,
      .baseWidth:
      guard let n = Int(trimmed), n >= 1 else { throw SweepValueProblem(expected: expectation, suggestion: nil) }
      return .integer(n)
    case .presetFile:
      guard !trimmed.isEmpty else { throw SweepValueProblem(expected: expectation, suggestion: nil) }
      return .text(trimmed)
    case .controlProfile:
      guard (try? ContributionProfile(parsing: trimmed)) != nil else { throw SweepValueProblem(expected: expectation, suggestion: nil) }
      return .text(trimmed)
    case .controlBackwardNorm, .controlFeatureSpeed, .controlFloor, .controlCap, .controlSmoothing, .controlDecay:
      guard let x = Double(trimmed), x.isFinite, x >= 0 else { throw SweepValueProblem(expected: expectation, suggestion: nil) }
      return .number(x)
    case .controlCalibration:
      guard let n = Int(trimmed), n >= 0 else { throw SweepValueProblem(expected: expectation, suggestion: nil) }
      return .integer(n)
    }
  }

  private func choice<T: RawRepresentable & CaseIterable>(
    _ text: String, _: T.Type
  ) throws(SweepValueProblem) -> T where T.RawValue == String {
    if let value = T(rawValue: text.lowercased()) { return value }
    throw SweepValueProblem(
      expected: expectation, suggestion: closestName(to: text, among: T.allCases.map(\.rawValue)))
  }

  /// Sets this key's field of `request` to `value` (a value `parse` returned for this key).
  func apply(_ value: SweepValue, to request: inout RunRequest) {
    switch (self, value) {
    case (.arch, .architecture(let kind)): request.architecture = kind
    case (.width, .integer(let n)): request.width = n
    case (.depth, .integer(let n)): request.depth = n
    case (.branchScale, .branchScale(let scale)): request.branchScale = scale
    case (.branchScale, .unset): request.branchScale = nil
    case (.branchMatrices, .integer(let n)): request.branchMatrices = n
    case (.activation, .activation(let activation)): request.activation = activation
    case (.bias, .flag(let on)): request.bias = on
    case (.normalizeFeatures, .flag(let on)): request.normalizesFeatures = on ? true : nil
    case (.loss, .loss(let loss)): request.loss = loss
    case (.preset, .preset(let name)): request.preset = name
    case (.initScale, .number(let x)): request.initScale = x
    case (.learningRate, .number(let x)): request.learningRate = x
    case (.data, .data(let source)): request.data = source
    case (.inputDim, .integer(let n)): request.inputDimension = n
    case (.inputDim, .unset): request.inputDimension = nil
    case (.outputDim, .integer(let n)): request.outputDimension = n
    case (.outputDim, .unset): request.outputDimension = nil
    case (.trainSize, .integer(let n)): request.trainSize = n
    case (.testSize, .integer(let n)): request.testSize = n
    case (.batchSize, .integer(let n)): request.batchSize = n
    case (.steps, .integer(let n)): request.steps = n
    case (.seed, .seed(let seed)): request.seed = seed
    case (.dtype, .dtype(let dtype)): request.dtype = dtype
    case (.measureEvery, .integer(let n)): request.measureEvery = n
    case (.probe, .integer(let n)): request.probe = n
    case (.probe, .unset): request.probe = nil
    case (.noActual, .flag(let on)): request.measuresActualStep = !on
    case (.noSpectral, .flag(let on)): request.measuresSpectra = !on
    case (.evaluateEvery, .integer(let n)): request.evaluateEvery = n
    case (.saveTensors, .flag(let on)): request.saveTensors = on
    case (.threads, .integer(let n)): request.threads = n
    case (.threads, .unset): request.threads = nil
    case (.presetFile, .text(let path)): request.presetFile = path
    case (.presetFile, .unset): request.presetFile = nil
    case (.controlBackwardNorm, .number(let x)): request.controlBackwardNorm = x
    case (.controlBackwardNorm, .unset): request.controlBackwardNorm = nil
    case (.controlDecay, .number(let x)): request.controlDecay = x
    case (.controlDecay, .unset): request.controlDecay = nil
    case (.controlProfile, .text(let text)): request.controlProfile = (try? ContributionProfile(parsing: text)) ?? .uniform
    case (.controlFeatureSpeed, .number(let x)): request.controlFeatureSpeed = x
    case (.controlFeatureSpeed, .unset): request.controlFeatureSpeed = nil
    case (.controlCap, .number(let x)): request.controlCap = x
    case (.controlSmoothing, .number(let x)): request.controlSmoothing = x
    case (.controlFloor, .number(let x)): request.controlFloor = x
    case (.controlCalibration, .integer(let n)): request.controlCalibration = n
    case (.optimizer, .optimizer(let kind)): request.optimizer.kind = kind
    case (.momentum, .number(let x)): request.optimizer.momentum = x
    case (.nesterov, .flag(let on)): request.optimizer.nesterov = on
    case (.beta1, .number(let x)): request.optimizer.beta1 = x
    case (.beta2, .number(let x)): request.optimizer.beta2 = x
    case (.adamEpsilon, .number(let x)): request.optimizer.epsilon = x
    case (.weightDecay, .number(let x)): request.optimizer.weightDecay = x
    case (.weightDecay, .unset): request.optimizer.weightDecay = nil
    case (.newtonSchulzSteps, .integer(let n)): request.optimizer.newtonSchulzSteps = n
    case (.newtonSchulzSteps, .unset): request.optimizer.newtonSchulzSteps = nil
    case (.newtonSchulzVariant, .newtonSchulzVariant(let variant)): request.optimizer.newtonSchulzVariant = variant
    case (.lrSchedule, .learningRateSchedule(let kind)): request.learningRateSchedule = kind
    case (.warmupSteps, .integer(let n)): request.warmupSteps = n
    case (.lrFinalFraction, .number(let x)): request.learningRateFinalFraction = x
    case (.lrFinalFraction, .unset): request.learningRateFinalFraction = nil
    case (.zeroReadout, .flag(let on)): request.zeroReadout = on
    case (.baseWidth, .integer(let n)): request.baseWidth = n
    case (.baseWidth, .unset): request.baseWidth = nil
    default: preconditionFailure("Value \(value) was not parsed for key \(rawValue)")
    }
  }
}

/// A parsed setting value, typed as the `RunRequest` field it goes to.
enum SweepValue: Equatable, Sendable {
  /// `null`: the field keeps its `train` default (flag not given).
  case unset
  case architecture(ArchitectureKind)
  case activation(Activation)
  case loss(Loss)
  case dtype(DType)
  case optimizer(OptimizerKind)
  case newtonSchulzVariant(NewtonSchulzVariant)
  case learningRateSchedule(LearningRateScheduleKind)
  case preset(String)
  case data(DataSource)
  case branchScale(BranchScale)
  case flag(Bool)
  case number(Double)
  case integer(Int)
  case seed(UInt64)
  /// A path or a list, kept as written.
  case text(String)

  /// The canonical text: one spelling per value, read back by the same parsing (`0.1`, `1e-05`,
  /// `inv-sqrt`, `synthetic`, `fashion-mnist`, `mnist:/data/mnist`, `true`, `default` for null).
  var canonical: String {
    switch self {
    case .unset: "default"
    case .architecture(let kind): kind.rawValue
    case .activation(let activation): activation.rawValue
    case .loss(let loss): loss.rawValue
    case .dtype(let dtype): dtype.rawValue
    case .optimizer(let kind): kind.rawValue
    case .newtonSchulzVariant(let variant): variant.rawValue
    case .learningRateSchedule(let kind): kind.rawValue
    case .preset(let name): name
    case .data(let source): source.shortestSpelling
    case .branchScale(let scale): scale.slug
    case .flag(let on): on ? "true" : "false"
    case .number(let x): x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    case .integer(let n): String(n)
    case .seed(let seed): String(seed)
    case .text(let text): text
    }
  }
}

extension DataSource {
  /// The shortest `--data` text that parses back to this source: `synthetic` for teacher targets,
  /// `fashion-mnist` for the default directory, else the canonical `description`.
  var shortestSpelling: String {
    switch self {
    case .synthetic(.teacher): "synthetic"
    case .fashionMNIST(DataSource.defaultFashionMNISTDirectory): "fashion-mnist"
    default: description
    }
  }

  /// Whether the data comes from files (which set their own input and output dimensions).
  var isFileData: Bool {
    if case .synthetic = self { return false }
    return true
  }
}

/// Why a scalar is not a valid value for a key.
struct SweepValueProblem: Error {
  /// What the value must look like.
  var expected: String
  /// The closest valid name, when the value looks like a misspelled one.
  var suggestion: String?
}

/// The candidate closest to `text` by edit distance (transpositions count 1, `_` reads as `-`,
/// case ignored), if close enough to be a likely typo: at most 2 edits, or a third of the length,
/// or one contains the other.
func closestName(to text: String, among candidates: [String]) -> String? {
  let typed = Array(text.lowercased().replacingUnderscores())
  guard !typed.isEmpty else { return nil }
  var best: (name: String, distance: Int)?
  for candidate in candidates {
    let distance = editDistance(typed, Array(candidate))
    if distance < (best?.distance ?? .max) { best = (candidate, distance) }
  }
  guard let best else { return nil }
  if best.distance <= max(2, typed.count / 3) { return best.name }
  let typedString = String(typed)
  if typed.count >= 3, let containing = candidates.first(where: { $0.contains(typedString) || typedString.contains($0) }) {
    return containing
  }
  return nil
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent
/// transpositions each cost 1.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous2 = [Int](repeating: 0, count: b.count + 1)
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
        current[j] = min(current[j], previous2[j - 2] + 1)
      }
    }
    (previous2, previous, current) = (previous, current, previous2)
  }
  return previous[b.count]
}

extension String {
  fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }

  /// The string without leading and trailing whitespace.
  func trimmingWhitespace() -> String {
    String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
  }
}
