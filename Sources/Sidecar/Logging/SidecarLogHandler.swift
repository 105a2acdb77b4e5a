// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging

/// The daemon's log handler: one line per event, as text (journald, terminals) or JSON (container log
/// collectors), with every secret and token removed by the ``Redactor`` before the line leaves the process.
public struct SidecarLogHandler: LogHandler {
    /// Where finished lines go (stderr by default; tests capture them).
    public typealias Sink = @Sendable (String) -> Void

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: SidecarConfiguration.LogFormat
    let redactor: Redactor
    let sink: Sink

    /// - Parameter redactor: removes secrets and tokens from every line (``Redactor``).
    public init(
        label: String, level: Logger.Level, format: SidecarConfiguration.LogFormat, redactor: Redactor,
        sink: @escaping Sink = SidecarLogHandler.standardError
    ) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.redactor = redactor
        self.sink = sink
    }

    /// - Parameter redactions: strings that must never be written (the AppSecret); those under 4 bytes are ignored.
    public init(
        label: String, level: Logger.Level, format: SidecarConfiguration.LogFormat, redactions: [String] = [],
        sink: @escaping Sink = SidecarLogHandler.standardError
    ) {
        self.init(label: label, level: level, format: format, redactor: Redactor(secrets: redactions), sink: sink)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let line = format == .json
            ? LogLineFormat.json(level: event.level, label: label, message: "\(event.message)", metadata: merged)
            : LogLineFormat.text(level: event.level, label: label, message: "\(event.message)", metadata: merged)
        sink(redactor.redact(line))
    }

    /// Writes the line and a newline to standard error in one `write(2)`.
    public static let standardError: Sink = { line in
        var bytes = Array(line.utf8)
        bytes.append(0x0a)
        bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }
}

/// How one log line is spelled.
enum LogLineFormat {
    static func timestamp() -> String {
        Date().formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon)
                .timeZone(separator: .omitted))
    }

    /// `2026-11-21T15:22:00.123Z info wxsidecar: message key=value …`, always one line: line breaks inside the
    /// message or a value are written `\n` / `\r` (journald would otherwise split the event).
    static func text(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var line = "\(timestamp()) \(level) \(label): \(message)"
        for key in metadata.keys.sorted() {
            line += " \(key)=\(metadata[key]!)"
        }
        guard line.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return line }
        return line.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// `{"ts":"…","level":"info","logger":"wxsidecar","msg":"…","key":"value",…}`: stable keys, sorted metadata.
    static func json(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var line = "{\"ts\":\(quote(timestamp())),\"level\":\(quote(level.rawValue)),\"logger\":\(quote(label)),\"msg\":\(quote(message))"
        for key in metadata.keys.sorted() where !["ts", "level", "logger", "msg"].contains(key) {
            line += ",\(quote(key)):\(quote("\(metadata[key]!)"))"
        }
        return line + "}"
    }

    /// A JSON string literal.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
