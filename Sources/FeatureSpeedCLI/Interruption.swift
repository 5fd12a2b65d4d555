#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Synchronization

/// Set by the first Ctrl-C (SIGINT) or SIGTERM; the training loop polls it and stops cleanly,
/// recording `status: interrupted`. A second Ctrl-C kills the process at once.
let interruptRequested = Atomic<Bool>(false)

/// Ctrl-C handling for long runs.
enum Interruption {
  /// Installs the handlers (idempotent).
  static func install() {
    signal(SIGINT) { _ in
      interruptRequested.store(true, ordering: .relaxed)
      signal(SIGINT, SIG_DFL)
    }
    signal(SIGTERM) { _ in
      interruptRequested.store(true, ordering: .relaxed)
      signal(SIGTERM, SIG_DFL)
    }
  }

  /// Whether the user asked to stop.
  static var isRequested: Bool { interruptRequested.load(ordering: .relaxed) }
}
