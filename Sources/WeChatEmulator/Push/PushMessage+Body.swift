// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import WeChatPush

extension PushMessage {
    /// The body as WeChat sends it. XML: `<xml>`, one element a line, strings in CDATA, numbers bare. JSON (an
    /// account configured for JSON, mini programs only): the same names as keys in the same order, strings as
    /// strings and numbers as numbers, converted from the XML by ``PushXML/json(_:)`` as the sidecar converts too.
    ///
    /// - Throws: ``PushRefusal`` when a field holds what XML cannot carry (a control character) for JSON.
    public func body(_ format: PushFormat) throws(PushRefusal) -> [UInt8] {
        try PushBodyWriter.body(elements, format: format)
    }
}

/// Writes WeChat's flat XML bodies: the push itself and its encrypted envelope.
enum PushBodyWriter {
    /// The fields as XML, or as the JSON of that XML.
    static func body(_ fields: [PushMessage.Field], format: PushFormat) throws(PushRefusal) -> [UInt8] {
        let document = xml(fields)
        guard format == .json else { return document }
        return PushXML.json(try PushXML.parse(document))
    }

    /// `<xml>` + each field on its own line + `</xml>`.
    static func xml(_ fields: [PushMessage.Field]) -> [UInt8] {
        var out = "<xml>"
        for field in fields {
            out += "<\(field.name)>" + written(field.value) + "</\(field.name)>\n"
        }
        return Array((out + "</xml>").utf8)
    }

    /// A text in CDATA (a `]]>` inside split across two sections), a number as it is.
    private static func written(_ value: PushMessage.Value) -> String {
        switch value {
        case .text(let text): "<![CDATA[" + text.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>") + "]]>"
        case .number(let digits): digits
        }
    }
}
