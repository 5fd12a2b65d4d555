import Networks

/// The catalog of parametrization presets of theory §5.1, each a table of `ScalingLaw`s.
///
/// Laws are written with `g` = gain of the input activation (see `ScalingLaw`), `L` = depth.
/// Derived presets (`mf-mup`, `fsc`, `resnet-*`) are built from `mup` by multiplying single
/// entries, so each states exactly how it differs from μP — and all reduce to μP at fixed depth.
public enum Presets {
  /// `sp`, standard parametrization: `σ = g/√fanIn`, `a = 1`, one global learning rate (SGD and
  /// Adam multipliers 1). Biases start at 0.
  public static let standard = Preset(
    name: "sp",
    summary: "Standard parametrization (PyTorch-style He init): every weight drawn with std "
      + "g/√fanIn, forward multiplier 1, one global learning rate for all tensors. Feature "
      + "learning vanishes or the output blows up as width grows at a fixed learning rate.",
    reference: "He et al. 2015 (gain); theory §5.1",
    rules: uniformRules(
      weight: RoleRule(
        initStandardDeviation: .gain * .fanIn(-0.5), sgdLearningRate: .one, adamLearningRate: .one),
      bias: RoleRule(initStandardDeviation: .zero, sgdLearningRate: .one, adamLearningRate: .one)))

  /// `ntk`, NTK parametrization: weights N(0, 1), forward multiplier `a = g/√fanIn`, one global
  /// learning rate. Biases start at 0 with multiplier 1.
  public static let ntk = Preset(
    name: "ntk",
    summary: "Neural-tangent parametrization: weights N(0, 1) and forward multiplier g/√fanIn, "
      + "one global learning rate. Same forward pass as sp at init, but training approaches the "
      + "lazy kernel regime as width grows: relative feature changes shrink like 1/√width.",
    reference: "Jacot, Gabriel & Hongler 2018, Neural Tangent Kernel; theory §5.1",
    rules: uniformRules(
      weight: RoleRule(
        initStandardDeviation: .one, forwardMultiplier: .gain * .fanIn(-0.5),
        sgdLearningRate: .one, adamLearningRate: .one),
      bias: RoleRule(initStandardDeviation: .zero, sgdLearningRate: .one, adamLearningRate: .one)))

  /// `mup`, maximal-update parametrization (Tensor Programs V).
  ///
  /// | role   | σ          | a | SGD η_ℓ/η | Adam η_ℓ/η |
  /// |--------|------------|---|-----------|------------|
  /// | input  | g/√fanIn   | 1 | fanOut    | 1          |
  /// | hidden | g/√fanIn   | 1 | 1         | 1/fanIn    |
  /// | output | g/fanIn    | 1 | 1/fanIn   | 1/fanIn    |
  /// | bias   | 0          | 1 | fanOut    | 1          |
  public static let mup = Preset(
    name: "mup",
    summary: "Maximal-update parametrization (μP): input and hidden weights with std g/√fanIn, "
      + "output weights with std g/fanIn, per-layer learning rates (SGD: input ×fanOut, hidden ×1, "
      + "output ×1/fanIn; Adam: input ×1, hidden and output ×1/fanIn). Every layer's features "
      + "move by Θ(1) per step as width grows, so the best learning rate transfers across widths.",
    reference: "Yang & Hu 2021, Tensor Programs IV (arXiv 2011.14522); Yang et al. 2022, "
      + "Tensor Programs V (arXiv 2203.03466); theory §5.1",
    rules: RoleRules(
      input: RoleRule(
        initStandardDeviation: .gain * .fanIn(-0.5), sgdLearningRate: .fanOut(1), adamLearningRate: .one),
      hidden: RoleRule(
        initStandardDeviation: .gain * .fanIn(-0.5), sgdLearningRate: .one, adamLearningRate: .fanIn(-1)),
      output: RoleRule(
        initStandardDeviation: .gain * .fanIn(-1), sgdLearningRate: .fanIn(-1), adamLearningRate: .fanIn(-1)),
      bias: RoleRule(initStandardDeviation: .zero, sgdLearningRate: .fanOut(1), adamLearningRate: .one)))

