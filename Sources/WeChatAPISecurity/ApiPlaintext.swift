// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// The JSON that is encrypted: the original request's fields (its JSON body and its URL parameters, never the
/// access_token) and the three security fields `_n` (a random string), `_appid` and `_timestamp` (a number, the
/// `Wechatmp-TimeStamp`).
public enum ApiPlaintext {
    /// The caller's JSON object, byte for byte, with the URL parameters and the security fields appended.
    /// An empty body is `{}`. Refuses a body that is not a JSON object, or that sets a security field itself.
    public static func compose(
        body: [UInt8], parameters: [(name: String, value: String)], appid: String, timestamp: Int64, nonce: String
    ) throws(ApiSecurityFailure) -> [UInt8] {
        let trimmed = Array(body.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
        let object = trimmed.isEmpty ? Array("{}".utf8) : trimmed
        guard let parsed = (try? JSONSerialization.jsonObject(with: Data(object))) as? [String: Any],
            object.last == UInt8(ascii: "}")
        else { throw .badRequestBody("the body of a signed API call must be a JSON object") }
        for field in ["_n", "_appid", "_timestamp"] where parsed[field] != nil {
            throw .badRequestBody("the body sets \(field), which the sidecar writes")
        }
        var fields: [String] = []
        for (name, value) in parameters where parsed[name] == nil {
            fields.append(quoted(name) + ":" + quoted(value))
        }
        fields += [#""_n":"# + quoted(nonce), #""_appid":"# + quoted(appid), #""_timestamp":"# + String(timestamp)]
        var out = Array(object.dropLast())
        if !parsed.isEmpty { out.append(UInt8(ascii: ",")) }
        out += Array(fields.joined(separator: ",").utf8)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: [text]), let array = String(data: data, encoding: .utf8)
        else { return "\"\"" }
        return String(array.dropFirst().dropLast())
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
