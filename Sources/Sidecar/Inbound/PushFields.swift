// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import WeChatPush

/// A parsed push body, XML (``PushXML``) or JSON (mini programs configured for JSON): its top-level fields by name.
struct PushFields {
    private enum Tree {
        case xml(PushXMLElement)
        case json([String: Any])
    }

    private let tree: Tree

    /// Parses `body` as `syntax`; refuses malformed XML or JSON, a DOCTYPE, a body over `sizeLimit`, a JSON value
    /// that is not an object.
    static func parse(_ body: [UInt8], syntax: ReceivedPush.Syntax, sizeLimit: Int) throws(PushRefusal) -> PushFields {
        switch syntax {
        case .xml:
            return PushFields(tree: .xml(try PushXML.parse(body, sizeLimit: sizeLimit)))
        case .json:
            guard body.count <= sizeLimit else { throw .tooLarge(limit: sizeLimit) }
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(body)) else {
                throw .badJSON("the body is not valid JSON")
            }
            guard let object = parsed as? [String: Any] else { throw .badJSON("the body is not a JSON object") }
            return PushFields(tree: .json(object))
        }
    }

    /// The text of a top-level field: an element's text, or a JSON string or number (as its digits).
    func text(_ name: String) -> String? {
        switch tree {
        case .xml(let root):
            return root[name]?.text
        case .json(let object):
            switch object[name] {
            case let text as String: return text
            case let number as NSNumber: return number.stringValue
            default: return nil
            }
        }
    }

    /// What the app receives for `message` (the text these fields were parsed from): an XML push as Cloud
    /// Hosting's JSON when `format` is `json`; otherwise, and for a JSON push, the message as it came.
    func forwarded(_ message: [UInt8], format: SidecarConfiguration.MessageFormat) -> [UInt8] {
        switch tree {
        case .xml(let root) where format == .json: PushXML.json(root)
        default: message
        }
    }
}