  /// `spectral`, the spectral condition of [SC]: every tensor (biases as weights with fanIn = 1)
  /// has `σ = (g/√fanIn)·min(1, √(fanOut/fanIn))`, `a = 1`, SGD `η_ℓ/η = fanOut/fanIn`,
  /// Adam `η_ℓ/η = 1/fanIn`.
  public static let spectral = Preset(
    name: "spectral",
    summary: "Spectral parametrization: every weight W ∈ R^{fanOut×fanIn} has spectral norm "
      + "Θ(√(fanOut/fanIn)) at init (Gaussian std (g/√fanIn)·min(1, √(fanOut/fanIn))) and its "
      + "updates too (SGD rate ×fanOut/fanIn, Adam rate ×1/fanIn); biases are weights with "
      + "fanIn = 1. Equivalent to μP in the width limit, and defined for any layer shape.",
    reference: "Yang, Simon & Bernstein 2023, A Spectral Condition for Feature Learning "
      + "(arXiv 2310.17813) [SC]; theory §5.1",
    rules: spectralRules(initialization: .gaussian))

  /// `spectral-exact`: `spectral` with semi-orthogonal initialization of exact spectral norm
  /// `g·√(fanOut/fanIn)`, i.e. entries of rms `g·√(fanOut/fanIn)/√max(fanIn, fanOut)`, which is
  /// the same law `(g/√fanIn)·min(1, √(fanOut/fanIn))` as `spectral`.
  public static let spectralExact = Preset(
    name: "spectral-exact",
    summary: "Exact spectral parametrization: like spectral, but every weight (and bias) starts "
      + "as a random semi-orthogonal matrix whose singular values all equal g·√(fanOut/fanIn) "
      + "(entry rms (g/√fanIn)·min(1, √(fanOut/fanIn)), as in spectral), with the same learning "
      + "rates.",
    reference: "Yang, Simon & Bernstein 2023, A Spectral Condition for Feature Learning "
      + "(arXiv 2310.17813) [SC]; theory §5.1",
    note: "The spectral-descent update (each step rescaled to spectral norm η·√(fanOut/fanIn)) is "
      + "an optimizer choice (--optimizer spectral, whose rates are √(fanOut/fanIn) in every "
      + "preset); this preset sets only the initialization and the learning-rate multipliers.",
    rules: spectralRules(initialization: .semiOrthogonal))

  /// `mf-mup`, [FSF] "MF+μP" for deep ReLU MLPs **(reconstruction)**: `mup` with hidden learning
  /// rates (SGD and Adam) divided by L.
  public static let meanFieldMup: Preset = {
    var rules = mup.rules
    rules.hidden.sgdLearningRate = rules.hidden.sgdLearningRate * .depth(-1)
    rules.hidden.adamLearningRate = rules.hidden.adamLearningRate * .depth(-1)
    return Preset(
      name: "mf-mup",
      summary: "Mean-field μP for deep MLPs: μP with every hidden learning rate divided by the "
        + "depth L (SGD: 1/L, Adam: 1/(fanIn·L)). Reduces to μP at fixed depth. [FSF] predicts "
        + "that the feature speed per unit loss decay at layer L−1 grows like √L.",
      reference: "Chizat & Netrapalli, The Feature Speed Formula (arXiv 2311.18718) [FSF], "
        + "\"MF+μP\"; theory §5.1",
      isReconstruction: true,
      note: "Reconstruction: the paper's exact constants were not confirmed; hidden rates ÷ L is "
        + "our reading, for SGD and (unverified) for Adam. Designed for depth-L ReLU MLPs.",
      rules: rules)
  }()

  /// `fsc`, [FSF] deep-MLP scaling **(reconstruction)**: `mup` with output std × √L, SGD hidden
  /// rates × 1/L², SGD input rate × 1/L; Adam hidden and input rates × 1/L (unverified).
  public static let fsc: Preset = {
    var rules = mup.rules
    rules.output.initStandardDeviation = rules.output.initStandardDeviation * .depth(0.5)
    rules.hidden.sgdLearningRate = rules.hidden.sgdLearningRate * .depth(-2)
    rules.input.sgdLearningRate = rules.input.sgdLearningRate * .depth(-1)
    rules.hidden.adamLearningRate = rules.hidden.adamLearningRate * .depth(-1)
    rules.input.adamLearningRate = rules.input.adamLearningRate * .depth(-1)
    return Preset(
      name: "fsc",
      summary: "Feature-speed-controlled scaling for deep MLPs: μP with output init std ×√L, "
        + "hidden SGD rates ×1/L² and input SGD rate ×1/L, so every layer contributes ≈ 1/L of "
        + "the loss decay. Reduces to μP at fixed depth. [FSF] predicts that the feature speed "
        + "per unit loss decay at layer L−1 stays ≈ constant in depth.",
      reference: "Chizat & Netrapalli, The Feature Speed Formula (arXiv 2311.18718) [FSF]; theory §5.1",
      isReconstruction: true,
      note: "Reconstruction: the paper's exact constants were not confirmed. The SGD table follows "
        + "Theory §5.1; the Adam table (μP Adam with hidden and input rates ÷ L) is an unverified "
        + "reconstruction. Designed for depth-L ReLU MLPs.",
      rules: rules)
  }()

