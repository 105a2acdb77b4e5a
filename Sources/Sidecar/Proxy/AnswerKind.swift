// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// What an upstream answer's `Content-Type` says about its body.
enum AnswerKind {
    /// Whether the MIME type (before any `;`, blanks trimmed, ASCII case ignored) is binary media: `image/*`,
    /// `audio/*`, `video/*`, `application/octet-stream`. Such bodies (getwxacode's images) are passed on
    /// untouched; everything else, a missing type included, may be text that echoes the request.
    static func isBinary(contentType: String?) -> Bool {
        guard let contentType else { return false }
        let isBlank = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        let mime = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }.drop(while: isBlank)
        let lowered = String(decoding: mime.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        let trimmed = lowered.utf8.reversed().drop(while: isBlank).count
        let type = String(lowered.utf8.prefix(trimmed))!
        return type.hasPrefix("image/") || type.hasPrefix("audio/") || type.hasPrefix("video/")
            || type == "application/octet-stream"
    }
}
