import Foundation
import Synchronization
import Experiments

/// Shows a sweep's progress on standard error: a bar of cells done, what is running, and the ETA;
/// redrawn in place on a terminal (at most 10 times a second), a line every 10 seconds otherwise.
final class SweepProgressPrinter: Sendable {
  private let label: String
  private let isTerminal = standardErrorIsTerminal
  private let last = Mutex<Double>(-Double.infinity)
  private let open = Atomic<Bool>(false)

  init(label: String) { self.label = label }

  func show(_ p: SweepProgress) {
    let interval = isTerminal ? 0.1 : 10
    let due = last.withLock { last -> Bool in
      let finishing = p.done == p.total
      guard finishing || p.elapsedSeconds - last >= interval else { return false }
      last = p.elapsedSeconds
      return true
    }
    guard due else { return }
    let width = 24
    let filled = p.total == 0 ? width : width * p.done / p.total
    let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    var text = "\(label) \(bar) \(p.done)/\(p.total) cells"
    var notes = [String]()
    if p.skipped > 0 { notes.append("\(p.skipped) already done") }
    if p.diverged > 0 { notes.append("\(p.diverged) diverged") }
    if !notes.isEmpty { text += " (" + notes.joined(separator: ", ") + ")" }
    if let current = p.running.first {
      text += " · \(current.id) step \(current.step)/\(current.steps)"
      if p.running.count > 1 { text += " +\(p.running.count - 1)" }
    }
    text += " · ETA \(p.remainingSeconds.map(formatDuration) ?? "?")"
    if isTerminal {
      writeError("\r\u{1B}[K" + text)
      open.store(true, ordering: .relaxed)
    } else {
      printError(text)
    }
  }

  /// Ends the in-place line.
  func finish() {
    if open.exchange(false, ordering: .relaxed) { writeError("\n") }
  }
}
