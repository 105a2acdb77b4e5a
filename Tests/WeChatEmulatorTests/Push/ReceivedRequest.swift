// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import WeChatEmulator
import WeChatPush

/// One request as the ``PushReceiver`` saw it.
struct ReceivedRequest: Sendable {
    /// `GET` (URL verification) or `POST` (a push).
    var method: String
    /// The query parameters in order, percent-decoded.
    var query: [(name: String, value: String)]
    /// The `Content-Type` header.
    var contentType: String?
    /// The body as received.
    var body: [UInt8] = []
    /// The body's top-level fields as sent: the whole push in plaintext mode, the push plus `Encrypt` in compatible
    /// mode, the envelope in safe mode. XML keeps document order; JSON is in key order.
    var outer: [PushMessage.Field] = []
    /// The message: the decrypted `Encrypt` when the push was encrypted, else ``outer``.
    var fields: [PushMessage.Field] = []
    /// Why the receiver refused the request (a signature, the envelope), if it did.
    var refusal: String?

    /// The first query parameter named `name`.
    func query(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// The message's fields by name.
    var fieldsByName: [String: PushMessage.Value] {
        Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    // MARK: - Reading bodies

    /// The top-level fields of an XML body (CDATA text as `.text`, bare text as `.number`) or of a JSON object
    /// (strings as `.text`, numbers as `.number` in their digits).
    static func fields(_ body: [UInt8], json: Bool) throws -> [PushMessage.Field] {
        guard json else {
            return try PushXML.parse(body).children.map {
                PushMessage.Field($0.name, $0.isCDATA ? .text($0.text) : .number($0.text))
            }
        }
        let object = try JSONDecoder().decode([String: JSONScalar].self, from: Data(body))
        return object.keys.sorted().map { PushMessage.Field($0, object[$0]!.value) }
    }
}

/// A JSON string or number, the number kept in its digits (a 64-bit integer exactly).
private struct JSONScalar: Decodable {
    var value: PushMessage.Value

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            value = .text(text)
        } else if let integer = try? container.decode(Int64.self) {
            value = .number(String(integer))
        } else {
            value = .number(String(try container.decode(Double.self)))
        }
    }
}
