// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// One request as the emulator sees it: the raw target split into path and query, the decoded query
/// parameters, the headers and the whole body.
struct EmulatorRequest: Sendable {
    /// The HTTP method, e.g. `"GET"`.
    var method: String
    /// The path part of the request target, exactly as received (no decoding).
    var path: String
    /// The query part of the request target, exactly as received, without the `?`; `nil` when there was no `?`.
    var rawQuery: String?
    /// Query parameters, percent-decoded (`+` as space); the first occurrence of a name wins.
    var query: [String: String]
    /// The Host header, which HTTP types keep apart from the other fields.
    var authority: String?
    /// The header fields in the order received.
    var headers: [(name: String, value: String)]
    /// The whole request body.
    var body: ByteBuffer
    /// The caller's IP address, when known.
    var remoteIP: String?

    /// Splits a raw request target (`/path?query`) into path and query.
    init(
        method: HTTPRequest.Method, target: String, authority: String?, headers: HTTPFields, body: ByteBuffer,
        remoteIP: String?
    ) {
        self.method = method.rawValue
        (self.path, self.rawQuery) = Self.split(target: target)
        self.query = Self.parseQuery(rawQuery)
        self.authority = authority
        self.headers = headers.map { (name: $0.name.rawName, value: $0.value) }
        self.body = body
        self.remoteIP = remoteIP
    }

    /// The body as bytes.
    var bodyBytes: [UInt8] {
        Array(body.readableBytesView)
    }

    /// The body decoded as JSON into `T`, or `nil` when it is not such JSON.
    func decodeJSON<T: Decodable>(_ type: T.Type) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
    }

    // MARK: Target parsing

    /// Splits a raw request target at the first `?`: the path, and the query (`nil` when there is no `?`).
    static func split(target: String) -> (path: String, rawQuery: String?) {
        guard let mark = target.firstIndex(of: "?") else { return (target, nil) }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    /// Decodes `a=1&b=%20x` into a dictionary; the first occurrence of a name wins.
    static func parseQuery(_ raw: String?) -> [String: String] {
        guard let raw, !raw.isEmpty else { return [:] }
        var result: [String: String] = [:]
        for item in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            if result[name] == nil {
                result[name] = value
            }
        }
        return result
    }

    private static func decode(_ component: Substring) -> String {
        let spaced = component.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
