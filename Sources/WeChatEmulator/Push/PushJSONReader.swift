// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import WeChatPush

/// Reads a JSON answer (a mini program's passive reply or its encrypted envelope) into the element tree an XML
/// answer parses to: a key is an element, an object's keys its children (in byte order), an array's values
/// `<item>` children, a string or number its text.
enum PushJSONReader {
    /// The object in `body` as a root element named `xml`; `nil` when `body` is not a JSON object.
    static func element(_ body: [UInt8]) -> PushXMLElement? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        return element(named: "xml", object)
    }

    private static func element(named name: String, _ value: Any) -> PushXMLElement {
        switch value {
        case let object as [String: Any]:
            let names = object.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            return PushXMLElement(name: name, children: names.map { element(named: $0, object[$0] as Any) })
        case let array as [Any]:
            return PushXMLElement(name: name, children: array.map { element(named: "item", $0) })
        case let text as String:
            return PushXMLElement(name: name, text: text, isCDATA: true)
        case let number as NSNumber:
            return PushXMLElement(name: name, text: number.stringValue)
        default:
            return PushXMLElement(name: name)
        }
    }
}
