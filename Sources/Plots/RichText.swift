/// Labels written with TeX-style sub- and superscripts (`rms(δF_{L−1})`, `‖W_ℓ‖_*`, `R^{n×d}`),
/// split into runs so that figures and reports show them as sub- and superscripts, never as
/// literal `_{…}`.
///
/// What counts as a script:
/// - `_{…}` and `^{…}` (balanced braces) always; scripts inside a script are flattened into it
///   (`I_{d_ℓ}` → `I` with subscript `dℓ`);
/// - `_c`, a single character, when `c` is not a space and the character before `_` is an
///   uppercase or non-ASCII letter or symbol, or a one-letter lowercase word — so `F_ℓ`, `C_k`,
///   `θ_k`, `‖_*`, `c_k`, `m_1` are subscripts, while column names such as `feature_update_rms`,
///   `final_train_loss` or `w_2` inside `norm_w2` stay as they are.
public enum RichText {
  /// Where a run sits relative to the baseline.
  public enum Position: Sendable, Equatable {
    /// On the baseline.
    case normal
    /// A subscript (`_{…}`, `_c`).
    case lowered
    /// A superscript (`^{…}`).
    case raised
  }

  /// A piece of text at one position.
  public struct Run: Sendable, Equatable {
    /// The text, without braces or markers.
    public var text: String
    /// Normal, subscript or superscript.
    public var position: Position
  }

  /// The runs of `text`, adjacent runs at one position merged.
  public static func runs(_ text: String) -> [Run] {
    var runs = [Run]()
    func append(_ piece: String, _ position: Position) {
      guard !piece.isEmpty else { return }
      if let last = runs.last, last.position == position {
        runs[runs.count - 1].text += piece
      } else {
        runs.append(Run(text: piece, position: position))
      }
    }
    let characters = Array(text)
    var i = 0
    while i < characters.count {
      let c = characters[i]
      if c == "_" || c == "^", i + 1 < characters.count {
        let position: Position = c == "_" ? .lowered : .raised
        if characters[i + 1] == "{", let close = matchingBrace(characters, open: i + 1) {
          append(flattened(String(characters[(i + 2)..<close])), position)
          i = close + 1
          continue
        }
        if c == "_", !characters[i + 1].isWhitespace, characters[i + 1] != "_",
          scriptMayFollow(i > 0 ? characters[i - 1] : nil, before: i > 1 ? characters[i - 2] : nil)
        {
          append(String(characters[i + 1]), .lowered)
          i += 2
          continue
        }
      }
      append(String(c), .normal)
      i += 1
    }
    return runs
  }

  /// The text as displayed, without script markers (`rms(δFL−1)`): for width estimates and for
  /// places that cannot show scripts.
  public static func plain(_ text: String) -> String { runs(text).map(\.text).joined() }

  /// A script's content without markers: every `_` or `^` before a character and every brace
  /// dropped (`d_ℓ` → `dℓ`).
  static func flattened(_ text: String) -> String {
    var result = "", characters = Array(text), i = 0
    while i < characters.count {
      let c = characters[i]
      if (c == "_" || c == "^") && i + 1 < characters.count && !characters[i + 1].isWhitespace {
        i += 1
        continue
      }
      if c != "{" && c != "}" { result.append(c) }
      i += 1
    }
    return result
  }

  /// Markdown: the text as it is, scripts as `<sub>`/`<sup>` (rendered by GitHub and most viewers).
  public static func markdown(_ text: String) -> String {
    runs(text).map { run in
      switch run.position {
      case .normal: run.text
      case .lowered: "<sub>" + run.text + "</sub>"
      case .raised: "<sup>" + run.text + "</sup>"
      }
    }.joined()
  }

  /// Whether `text` has any sub- or superscript.
  public static func hasScripts(_ text: String) -> Bool { runs(text).contains { $0.position != .normal } }

  /// HTML (also used in Markdown): XML-escaped text with `<sub>`/`<sup>` elements.
  public static func html(_ text: String) -> String {
    runs(text).map { run in
      switch run.position {
      case .normal: escapeXML(run.text)
      case .lowered: "<sub>" + escapeXML(run.text) + "</sub>"
      case .raised: "<sup>" + escapeXML(run.text) + "</sup>"
      }
    }.joined()
  }

  /// SVG text content: XML-escaped, scripts as `<tspan baseline-shift="sub|super">` at 75 % size.
  public static func svg(_ text: String) -> String {
    runs(text).map { run in
      switch run.position {
      case .normal: escapeXML(run.text)
      case .lowered: "<tspan baseline-shift=\"sub\" font-size=\"75%\">" + escapeXML(run.text) + "</tspan>"
      case .raised: "<tspan baseline-shift=\"super\" font-size=\"75%\">" + escapeXML(run.text) + "</tspan>"
      }
    }.joined()
  }

  /// Whether `_` after `previous` (itself after `before`) starts a one-character subscript.
  private static func scriptMayFollow(_ previous: Character?, before: Character?) -> Bool {
    guard let previous, !previous.isWhitespace, previous != "_" else { return false }
    guard previous.isASCII, previous.isLowercase || previous.isNumber else { return true }
    // A lowercase letter is a variable (`c_k`, `m_1`) only as a one-letter word, not inside a
    // column name (`feature_update_rms`).
    guard previous.isLetter, let before else { return previous.isLetter }
    return !(before.isLetter || before.isNumber || before == "_")
  }

  private static func matchingBrace(_ characters: [Character], open: Int) -> Int? {
    var depth = 0
    for index in open..<characters.count {
      if characters[index] == "{" { depth += 1 }
      if characters[index] == "}" {
        depth -= 1
        if depth == 0 { return index }
      }
    }
    return nil
  }
}
