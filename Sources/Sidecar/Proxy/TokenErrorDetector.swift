// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import SidecarCore

/// Finds WeChat's "this token is no good" answers (errcode 40001, 40014, 42001) in a response, reading
/// only JSON-typed bodies: an image (getwxacode) is never parsed.
enum TokenErrorDetector {
    /// Bodies larger than this are not error answers.
    static let maximumBytes = 64 * 1024

    /// The errcode of a WeChat JSON answer, or `nil` when the answer is not JSON (by the MIME type of
    /// `Content-Type`: `application/json`, `text/json`, or `text/plain`, which WeChat uses for JSON too).
    ///
    /// One validating pass over the bytes in place (``ErrcodeScanner``), no copy and no object tree: the
    /// answer is the one a full JSON parse gives, at a fraction of the cost on every JSON response.
    static func errcode(contentType: String?, body: ByteBuffer) -> Int? {
        guard let contentType, isJSONish(contentType), body.readableBytes <= maximumBytes,
            body.readableBytesView.contains(UInt8(ascii: "e"))
        else { return nil }
        return body.withUnsafeReadableBytes { ErrcodeScanner.topLevelErrcode($0) }
    }

    /// Whether the answer says the token was rejected.
    static func isTokenError(_ errcode: Int?) -> Bool {
        errcode.map { WeChatErrcode.classify($0) == .tokenInvalid } ?? false
    }

    /// Whether the MIME type (before any `;`, blanks trimmed, ASCII case ignored) is JSON or `text/plain`.
    static func isJSONish(_ contentType: String) -> Bool {
        MediaType.of(contentType) { type in
            type.is("application/json") || type.is("text/json") || type.is("text/plain") || type.hasSuffix("+json")
        }
    }
}
