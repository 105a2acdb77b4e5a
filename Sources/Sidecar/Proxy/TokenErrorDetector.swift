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

    /// Whether a WeChat answer says the token was rejected: ``isTokenError(_:)`` of its
    /// ``errcode(contentType:body:)``, which is read only when ``mayHoldTokenErrcode(_:)`` finds it possible.
    static func carriesTokenError(contentType: String?, body: ByteBuffer) -> Bool {
        guard body.withUnsafeReadableBytes(mayHoldTokenErrcode) else { return false }
        return isTokenError(errcode(contentType: contentType, body: body))
    }

    /// Whether some number in `bytes` may be worth a token errcode: one of their spellings occurs (`40001`, also
    /// in `40001.5`), or a digit is followed by an exponent (`4.0001e4`). A JSON number without an exponent has the
    /// digits of its truncated value in front (no leading zeros, no `+`), so without either no number in the
    /// answer, its errcode included, is a token errcode, and the validating pass over the whole answer is skipped:
    /// most answers never need it (BENCHMARKS.md, session 11).
    static func mayHoldTokenErrcode(_ bytes: UnsafeRawBufferPointer) -> Bool {
        tokenErrcodeSpellings.contains { ByteSearch.firstMatch(of: $0, in: bytes, from: 0) != nil }
            || ByteSearch.occursAfterDigit(UInt8(ascii: "e"), in: bytes)
            || ByteSearch.occursAfterDigit(UInt8(ascii: "E"), in: bytes)
    }

    /// The decimal digits of every errcode that means the token was rejected.
    private static let tokenErrcodeSpellings = WeChatErrcode.tokenInvalidCodes.map { Array(String($0).utf8) }

    /// Whether the MIME type (before any `;`, blanks trimmed, ASCII case ignored) is JSON or `text/plain`.
    static func isJSONish(_ contentType: String) -> Bool {
        MediaType.of(contentType) { type in
            type.is("application/json") || type.is("text/json") || type.is("text/plain") || type.hasSuffix("+json")
        }
    }
}
