// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore

/// Finds WeChat's "this token is no good" answers (errcode 40001, 40014, 42001) in a response, reading
/// only JSON-typed bodies: an image (getwxacode) is never parsed.
enum TokenErrorDetector {
    static let tokenErrcodes: Set<Int> = [40001, 40014, 42001]
    /// Bodies larger than this are not error answers.
    static let maximumBytes = 64 * 1024

    /// The errcode of a WeChat JSON answer, or `nil` when the answer is not JSON (by the MIME type of
    /// `Content-Type`: `application/json`, `text/json`, or `text/plain`, which WeChat uses for JSON too).
    static func errcode(contentType: String?, body: ByteBuffer) -> Int? {
        guard let contentType, isJSONish(contentType), body.readableBytes <= maximumBytes,
            body.readableBytesView.contains(UInt8(ascii: "e"))
        else { return nil }
        let data = Data(body.readableBytesView)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let number = object["errcode"] as? NSNumber
        else { return nil }
        return number.intValue
    }

    /// Whether the answer says the token was rejected.
    static func isTokenError(_ errcode: Int?) -> Bool {
        errcode.map { tokenErrcodes.contains($0) } ?? false
    }

    static func isJSONish(_ contentType: String) -> Bool {
        let mime = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        return mime == "application/json" || mime == "text/json" || mime == "text/plain" || mime.hasSuffix("+json")
    }
}
