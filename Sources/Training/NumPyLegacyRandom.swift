import Foundation

/// NumPy's legacy random stream (`numpy.random.RandomState`, the global `np.random.*` functions):
/// the 32-bit Mersenne Twister MT19937 seeded like `np.random.seed(n)`, and the few draws built on
/// it that published data generators use, bit for bit.
///
/// It exists so that a generator written against `np.random` (MNIST-1D) produces the very same
/// samples here as in Python, which a test checks against NumPy. Algorithms (public, from NumPy's
/// `randomkit`/`legacy` sources and Matsumoto & Nishimura 1998): `next_double` takes 53 bits from
/// two words, `gauss` is the polar Box–Muller method that caches its second value, bounded integers
/// use masked rejection sampling.
public struct NumPyLegacyRandom: Sendable {
  private var state = [UInt32](repeating: 0, count: 624)
  private var position = 624
  private var cachedGaussian: Double?

  /// The stream of `np.random.seed(seed)` (a 32-bit seed, as NumPy requires).
  public init(seed: UInt32) {
    var s = seed
    for i in 0..<624 {
      state[i] = s
      s = 1_812_433_253 &* (s ^ (s >> 30)) &+ UInt32(i + 1)
    }
  }

  /// The next 32-bit word (`genrand_int32`).
  public mutating func nextUInt32() -> UInt32 {
    if position >= 624 { twist() }
    var y = state[position]
    position += 1
    y ^= y >> 11
    y ^= (y << 7) & 0x9D2C_5680
    y ^= (y << 15) & 0xEFC6_0000
    y ^= y >> 18
    return y
  }

  private mutating func twist() {
    for i in 0..<624 {
      let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
      state[i] = state[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : 0x9908_B0DF)
    }
    position = 0
  }

  /// A uniform double in [0, 1) with 53 random bits (`np.random.rand()`).
  public mutating func nextDouble() -> Double {
    let a = Double(nextUInt32() >> 5)
    let b = Double(nextUInt32() >> 6)
    return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
  }

  /// A standard normal draw (`np.random.randn()`): polar Box–Muller, every second value cached.
  public mutating func nextGaussian() -> Double {
    if let cached = cachedGaussian {
      cachedGaussian = nil
      return cached
    }
    var x1: Double
    var x2: Double
    var r2: Double
    repeat {
      x1 = 2.0 * nextDouble() - 1.0
      x2 = 2.0 * nextDouble() - 1.0
      r2 = x1 * x1 + x2 * x2
    } while r2 >= 1.0 || r2 == 0.0
    let f = (-2.0 * Foundation.log(r2) / r2).squareRoot()
    cachedGaussian = f * x1
    return f * x2
  }

  /// A uniform integer in `0..<bound` (`np.random.choice(bound)`, `np.random.randint(0, bound)`),
  /// by masked rejection on 32-bit words. `bound` must be in `1...2³²`.
  public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound >= 1 && bound <= 1 << 32, "bound \(bound) out of 1...2^32")
    let range = UInt32(bound - 1)
    if range == 0 { return 0 }
    var value: UInt32
    let mask = Self.mask(range)
    repeat { value = nextUInt32() & mask } while value > range
    return Int(value)
  }

  /// A permutation of `0..<count` (`np.random.permutation(count)`): Fisher–Yates from the end,
  /// each index drawn in `0...i` by masked rejection.
  public mutating func permutation(_ count: Int) -> [Int] {
    var values = Array(0..<count)
    var i = count - 1
    while i >= 1 {
      let range = UInt32(i)
      let mask = Self.mask(range)
      var j: UInt32
      repeat { j = nextUInt32() & mask } while j > range
      values.swapAt(i, Int(j))
      i -= 1
    }
    return values
  }

  /// The smallest all-ones mask covering `value`.
  private static func mask(_ value: UInt32) -> UInt32 {
    var mask = value
    mask |= mask >> 1
    mask |= mask >> 2
    mask |= mask >> 4
    mask |= mask >> 8
    mask |= mask >> 16
    return mask
  }
}
