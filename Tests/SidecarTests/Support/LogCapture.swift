// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import Sidecar
import Synchronization

/// Collects every line the daemon's real log handler writes (secret redaction included), so tests can
/// assert on what an operator would see.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    /// A root logger writing through ``SidecarLogHandler`` into this capture.
    func logger(level: Logger.Level = .debug, redacting secrets: [String] = [], format: SidecarConfiguration.LogFormat = .text) -> Logger {
        Logger(label: "wxsidecar") { [self] label in
            SidecarLogHandler(label: label, level: level, format: format, redactions: secrets) { line in
                self.lines.withLock { $0.append(line) }
            }
        }
    }

    var all: [String] { lines.withLock { $0 } }
    var text: String { all.joined(separator: "\n") }

    func contains(_ needle: String) -> Bool { all.contains { $0.contains(needle) } }
}
