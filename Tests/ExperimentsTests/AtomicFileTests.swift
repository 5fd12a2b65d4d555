import _TestSupport
import Foundation
import Testing

@testable import Experiments

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite struct AtomicFileTests {
  @Test func writesANewFileAndLeavesNoTemporaryFile() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("out.bin")
      try AtomicFile.write([UInt8]([1, 2, 3]), to: url)
      #expect(try contents(of: url) == [1, 2, 3])
      #expect(try fileNames(in: directory) == ["out.bin"])
    }
  }

  @Test func replacesAnExistingFile() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("out.txt")
      try AtomicFile.write(Data("old content".utf8), to: url)
      try AtomicFile.write(Data("new".utf8), to: url)
      #expect(try contents(of: url) == Array("new".utf8))
      #expect(try fileNames(in: directory) == ["out.txt"])
    }
  }

  @Test func streamsThroughTheOutput() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("streamed.bin")
      try AtomicFile.write(to: url) { output in
        try output.write([UInt8]([1, 2]))
        try output.write(Data([3]))
      }
      #expect(try contents(of: url) == [1, 2, 3])
    }
  }

  struct InterruptedWrite: Error, Equatable {}

  @Test func aFailingProducerLeavesTheOldFileIntact() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("weights.bin")
      try AtomicFile.write([UInt8](repeating: 7, count: 100), to: url)
      #expect(throws: InterruptedWrite()) {
        try AtomicFile.write(to: url) { output in
          try output.write([UInt8](repeating: 9, count: 1000))  // half of the new content…
          throw InterruptedWrite()  // …then the producer fails
        }
      }
      #expect(try contents(of: url) == [UInt8](repeating: 7, count: 100))
      #expect(try fileNames(in: directory) == ["weights.bin"])
    }
  }

  @Test func aDirectoryThatIsAFileGivesATypedError() throws {
    try withTemporaryDirectory { directory in
      let file = directory.appendingPathComponent("file.txt")
      try AtomicFile.write(Data("x".utf8), to: file)
      let url = file.appendingPathComponent("out.bin")
      let expected = AtomicFileError.cannotCreateTemporaryFile(
        path: url.path, directory: file.path, reason: SystemErrorCode(ENOTDIR))
      #expect(throws: expected) { try AtomicFile.write([UInt8]([1]), to: url) }
      #expect(expected.description.contains("Not a directory"))
      #expect(expected.description.contains("choose another output path"))
      #expect(try contents(of: file) == Array("x".utf8))
    }
  }

  @Test func aFailedRenameKeepsTheDestinationAndRemovesTheTemporaryFile() throws {
    try withTemporaryDirectory { directory in
      // The destination is a non-empty directory: rename(2) of a file over it fails.
      let url = directory.appendingPathComponent("taken")
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
      try AtomicFile.write(Data("keep".utf8), to: url.appendingPathComponent("inside.txt"))
      let error = #expect(throws: AtomicFileError.self) { try AtomicFile.write([UInt8]([1]), to: url) }
      guard case .renameFailed(let path, _, let reason) = error else {
        Issue.record("expected renameFailed, got \(String(describing: error))")
        return
      }
      #expect(path == url.path)
      #expect(reason == SystemErrorCode(EISDIR))
      #expect(try fileNames(in: directory) == ["taken"])
      #expect(try contents(of: url.appendingPathComponent("inside.txt")) == Array("keep".utf8))
    }
  }

  /// Readers racing a writer see either the complete old or the complete new content.
  @Test func concurrentReadersNeverSeePartialContent() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("racy.bin")
      let old = [UInt8](repeating: 0xAA, count: 200_000)
      let new = [UInt8](repeating: 0x55, count: 100_000)
      try AtomicFile.write(old, to: url)
      let badReads = Counter()
      DispatchQueue.concurrentPerform(iterations: 2) { worker in
        if worker == 0 {
          for i in 0..<60 { try? AtomicFile.write(i.isMultiple(of: 2) ? new : old, to: url) }
        } else {
          for _ in 0..<300 {
            guard let bytes = try? contents(of: url) else { badReads.increment(); continue }
            if bytes != old && bytes != new { badReads.increment() }
          }
        }
      }
      #expect(badReads.value == 0)
      #expect(try fileNames(in: directory) == ["racy.bin"])
    }
  }
}

/// A thread-safe counter for the race test.
private final class Counter: @unchecked Sendable {  // every access holds `lock`
  private let lock = NSLock()
  private var count = 0
  func increment() { lock.withLock { count += 1 } }
  var value: Int { lock.withLock { count } }
}
