// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

extension PushXML {
    /// Parses a push body into its root element, with Foundation's `XMLParser` (libxml2 on Linux).
    ///
    /// Refused before parsing: a body over `sizeLimit` (`too_large`), any DOCTYPE in the prolog (`doctype`), the
    /// only place a DTD, and so an entity declaration, can appear, and what the parser must not be given
    /// (`bad_xml`, see ``refuseUnsafeInput(_:)``). The parser also runs with external entities off and stops at any
    /// declaration it reports anyway. Refused while parsing: malformed XML, text beside child elements, nesting
    /// deeper than ``depthLimit``.
    public static func parse(_ body: [UInt8], sizeLimit: Int = defaultSizeLimit) throws(PushRefusal) -> PushXMLElement {
        guard body.count <= sizeLimit else { throw .tooLarge(limit: sizeLimit) }
        try refuseDoctype(body)
        try refuseUnsafeInput(body)
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

    /// Refuses (`bad_xml`) what WeChat never sends and Foundation's `XMLParser` on Linux cannot be given safely:
    /// - bytes that are not UTF-8 or hold a NUL, as UTF-16 and UTF-32 do: libxml2 detects and decodes those, and
    ///   there ``refuseDoctype(_:)`` sees no `<!DOCTYPE`;
    /// - an XML declaration naming an encoding other than UTF-8: stopping libxml2 2.9 at an error while it decodes
    ///   another encoding (as the tree builder does) crashes it, a NULL read in `xmlParseChunk`;
    /// - any other processing instruction: `XMLParser` reads a NULL pointer for one without data (`<?pi?>`).
    ///
    /// Comments and CDATA sections are skipped: text that mentions `<?` there is left alone.
    static func refuseUnsafeInput(_ body: [UInt8]) throws(PushRefusal) {
        guard !body.contains(0), String(validating: body, as: UTF8.self) != nil else {
            throw .badXML("the body is not UTF-8")
        }
        var index = body.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        if body[index...].starts(with: "<?xml".utf8), index + 5 < body.count, isBlank(body[index + 5]) {
            let end = find("?>", in: body, from: index + 5) ?? body.count
            try refuseOtherEncoding(body[index..<end])
            index = end
        }
        while index < body.count {
            guard body[index] == UInt8(ascii: "<") else {
                index += 1
                continue
            }
            if body[index...].starts(with: "<!--".utf8) {
                index = find("-->", in: body, from: index + 4) ?? body.count
            } else if body[index...].starts(with: "<![CDATA[".utf8) {
                index = find("]]>", in: body, from: index + 9) ?? body.count
            } else if body[index...].starts(with: "<?".utf8) {
                throw .badXML("a processing instruction (WeChat sends none)")
            } else {
                index += 1
            }
        }
    }

    /// Refuses an XML declaration in which `encoding` is followed by anything but `UTF-8` (blanks, `=` and quotes
    /// between).
    private static func refuseOtherEncoding(_ declaration: ArraySlice<UInt8>) throws(PushRefusal) {
        let lowered = declaration.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 }
        let separators = Array(" \t\r\n=\"'?".utf8)
        var index = 0
        while let end = find("encoding", in: lowered, from: index) {
            let value = lowered[end...].drop { separators.contains($0) }.prefix { !separators.contains($0) }
            guard value.elementsEqual("utf-8".utf8) else {
                throw .badXML("the XML declaration names an encoding other than UTF-8")
            }
            index = end
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
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
