// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

extension PushXML {
    /// Parses a push body into its root element, with Foundation's `XMLParser` (libxml2 on Linux).
    ///
    /// Refused before parsing: a body over `sizeLimit` (`too_large`) and any DOCTYPE in the prolog (`doctype`), the
    /// only place a DTD, and so an entity declaration, can appear. The parser also runs with external entities off
    /// and stops at any declaration it reports anyway. Refused while parsing: malformed XML, text beside child
    /// elements, nesting deeper than ``depthLimit``.
    public static func parse(_ body: [UInt8], sizeLimit: Int = defaultSizeLimit) throws(PushRefusal) -> PushXMLElement {
        guard body.count <= sizeLimit else { throw .tooLarge(limit: sizeLimit) }
        try refuseDoctype(body)
        let builder = PushXMLTreeBuilder()
        let parser = XMLParser(data: Data(body))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = builder
        let parsed = parser.parse()
        if let refusal = builder.refusal { throw refusal }
        // libxml2 reports content after the root element as an error yet lets `parse()` return true.
        guard parsed, parser.parserError == nil, let root = builder.root else {
            throw .badXML("the body is not well-formed XML")
        }
        return root
    }

    /// Refuses a `<!DOCTYPE` (or any other `<!` declaration but a comment) before the root element. Declarations
    /// cannot appear after it, and text that merely mentions `<!DOCTYPE` inside CDATA is left alone.
    static func refuseDoctype(_ body: [UInt8]) throws(PushRefusal) {
        var index = body.startIndex
        func starts(_ prefix: String) -> Bool { body[index...].starts(with: prefix.utf8) }
        while index < body.endIndex {
            switch body[index] {
            case UInt8(ascii: "<") where starts("<!--"):
                guard let end = find("-->", in: body, from: index + 4) else { return }
                index = end
            case UInt8(ascii: "<") where starts("<?"):
                guard let end = find("?>", in: body, from: index + 2) else { return }
                index = end
            case UInt8(ascii: "<") where starts("<!"):
                throw .doctype
            case UInt8(ascii: "<"):
                return  // the root element: the prolog is over
            default:
                index += 1  // whitespace or a byte-order mark; anything else the parser refuses
            }
        }
    }

    /// The index just past the first `needle` at or after `start`.
    private static func find(_ needle: String, in body: [UInt8], from start: Int) -> Int? {
        let pattern = Array(needle.utf8)
        var index = start
        while index + pattern.count <= body.count {
            if body[index..<(index + pattern.count)].elementsEqual(pattern) { return index + pattern.count }
            index += 1
        }
        return nil
    }
}

/// Builds the ``PushXMLElement`` tree from `XMLParser` callbacks; used by one parse on one thread, then dropped.
final class PushXMLTreeBuilder: NSObject, XMLParserDelegate {
    private(set) var root: PushXMLElement?
    private(set) var refusal: PushRefusal?
    private var stack: [PushXMLElement] = []

    private func refuse(_ parser: XMLParser, _ reason: PushRefusal) {
        if refusal == nil { refusal = reason }
        parser.abortParsing()
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        guard root == nil else { return refuse(parser, .badXML("more than one root element")) }
        guard stack.count < PushXML.depthLimit else { return refuse(parser, .tooDeep(limit: PushXML.depthLimit)) }
        if let parent = stack.last, !parent.text.allSatisfy(\.isWhitespace) {
            return refuse(parser, .badXML("<\(parent.name)> mixes text with child elements"))
        }
        if !stack.isEmpty {
            stack[stack.count - 1].text = ""
            stack[stack.count - 1].isCDATA = false
        }
        stack.append(PushXMLElement(name: elementName))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        append(string, cdata: false, parser: parser)
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard let string = String(data: CDATABlock, encoding: .utf8) else {
            return refuse(parser, .badXML("a CDATA section is not UTF-8"))
        }
        append(string, cdata: true, parser: parser)
    }

    private func append(_ string: String, cdata: Bool, parser: XMLParser) {
        guard !stack.isEmpty else {
            guard !cdata, string.allSatisfy(\.isWhitespace) else {
                return refuse(parser, .badXML("text outside the root element"))
            }
            return
        }
        let top = stack.count - 1
        if !stack[top].children.isEmpty {
            guard cdata || !string.allSatisfy(\.isWhitespace) else { return }
            return refuse(parser, .badXML("<\(stack[top].name)> mixes text with child elements"))
        }
        stack[top].text += string
        if cdata { stack[top].isCDATA = true }
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
        guard var element = stack.popLast() else { return }
        if !element.children.isEmpty { element.text = "" }
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(element)
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        refuse(parser, .badXML("the body is not well-formed XML"))
    }

    // MARK: - Declarations: never accepted (the prolog check refuses them first; these are the second line)

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        refuse(parser, .doctype)
    }

    func parser(
        _ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?
    ) {
        refuse(parser, .doctype)
    }

    func parser(
        _ parser: XMLParser, foundUnparsedEntityDeclarationWithName name: String, publicID: String?, systemID: String?,
        notationName: String?
    ) {
        refuse(parser, .doctype)
    }

    func parser(_ parser: XMLParser, foundElementDeclarationWithName elementName: String, model: String) {
        refuse(parser, .doctype)
    }

    /// Called for an entity reference other than the five predefined ones (none can be declared here).
    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
        refuse(parser, .badXML("an entity reference other than &amp; &lt; &gt; &quot; &apos;"))
        return nil
    }
}
