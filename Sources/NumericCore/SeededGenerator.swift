/// A fast, seedable, platform-independent random number generator (xoshiro256**), seeded through
/// SplitMix64. Every random draw in FeatureSpeed goes through one of these, created from the run
/// seed and a named stream, so that the same seed gives the same numbers on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: (UInt64, UInt64, UInt64, UInt64)
  private var spareGaussian: Double?

  /// A generator for `seed`; distinct `stream` names give independent sequences for one seed
  /// (e.g. `"init"`, `"data"`, `"shuffle"`).
  public init(seed: UInt64, stream: String = "") {
    // FNV-1a of the stream name: stable across processes (unlike Swift's Hasher).
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in stream.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    var splitMix = seed ^ hash
    func next() -> UInt64 {
      splitMix &+= 0x9e37_79b9_7f4a_7c15
      var z = splitMix
      z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
      z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
      return z ^ (z >> 31)
    }
    state = (next(), next(), next(), next())
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotate(state.1 &* 5, 7) &* 9
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = rotate(state.3, 45)
    return result
  }

  /// A uniform double in `[0, 1)` with 53 random bits.
  public mutating func nextUniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A standard normal draw (Box–Muller; draws come in pairs, the second is cached).
  public mutating func nextGaussian() -> Double {
    if let spare = spareGaussian {
      spareGaussian = nil
      return spare
    }
    var u1 = nextUniform()
    while u1 == 0 { u1 = nextUniform() }
    let u2 = nextUniform()
    let radius = (-2 * _log(u1)).squareRoot()
    let angle = 2 * Double.pi * u2
    spareGaussian = radius * _sin(angle)
    return radius * _cos(angle)
  }

  /// A uniform integer in `0..<bound` without modulo bias.
  public mutating func nextIndex(below bound: Int) -> Int {
    precondition(bound > 0, "nextIndex(below:) needs a positive bound")
    return Int(next(upperBound: UInt64(bound)))
  }

  private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

// Elementary functions without importing Foundation into this file.
import RealModule

@inline(__always) private func _log(_ x: Double) -> Double { Double.log(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { Double.sin(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Double.cos(x) }
