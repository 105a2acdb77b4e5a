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
    /// Compares bytes in place: no allocation per response.
    static func isJSONish(_ contentType: String) -> Bool {
        var contentType = contentType
        return contentType.withUTF8 { bytes in
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
            var start = bytes.startIndex
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            let mime = UnsafeBufferPointer(rebasing: bytes[start..<end])
            return equalsLowercased(mime, "application/json") || equalsLowercased(mime, "text/json")
                || equalsLowercased(mime, "text/plain")
                || (mime.count >= 5 && equalsLowercased(UnsafeBufferPointer(rebasing: mime[(mime.count - 5)...]), "+json"))
        }
    }

    /// Whether `bytes`, ASCII-lowercased, equal `lowercase`.
    private static func equalsLowercased(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        for (byte, want) in zip(bytes, expected) {
            let lowered = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            if lowered != want { return false }
        }
        return true
    }
}
