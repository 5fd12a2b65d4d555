import RealModule

// The per-element loops of the library, written once generically and specialized for `Float` and
// `Double` by the conformances in `BLASScalar+Conformances.swift` (same module, `@inline(__always)`).
// Loops run over flat buffers, never `m[i, j]` subscripts (SWIFT-NOTES: 6–60× faster).

@inline(__always)
func kernelActivate<T: BLASScalar>(
  _ activation: Activation, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int
) {
  switch activation {
  case .identity:
    if UnsafePointer(y) != x { y.update(from: x, count: count) }
  case .relu:
    for i in 0..<count { y[i] = Swift.max(x[i], 0) }
  case .tanh:
    for i in 0..<count { y[i] = T.tanh(x[i]) }
  case .gelu:
    let invSqrt2 = 1 / T.sqrt(2)
    for i in 0..<count {
      let v = x[i]
      y[i] = v * (1 + T.erf(v * invSqrt2)) / 2
    }
  }
}

@inline(__always)
func kernelMultiplyByDerivative<T: BLASScalar>(
  _ activation: Activation, preactivation x: UnsafePointer<T>, _ g: UnsafePointer<T>,
  adding base: UnsafePointer<T>?, into out: UnsafeMutablePointer<T>, count: Int
) {
  // Load g before selecting (SWIFT-NOTES: `x > 0 ? g[i] : 0` becomes a mispredicted branch).
  switch activation {
  case .identity:
    if let base {
      for i in 0..<count { out[i] = base[i] + g[i] }
    } else if UnsafePointer(out) != g {
      out.update(from: g, count: count)
    }
  case .relu:
    if let base {
      for i in 0..<count {
        let v = g[i]
        out[i] = base[i] + (x[i] > 0 ? v : 0)
      }
    } else {
      for i in 0..<count {
        let v = g[i]
        out[i] = x[i] > 0 ? v : 0
      }
    }
  case .tanh:
    for i in 0..<count {
      let t = T.tanh(x[i])
      let d = (1 - t * t) * g[i]
      out[i] = (base?[i] ?? 0) + d
    }
  case .gelu:
    let invSqrt2 = 1 / T.sqrt(2)
    let invSqrt2Pi = 1 / T.sqrt(2 * T.pi)
    for i in 0..<count {
      let v = x[i]
      let cdf = (1 + T.erf(v * invSqrt2)) / 2
      let pdf = T.exp(-v * v / 2) * invSqrt2Pi
      let d = (cdf + v * pdf) * g[i]
      out[i] = (base?[i] ?? 0) + d
    }
  }
}

@inline(__always)
func kernelAddToRows<T: BLASScalar>(
  _ v: UnsafePointer<T>, alpha: T, _ x: UnsafeMutablePointer<T>, rows: Int, columns: Int
) {
  for r in 0..<rows {
    let row = x + r * columns
    for c in 0..<columns { row[c] += alpha * v[c] }
  }
}

@inline(__always)
func kernelColumnSums<T: BLASScalar>(
  _ x: UnsafePointer<T>, rows: Int, columns: Int, alpha: T, accumulate: Bool,
  into out: UnsafeMutablePointer<T>
) {
  if !accumulate { out.update(repeating: 0, count: columns) }
  for r in 0..<rows {
    let row = x + r * columns
    for c in 0..<columns { out[c] += alpha * row[c] }
  }
}

@inline(__always)
func kernelMeanSquaredError<T: BLASScalar>(
  output: UnsafePointer<T>, target: UnsafePointer<T>, gradient: UnsafeMutablePointer<T>?,
  rows: Int, columns: Int
) -> Double {
  let count = rows * columns
  let inverseRows = 1 / T(rows)
  var sum: Double = 0
  for i in 0..<count {
    let d = output[i] - target[i]
    sum += Double(d) * Double(d)
    gradient?[i] = d * inverseRows
  }
  return sum / (2 * Double(rows))
}

@inline(__always)
func kernelSoftmaxCrossEntropy<T: BLASScalar>(
  logits: UnsafePointer<T>, labels: UnsafePointer<Int32>, gradient: UnsafeMutablePointer<T>?,
  rows: Int, columns: Int
) -> (loss: Double, correct: Int) {
  let inverseRows = 1 / T(rows)
  var total: Double = 0
  var correct = 0
  for r in 0..<rows {
    let row = logits + r * columns
    var maxValue = row[0]
    var maxIndex = 0
    for c in 1..<columns where row[c] > maxValue {
      maxValue = row[c]
      maxIndex = c
    }
    var sum: T = 0
    for c in 0..<columns { sum += T.exp(row[c] - maxValue) }
    let label = Int(labels[r])
    if label == maxIndex { correct += 1 }
    let logSumExp = maxValue + T.log(sum)
    total += Double(logSumExp - row[label])
    if let gradient {
      let g = gradient + r * columns
      let inverseSum = 1 / sum
      for c in 0..<columns { g[c] = T.exp(row[c] - maxValue) * inverseSum * inverseRows }
      g[label] -= inverseRows
    }
  }
  return (total / Double(rows), correct)
}

