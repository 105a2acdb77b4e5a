// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Text from outside made safe for one log line.
enum Printable {
    static func clip(_ text: String, to limit: Int) -> String {
        let cleaned = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? " " : Character($0) })
        return cleaned.count > limit ? String(cleaned.prefix(limit)) + "…" : cleaned
    }
}
