// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// One element of a push body, in document order. WeChat's pushes carry no attributes and no mixed content: an
/// element holds either text (``text``, with ``isCDATA`` when any of it came from a CDATA section) or child elements.
public struct PushXMLElement: Sendable, Equatable {
    /// The element's name, e.g. `ToUserName`.
    public var name: String
    /// The text content (empty for an element with children).
    public var text: String
    /// True when some of ``text`` was written as `<![CDATA[…]]>`. WeChat wraps string fields in CDATA and writes
    /// numbers (`CreateTime`, `MsgId`, `Location_X`) bare; the JSON conversion keeps CDATA text a string.
    public var isCDATA: Bool
    /// The child elements, in document order.
    public var children: [PushXMLElement]

    public init(name: String, text: String = "", isCDATA: Bool = false, children: [PushXMLElement] = []) {
        self.name = name
        self.text = text
        self.isCDATA = isCDATA
        self.children = children
    }

    /// The first child named `name`.
    public subscript(_ name: String) -> PushXMLElement? {
        children.first { $0.name == name }
    }
}

/// Parsing and writing of push bodies (`PushXML+Parsing.swift`, `PushXML+JSON.swift`; the reverse, JSON reply to XML, is `PassiveReply`).
public enum PushXML {
    /// The default cap on a push body. WeChat's largest pushes (news events, encrypted envelopes) are a few KiB.
    public static let defaultSizeLimit = 64 * 1024
    /// The deepest nesting accepted; WeChat's pushes nest three or four levels.
    public static let depthLimit = 16
}
