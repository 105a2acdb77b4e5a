// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Renders caller-controlled text (a rejected path, a whitelist line) for a message a person reads.
///
/// Text is echoed only when every byte is printable ASCII, and then at most ``limit`` bytes of it; anything
/// else is described ("not printable, 37 bytes") rather than shown, so a message never carries control bytes,
/// terminal escapes or invalid UTF-8 into a log line or a JSON body.
enum EchoText {
    /// At most this many bytes of a printable subject are echoed.
    static let limit = 200

    /// `'text'` if printable (truncated with a byte count when long), else a description without the bytes.
    static func quoted(_ text: some StringProtocol) -> String {
        let bytes = text.utf8
        guard bytes.allSatisfy(ByteClass.isPrintable) else {
            return "(not printable, \(bytes.count) bytes)"
        }
        if bytes.count <= limit {
            return "'" + String(text) + "'"
        }
        let head = String(decoding: bytes.prefix(limit), as: UTF8.self)
        return "'" + head + "...' (\(bytes.count) bytes)"
    }

    /// Whether `text` is printable ASCII and can be echoed as is.
    static func isEchoable(_ text: some StringProtocol) -> Bool {
        text.utf8.count <= limit && text.utf8.allSatisfy(ByteClass.isPrintable)
    }
}
