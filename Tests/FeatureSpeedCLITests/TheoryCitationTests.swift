import Foundation
import Testing
import _TestSupport

/// The section citations of the code and docs resolve to docs/theory.md, and nothing points users
/// at a path of the development machine.
///
/// Every `§N` / `§N.M` in `Sources/`, `docs/` and `README.md` is a section of docs/theory.md
/// (written `theory §3.2`, or `§3.2` in tables and lists), except a paper's own section right after
/// its tag (`[FSF] §3`). Ranges (`§6.1–6.3`, `§6.4–§6.7`) need every section they span, and items
/// (`§5.3 item 1`, `§5.3 items 2–3`) need every item's anchor.
@Suite("Theory citations resolve to docs/theory.md")
struct TheoryCitationTests {
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The numbered sections and items the theory document must keep (its numbering is the contract).
  static let requiredSections: Set<String> = [
    "1", "2", "3", "3.1", "3.2", "3.3", "3.4", "4", "5", "5.1", "5.2", "5.3",
    "5.3-item-1", "5.3-item-2", "5.3-item-3",
    "6", "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8",
  ]

  @Test("docs/theory.md has an anchor for every numbered section and item")
  func theoryHasEverySection() throws {
    let anchors = try Self.theoryAnchors()
    let missing = Self.requiredSections.subtracting(anchors).sorted()
    #expect(missing.isEmpty, "docs/theory.md lacks the anchors \(missing.map { "id=\"sec-\($0)\"" })")
  }

  @Test("Every § citation in Sources/, docs/ and README.md names a section of docs/theory.md")
  func citationsResolve() throws {
    let anchors = try Self.theoryAnchors()
    var dangling: [String] = []
    var count = 0
    for (path, number, line) in try Self.lines(in: ["Sources", "docs", "README.md"]) {
      let cited = Self.citedSections(in: line)
      count += cited.count
      for section in cited where !anchors.contains(section) {
        dangling.append("\(path):\(number): §\(section.replacingOccurrences(of: "-item-", with: " item ")) is not in docs/theory.md: \(line.trimmingCharacters(in: .whitespaces))")
      }
      if line.contains("SPEC §") || line.contains("SPEC.md") {
        dangling.append("\(path):\(number): cites the old SPEC; write \"theory §…\" (docs/theory.md): \(line.trimmingCharacters(in: .whitespaces))")
      }
    }
    #expect(count > 100, "found only \(count) citations: the scan is broken")
    #expect(dangling.isEmpty, "\(dangling.joined(separator: "\n"))")
  }

  @Test("No /work/ or ../shared in Sources/, docs/, README.md or examples/")
  func noWorkplacePaths() throws {
    var offenders: [String] = []
    for (path, number, line) in try Self.lines(in: ["Sources", "docs", "README.md", "examples"])
    where line.contains("/work/") || line.contains("../shared") {
      offenders.append("\(path):\(number): \(line.trimmingCharacters(in: .whitespaces))")
    }
    #expect(offenders.isEmpty, "users have no /work or ../shared:\n\(offenders.joined(separator: "\n"))")
  }

  @Test("The citation scanner reads ranges, items and paper sections as documented")
  func scannerReadsCitations() {
    #expect(Self.citedSections(in: "/// (theory §3.2)") == ["3.2"])
    #expect(Self.citedSections(in: "Theory §6.1 and §4; [FSF] Fig. 2a") == ["6.1", "4"])
    #expect(Self.citedSections(in: "(theory §6.1–6.3), `fig3` (§6.4)") == ["6.1", "6.2", "6.3", "6.4"])
    #expect(Self.citedSections(in: "reproduction (theory §6.4–§6.7): the") == ["6.4", "6.5", "6.6", "6.7"])
    #expect(Self.citedSections(in: "(theory §1–§2)") == ["1", "2"])
    #expect(Self.citedSections(in: "(theory §5.3 item 1)") == ["5.3", "5.3-item-1"])
    #expect(Self.citedSections(in: "(theory §5.3 items 2–3)") == ["5.3", "5.3-item-2", "5.3-item-3"])
    #expect(Self.citedSections(in: "Theory §6.5; [FSF] §3") == ["6.5"])
    #expect(Self.citedSections(in: "| `bfa_cos` | layer | §3.2 | cos θ |") == ["3.2"])
    #expect(Self.citedSections(in: "theory §9.9 and §7").contains("9.9"))
    #expect(Self.citedSections(in: "no citation here").isEmpty)
  }

