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
    /// ``errcode(contentType:body:)``, which is read only where ``mayHoldTokenErrcode(_:)`` finds it possible.
    static func carriesTokenError(contentType: String?, body: ByteBuffer) -> Bool {
        guard body.withUnsafeReadableBytes(mayHoldTokenErrcode) else { return false }
        return isTokenError(errcode(contentType: contentType, body: body))
    }

    /// Whether some number in `bytes` may be worth a token errcode C, as ``ErrcodeScanner`` reads numbers (an
    /// integer exactly; any other through `Double`, truncated): its digits, past any leading zeros and with at
    /// most one `.` among them, begin with C's (`40001`, `4.0001e4`, `0.40001e5`, `400010e-1`), or with C − 1's
    /// when a `Double` rounds it up to C (`40000.99999999999999999`). Without such digits no number in the answer,
    /// its errcode included, is a token errcode, and the validating pass over the whole answer is skipped: most
    /// answers have no `4` where a number's digits could start (BENCHMARKS.md, session 11).
    static func mayHoldTokenErrcode(_ bytes: UnsafeRawBufferPointer) -> Bool {
        ByteSearch.containsDigits(anyOf: tokenErrcodeDigits, in: bytes)
    }

    /// The digits that begin a number worth a token errcode: each code's and the one below it.
    private static let tokenErrcodeDigits = WeChatErrcode.tokenInvalidCodes.flatMap { code in
        [Array(String(code).utf8), Array(String(code - 1).utf8)]
    }

    /// Whether the MIME type (before any `;`, blanks trimmed, ASCII case ignored) is JSON or `text/plain`.
    static func isJSONish(_ contentType: String) -> Bool {
        MediaType.of(contentType) { type in
            type.is("application/json") || type.is("text/json") || type.is("text/plain") || type.hasSuffix("+json")
        }
    }
}
