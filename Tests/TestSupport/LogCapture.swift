// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

public import Logging
public import Sidecar
import Synchronization

/// Collects every line the daemon's real log handler writes (secret redaction included), so tests can
/// assert on what an operator would see.
public final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// A root logger writing through ``SidecarLogHandler`` into this capture.
    public func logger(
        level: Logger.Level = .debug, redacting secrets: [String] = [], format: SidecarConfiguration.LogFormat = .text
    ) -> Logger {
        Logger(label: "wxsidecar") { [self] label in
            SidecarLogHandler(label: label, level: level, format: format, redactions: secrets) { line in
                self.lines.withLock { $0.append(line) }
            }
        }
    }

    /// Every line so far.
    public var all: [String] { lines.withLock { $0 } }
    /// Every line so far, joined by newlines.
    public var text: String { all.joined(separator: "\n") }

    /// Whether any line contains `needle`.
    public func contains(_ needle: String) -> Bool { all.contains { $0.contains(needle) } }

    /// How many lines contain `needle`.
    public func count(_ needle: String) -> Int { all.filter { $0.contains(needle) }.count }
}
