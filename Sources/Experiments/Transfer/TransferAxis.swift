/// The sweep key along which a learning rate should transfer (docs/transfer.md): the hidden width
/// (μTransfer, Tensor Programs V) or the depth (depth-μP).
public enum TransferAxis: String, Codable, CaseIterable, Sendable {
  /// `width`, the hidden width.
  case width
  /// `depth`, weight matrices of an MLP or residual blocks of a ResNet.
  case depth

  /// The grid key of the sweep file (`width`, `depth`).
  public var key: String { rawValue }

  /// The axis value of a cell's run.
  func value(of request: RunRequest) -> Int {
    switch self {
    case .width: request.width
    case .depth: request.depth
    }
  }

  /// Presets whose best base learning rate is designed to stay put along this axis: μP and the
  /// spectral family for width (Tensor Programs V; [SC]), the 1/√L and 1/L residual branch scales
  /// for depth (depth-μP). `featurespeed transfer --fail-on-drift` fails only on these by default.
  public var presetsExpectedToTransfer: [String] {
    switch self {
    case .width: ["mup", "mf-mup", "spectral", "spectral-exact"]
    case .depth: ["resnet-sqrt", "resnet-inv"]
    }
  }
}
