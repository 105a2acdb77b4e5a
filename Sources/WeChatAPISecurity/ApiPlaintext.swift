// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// The JSON that is encrypted: the three security fields `_n` (a random string), `_appid` and `_timestamp` (a
/// number, the `Wechatmp-TimeStamp`) first, as in the guide's worked example, then the original request's fields
/// (its JSON body byte for byte, then its URL parameters; never the access_token).
public enum ApiPlaintext {
    /// The security fields, the caller's JSON object's members byte for byte, and the URL parameters.
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
        let security = [#""_n":"# + quoted(nonce), #""_appid":"# + quoted(appid), #""_timestamp":"# + String(timestamp)]
        let fromURL = parameters.filter { parsed[$0.name] == nil }.map { quoted($0.name) + ":" + quoted($0.value) }
        // The object's members: between its braces, surrounding blanks dropped.
        let members = Array(object.dropFirst().dropLast().drop(while: isSpace).reversed().drop(while: isSpace).reversed())
        var out = Array("{".utf8) + Array(security.joined(separator: ",").utf8)
        if !members.isEmpty { out += [UInt8(ascii: ",")] + members }
        if !fromURL.isEmpty { out += Array(("," + fromURL.joined(separator: ",")).utf8) }
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
