// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import Sidecar
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `log.format: json`: one JSON object per line with stable keys, for container log collectors; and text
/// that stays one line per event, for journald.
@Suite("log formats")
struct JSONLogTests {
    /// A handler writing into an array.
    final class Captured: Sendable {
        let lines = Mutex<[String]>([])

        func logger(_ format: SidecarConfiguration.LogFormat, redactions: [String] = []) -> Logger {
            Logger(label: "wxsidecar") { label in
                SidecarLogHandler(label: label, level: .trace, format: format, redactions: redactions) { line in
                    self.lines.withLock { $0.append(line) }
                }
            }
        }
    }

    static let awkwardMessages = [
        "plain", "quotes \" and \\ backslashes", "two\nlines\r\n", "tab\tand \u{1} control", "中文 and emoji 🙂", "",
    ]

    @Test("every JSON line parses, with ts, level, logger and msg", arguments: awkwardMessages)
    func jsonLineParses(message: String) throws {
        let captured = Captured()
        captured.logger(.json).warning(
            "\(message)",
            metadata: ["wxsidecar.path": "\(message)", "wxsidecar.list": ["a", "b"], "wxsidecar.map": ["k": "v"]])
        let line = try #require(captured.lines.withLock { $0 }.first)
        #expect(!line.contains("\n"))
        let object = try #require(jsonObject(line))
        #expect(object["msg"] as? String == message)
        #expect(object["level"] as? String == "warning")
        #expect(object["logger"] as? String == "wxsidecar")
        #expect(object["wxsidecar.path"] as? String == message)
        #expect(object["wxsidecar.list"] is String && object["wxsidecar.map"] is String, "metadata values are strings")
        let timestamp = try #require(object["ts"] as? String)
        #expect(ISO8601DateFormatter.withFractionalSeconds.date(from: timestamp) != nil, "ts is ISO 8601: \(timestamp)")
    }

    @Test("the fixed keys come first and metadata cannot shadow them")
    func stableKeys() throws {
        let captured = Captured()
        captured.logger(.json).info("hello", metadata: ["msg": "shadow", "level": "shadow", "b.key": "2", "a.key": "1"])
        let line = try #require(captured.lines.withLock { $0 }.first)
        let afterTimestamp = try #require(line.firstRange(of: #"","level""#)?.lowerBound)
        #expect(line.hasPrefix(#"{"ts":""#))
        #expect(line[afterTimestamp...] == #"","level":"info","logger":"wxsidecar","msg":"hello","a.key":"1","b.key":"2"}"#)
    }

    @Test("the AppSecret never reaches a line, in either format", arguments: SidecarConfiguration.LogFormat.allCases)
    func secretRedacted(format: SidecarConfiguration.LogFormat) throws {
        let secret = "0123456789abcdef0123456789abcdef"
        let captured = Captured()
        captured.logger(format, redactions: [secret]).error("failed with \(secret)", metadata: ["url": "x?secret=\(secret)"])
        let line = try #require(captured.lines.withLock { $0 }.first)
        #expect(!line.contains(secret))
        #expect(line.contains("[redacted]"))
    }

    @Test("text stays one line per event (journald splits on newlines)")
    func textIsOneLine() throws {
        let captured = Captured()
        captured.logger(.text).error("first\nsecond", metadata: ["detail": "a\nb"])
        let line = try #require(captured.lines.withLock { $0 }.first)
        #expect(!line.contains("\n"), "\(line)")
    }

    @Test("the daemon's own output under log.format json is JSON, line by line")
    func daemonOutputIsJSONLines() async throws {
        try await withDaemonFixture { fixture in
            try await fixture.withDaemon { daemon in
                let listening = try await daemon.lines.first("listening line") { listeningPort($0) != nil }
                let port = try #require(listeningPort(listening.item))
                _ = try await daemon.lines.first("first token") { jsonObject($0)?["wxsidecar.token.fingerprint"] != nil }
                _ = try await httpGet(port: port, "/wxa/not_whitelisted")
                daemon.send(SIGTERM)
                #expect(try await daemon.exitStatus() == 0)
                let lines = daemon.lines.items
                #expect(lines.count >= 3)
                for line in lines {
                    let object = try #require(jsonObject(line), "not a JSON object: \(line)")
                    for key in ["ts", "level", "logger", "msg"] {
                        #expect(object[key] is String, "\(key) missing in \(line)")
                    }
                }
            }
        }
    }
}

extension ISO8601DateFormatter {
    /// `2026-11-21T15:22:00.123Z`.
    static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