  // MARK: Helpers

  /// The section ids of docs/theory.md: `3.2` for `id="sec-3.2"`, `5.3-item-1` for `id="sec-5.3-item-1"`.
  static func theoryAnchors() throws -> Set<String> {
    let url = packageRoot.appendingPathComponent("docs/theory.md")
    let text = String(decoding: try contents(of: url), as: UTF8.self)
    let anchor = try Regex(#"id="sec-([0-9]+(?:\.[0-9]+)?(?:-item-[0-9]+)?)""#)
    return Set(text.matches(of: anchor).compactMap { $0.output[1].substring.map(String.init) })
  }

  /// The section ids a line cites (in order of appearance, each once).
  static func citedSections(in line: String) -> [String] {
    guard line.contains("§") else { return [] }
    // §A(.B) [– §?C(.D)] [item(s) I [– J]]
    guard let citation = try? Regex(
      #"§([0-9]+)(?:\.([0-9]+))?(?:\s*[–-]\s*§?([0-9]+)(?:\.([0-9]+))?)?(?:\s+items?\s+([0-9]+)(?:\s*[–-]\s*([0-9]+))?)?"#)
    else { return [] }
    var result: [String] = []
    func add(_ id: String) { if !result.contains(id) { result.append(id) } }
    for match in line.matches(of: citation) {
      // A paper's own section right after its tag, e.g. "[FSF] §3", is not ours.
      if line[..<match.range.lowerBound].hasSuffix("] ") { continue }
      func number(_ i: Int) -> Int? { match.output[i].substring.flatMap { Int($0) } }
      guard let major = number(1) else { continue }
      let minor = number(2)
      let start = minor.map { "\(major).\($0)" } ?? "\(major)"
      add(start)
      if let endMajor = number(3) {
        let endMinor = number(4)
        if let minor, let endMinor, endMajor == major, endMinor >= minor {
          for m in minor...endMinor { add("\(major).\(m)") }
        } else if minor == nil, endMinor == nil, endMajor >= major {
          for m in major...endMajor { add("\(m)") }
        } else {
          add(endMinor.map { "\(endMajor).\($0)" } ?? "\(endMajor)")
        }
      }
      if let first = number(5) {
        for item in first...max(first, number(6) ?? first) { add("\(start)-item-\(item)") }
      }
    }
    return result
  }

  /// Every line (path relative to the package root, 1-based number, text) of the text files under
  /// `roots` (directories or files).
  static func lines(in roots: [String]) throws -> [(String, Int, String)] {
    var files: [URL] = []
    for root in roots {
      let url = packageRoot.appendingPathComponent(root)
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
      if !isDirectory.boolValue {
        files.append(url)
        continue
      }
      guard let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey]) else {
        throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: url.path])
      }
      for case let file as URL in enumerator
      where (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
        files.append(file)
      }
    }
    var result: [(String, Int, String)] = []
    let rootPath = packageRoot.standardizedFileURL.path + "/"
    for file in files.sorted(by: { $0.path < $1.path }) {
      guard let text = String(data: Data(try contents(of: file)), encoding: .utf8) else { continue }
      let path = file.standardizedFileURL.path.replacingOccurrences(of: rootPath, with: "")
      for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        result.append((path, index + 1, String(line)))
      }
    }
    return result
  }
}