  /// `resnet-sqrt`: ResNets with β = 1/√L and μP rates; Adam hidden rates × 1/√L
  /// **(reconstruction)**.
  public static let resnetSqrt: Preset = {
    var rules = mup.rules
    rules.hidden.adamLearningRate = rules.hidden.adamLearningRate * .depth(-0.5)
    return Preset(
      name: "resnet-sqrt",
      summary: "ResNet with branch scale β = 1/√L and μP initialization and rates (embedding as "
        + "input, blocks as hidden, readout as output). [FSF]: the output backward-feature angle "
        + "is depth-independent at init.",
      reference: "Chizat & Netrapalli, The Feature Speed Formula (arXiv 2311.18718) [FSF]; theory §5.1",
      isReconstruction: true,
      note: "Reconstruction: SGD rates are μP's; the Adam hidden rate ×1/√L is our unverified "
        + "reading.",
      architectures: [.resnet], branchScale: .inverseSqrt, rules: rules)
  }()

  /// `resnet-inv`: ResNets with β = 1/L, μP rates with SGD hidden rates × L; Adam as μP
  /// **(reconstruction)**.
  public static let resnetInv: Preset = {
    var rules = mup.rules
    rules.hidden.sgdLearningRate = rules.hidden.sgdLearningRate * .depth(1)
    return Preset(
      name: "resnet-inv",
      summary: "ResNet with branch scale β = 1/L and μP initialization, hidden SGD rates ×L to "
        + "compensate the smaller branches. [FSF]: the output backward-feature angle tends to 1 "
        + "with depth (trivial alignment: the network is close to linear in its blocks).",
      reference: "Chizat & Netrapalli, The Feature Speed Formula (arXiv 2311.18718) [FSF]; theory §5.1",
      isReconstruction: true,
      note: "Reconstruction: hidden SGD rates ×L follow theory §5.1; the Adam table (μP's, hidden ×1) "
        + "is our unverified reading.",
      architectures: [.resnet], branchScale: .inverseDepth, rules: rules)
  }()

  /// Every preset, in the order they are listed to users.
  public static let all: [Preset] = [
    standard, ntk, mup, spectral, spectralExact, meanFieldMup, fsc, resnetSqrt, resnetInv,
  ]

  /// The slugs of `all`, in order.
  public static var names: [String] { all.map(\.name) }

  /// The preset called `name` (case and surrounding spaces ignored).
  /// - Throws: `PresetError.unknownPreset` listing the valid names.
  public static func named(_ name: String) throws -> Preset {
    let slug = name.trimmingWhitespace().lowercased()
    guard let preset = all.first(where: { $0.name == slug }) else {
      throw PresetError.unknownPreset(name, known: names)
    }
    return preset
  }

  /// Rules with one rule for all three weight roles.
  private static func uniformRules(weight: RoleRule, bias: RoleRule) -> RoleRules {
    RoleRules(input: weight, hidden: weight, output: weight, bias: bias)
  }

  /// The [SC] rules; biases use the same laws without gain (they are evaluated with fanIn = 1).
  private static func spectralRules(initialization: InitializationKind) -> RoleRules {
    let standardDeviation = ScalingLaw.fanIn(-0.5) * .aspectRatioCap(0.5)
    func rule(_ std: ScalingLaw) -> RoleRule {
      RoleRule(
        initialization: initialization, initStandardDeviation: std,
        sgdLearningRate: .fanOut(1) * .fanIn(-1), adamLearningRate: .fanIn(-1))
    }
    return uniformRules(weight: rule(.gain * standardDeviation), bias: rule(standardDeviation))
  }
}
