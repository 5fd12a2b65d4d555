import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The outcome of parsing a document with `XMLParser`: the root element and any parse error.
///
/// On Linux `XMLParser.parse()` returns `true` for some malformed documents (an unclosed element,
/// two roots, text after the root) while reporting the error through `parserError` and the
/// delegate, so all three are checked.
struct XMLCheck {
  var isWellFormed: Bool
  var error: String?
  var rootName: String?
  var rootNamespace: String?
  var elementCount: Int
  /// The character data of every element named `text` or `title`, in order.
  var texts: [String]

  /// Parses `document` (namespaces processed).
  init(_ document: String) {
    let parser = XMLParser(data: Data(document.utf8))
    parser.shouldProcessNamespaces = true
    let recorder = Recorder()
    parser.delegate = recorder
    let succeeded = parser.parse()
    isWellFormed = succeeded && parser.parserError == nil && recorder.errors.isEmpty
    let errors = (parser.parserError.map { ["\($0)"] } ?? []) + recorder.errors
    error = errors.isEmpty
      ? nil : errors.joined(separator: "; ") + " (line \(parser.lineNumber), column \(parser.columnNumber))"
    rootName = recorder.root
    rootNamespace = recorder.namespace
    elementCount = recorder.count
    texts = recorder.texts
  }

  private final class Recorder: NSObject, XMLParserDelegate {
    var root: String?
    var namespace: String?
    var count = 0
    var texts = [String]()
    var errors = [String]()
    private var collecting: String?

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { errors.append("\(parseError)") }

    func parser(
      _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
      attributes: [String: String] = [:]
    ) {
      if root == nil {
        root = elementName
        namespace = namespaceURI
      }
      count += 1
      if elementName == "text" || elementName == "title" { collecting = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { collecting? += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
      if let text = collecting, elementName == "text" || elementName == "title" {
        texts.append(text)
        collecting = nil
      }
    }
  }
}

/// Expects `svg` to be one well-formed `<svg>` document in the SVG namespace.
func expectWellFormedSVG(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) {
  let check = XMLCheck(svg)
  #expect(check.isWellFormed, "not well-formed: \(check.error ?? "")", sourceLocation: sourceLocation)
  #expect(check.rootName == "svg", sourceLocation: sourceLocation)
  #expect(check.rootNamespace == "http://www.w3.org/2000/svg", sourceLocation: sourceLocation)
  #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), sourceLocation: sourceLocation)
  #expect(!svg.contains("<script"), sourceLocation: sourceLocation)
}

@Suite("The XML check itself")
struct XMLCheckTests {
  @Test("Malformed documents and unescaped text are rejected")
  func rejectsMalformed() {
    #expect(XMLCheck("<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>").isWellFormed == false)
    #expect(XMLCheck("<svg><text>a & b</text></svg>").isWellFormed == false)
    #expect(XMLCheck("<svg/><svg/>").isWellFormed == false)
    #expect(XMLCheck("<svg><text>a &amp; b</text></svg>").texts == ["a & b"])
  }
}
