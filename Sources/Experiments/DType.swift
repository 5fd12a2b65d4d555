/// The floating-point type a run computes in (theory §1: Float32 by default, Float64 everywhere).
public enum DType: String, Codable, CaseIterable, Sendable {
  case float32
  case float64
}