@inline(__always)
func kernelMatchingArgmaxCount<T: BLASScalar>(
  _ x: UnsafePointer<T>, _ target: UnsafePointer<T>, rows: Int, columns: Int
) -> Int {
  var matches = 0
  for r in 0..<rows {
    var best = 0
    var bestTarget = 0
    for c in 1..<columns {
      if x[r * columns + c] > x[r * columns + best] { best = c }
      if target[r * columns + c] > target[r * columns + bestTarget] { bestTarget = c }
    }
    if best == bestTarget { matches += 1 }
  }
  return matches
}

@inline(__always)
func kernelAllFinite<T: BLASScalar>(_ x: UnsafePointer<T>, count: Int) -> Bool {
  // x − x is 0 for finite x and NaN otherwise. Eight lanes of independent accumulators keep the
  // loop vectorized (a single scalar accumulator is a serial dependency chain, ~8× slower), and
  // one branch at the end keeps it branch-free.
  var lanes = SIMD8<T>.zero
  let raw = UnsafeRawPointer(x)
  var i = 0
  while i + 8 <= count {
    let v = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.stride, as: SIMD8<T>.self)
    lanes += v - v
    i += 8
  }
  var tail: T = 0
  while i < count {
    tail += x[i] - x[i]
    i += 1
  }
  return lanes.sum() + tail == 0
}

@inline(__always)
func kernelSquaredDistance<T: BLASScalar>(
  _ x: UnsafePointer<T>, _ y: UnsafePointer<T>, count: Int
) -> Double {
  // Eight lanes in T over blocks of 1024 entries (vectorized), each block's sum added in Double:
  // fast, and the rounding of a block stays at the level of 1024 T additions.
  var total: Double = 0
  let rawX = UnsafeRawPointer(x), rawY = UnsafeRawPointer(y)
  let stride = MemoryLayout<T>.stride
  var i = 0
  while i + 8 <= count {
    var lanes = SIMD8<T>.zero
    let end = Swift.min(i + 1024, count - count % 8)
    while i < end {
      let d = rawX.loadUnaligned(fromByteOffset: i * stride, as: SIMD8<T>.self)
        - rawY.loadUnaligned(fromByteOffset: i * stride, as: SIMD8<T>.self)
      lanes += d * d
      i += 8
    }
    total += Double(lanes.sum())
  }
  while i < count {
    let d = Double(x[i] - y[i])
    total += d * d
    i += 1
  }
  return total
}

@inline(__always)
func kernelDifference<T: BLASScalar>(
  _ x: UnsafePointer<T>, _ y: UnsafePointer<T>, into d: UnsafeMutablePointer<T>, count: Int
) -> (xSquared: Double, differenceSquared: Double) {
  // One pass for three quantities (spectral monitoring reads two weight-sized matrices once
  // instead of three times); blocks of 1024 entries in eight lanes, as `kernelSquaredDistance`.
  var xTotal: Double = 0, dTotal: Double = 0
  let rawX = UnsafeRawPointer(x), rawY = UnsafeRawPointer(y), rawD = UnsafeMutableRawPointer(d)
  let stride = MemoryLayout<T>.stride
  var i = 0
  while i + 8 <= count {
    var xLanes = SIMD8<T>.zero, dLanes = SIMD8<T>.zero
    let end = Swift.min(i + 1024, count - count % 8)
    while i < end {
      let a = rawX.loadUnaligned(fromByteOffset: i * stride, as: SIMD8<T>.self)
      let v = a - rawY.loadUnaligned(fromByteOffset: i * stride, as: SIMD8<T>.self)
      rawD.storeBytes(of: v, toByteOffset: i * stride, as: SIMD8<T>.self)
      xLanes += a * a
      dLanes += v * v
      i += 8
    }
    xTotal += Double(xLanes.sum())
    dTotal += Double(dLanes.sum())
  }
  while i < count {
    let v = x[i] - y[i]
    d[i] = v
    xTotal += Double(x[i]) * Double(x[i])
    dTotal += Double(v) * Double(v)
    i += 1
  }
  return (xTotal, dTotal)
}

@inline(__always)
func kernelAdamDirection<T: BLASScalar>(
  gradient g: UnsafePointer<T>, firstMoment m: UnsafeMutablePointer<T>, secondMoment v: UnsafeMutablePointer<T>,
  into out: UnsafeMutablePointer<T>, count: Int, beta1: T, beta2: T, firstCorrection: T, secondCorrection: T,
  epsilon: T
) {
  let oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2
  for i in 0..<count {
    let gi = g[i]
    let mi = beta1 * m[i] + oneMinusBeta1 * gi
    let vi = beta2 * v[i] + oneMinusBeta2 * gi * gi
    m[i] = mi
    v[i] = vi
    out[i] = (mi / firstCorrection) / ((vi / secondCorrection).squareRoot() + epsilon)
  }
}
