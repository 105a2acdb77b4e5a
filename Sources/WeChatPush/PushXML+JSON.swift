// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

extension PushXML {
    /// The push as Cloud Hosting's JSON: the root's children as one object, keys in document order.
    ///
    /// - An element with text is a string, or a number when WeChat wrote it as one (see ``scalar(_:)``).
    /// - An element with children is an object; a name repeated among siblings is an array of its values.
    /// - An element whose children are all `<item>` (WeChat's list, e.g. `<PicList><item>…</item></PicList>`) is an
    ///   array, even with one item, so a list keeps one JSON type whatever its length.
    /// - An empty element is `""`.
    public static func json(_ root: PushXMLElement) -> [UInt8] {
        var out: [UInt8] = []
        writeObject(root.children, to: &out)
        return out
    }

    /// The JSON text of one text element.
    ///
    /// Numbers keep their exact digits: text WeChat wrote bare (not in CDATA) becomes a JSON number only when it is
    /// written the way a JSON number prints back, so any parser reading it and printing it again gives the same
    /// digits: an integer without leading zeros or `+` that fits in 64 bits (`CreateTime`, `MsgId`, as Cloud Hosting
    /// sends them), or a decimal of at most 15 significant digits without trailing zeros (`Location_X`), which a
    /// double holds exactly as written. Everything else, and all CDATA text (`Content: "12345"` stays a string),
    /// is a JSON string. (A JavaScript app reading a `MsgId` above 2^53 needs a big-integer-aware parser, as it
    /// does with Cloud Hosting.)
    public static func scalar(_ element: PushXMLElement) -> [UInt8] {
        if !element.isCDATA, isExactNumber(element.text) { return Array(element.text.utf8) }
        var out: [UInt8] = []
        writeString(element.text, to: &out)
        return out
    }

    static func isExactNumber(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let unsigned = bytes.first == UInt8(ascii: "-") ? Array(bytes.dropFirst()) : bytes
        let parts = unsigned.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, parts.count <= 2, unsigned.allSatisfy(isDigitOrDot),
            whole.count == 1 || whole.first != UInt8(ascii: "0")
        else { return false }
        if parts.count == 1 {
            return text != "-0" && Int64(text) != nil
        }
        let fraction = parts[1]
        guard let last = fraction.last, last != UInt8(ascii: "0") else { return false }
        let significant = (whole + fraction).drop { $0 == UInt8(ascii: "0") }
        return significant.count <= 15
    }

    private static func isDigitOrDot(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
    }

    // MARK: - Writing

    private static func writeObject(_ children: [PushXMLElement], to out: inout [UInt8]) {
        // Grouped by the name's bytes: String equality would merge names that differ only in Unicode normalization
        // (`é` and `e` + U+0301), which XML and JSON keep apart.
        var names: [String] = []
        var byName: [[UInt8]: [PushXMLElement]] = [:]
        for child in children {
            if byName[Array(child.name.utf8)] == nil { names.append(child.name) }
            byName[Array(child.name.utf8), default: []].append(child)
        }
        out.append(UInt8(ascii: "{"))
        for (index, name) in names.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            writeString(name, to: &out)
            out.append(UInt8(ascii: ":"))
            let elements = byName[Array(name.utf8)] ?? []
            if elements.count == 1 {
                writeValue(elements[0], to: &out)
            } else {
                writeArray(elements, to: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func writeValue(_ element: PushXMLElement, to out: inout [UInt8]) {
        if element.children.isEmpty {
            out += scalar(element)
        } else if element.children.allSatisfy({ $0.name == "item" }) {
            writeArray(element.children, to: &out)
        } else {
            writeObject(element.children, to: &out)
        }
    }

    private static func writeArray(_ elements: [PushXMLElement], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            writeValue(element, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A JSON string: `"` and `\` escaped, control characters as escapes, everything else as UTF-8.
    static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += Array(#"\""#.utf8)
            case UInt8(ascii: "\\"): out += Array(#"\\"#.utf8)
            case UInt8(ascii: "\n"): out += Array(#"\n"#.utf8)
            case UInt8(ascii: "\r"): out += Array(#"\r"#.utf8)
            case UInt8(ascii: "\t"): out += Array(#"\t"#.utf8)
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                out += Array(("\\u00" + (byte < 16 ? "0" : "") + hex).utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
