// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// What an upstream answer's `Content-Type` says about its body.
enum AnswerKind {
    /// Whether the MIME type (before any `;`, blanks trimmed, ASCII case ignored) is binary media: `image/*`,
    /// `audio/*`, `video/*`, `application/octet-stream`. Such bodies (getwxacode's images) are passed on
    /// untouched; everything else, a missing type included, may be text that echoes the request.
    static func isBinary(contentType: String?) -> Bool {
        guard let contentType else { return false }
        return MediaType.of(contentType) { type in
            type.hasPrefix("image/") || type.hasPrefix("audio/") || type.hasPrefix("video/")
                || type.is("application/octet-stream")
        }
    }
}
