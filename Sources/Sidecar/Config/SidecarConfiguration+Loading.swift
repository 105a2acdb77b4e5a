// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import SidecarCore

extension SidecarConfiguration {
    /// The config file read when neither `--config` nor `WXSIDECAR_CONFIG` names one.
    public static let defaultConfigPath = "/etc/wxsidecar/wxsidecar.yaml"

    /// Reads and validates the configuration: YAML file, then `WXSIDECAR_*` environment overrides, then defaults.
    ///
    /// - Parameters:
    ///   - configPath: `--config`; when `nil`, `WXSIDECAR_CONFIG` or ``defaultConfigPath`` (which may be absent).
    ///   - environment: the process environment (tests pass their own).
    /// - Throws: ``ConfigError`` naming the first invalid key and where it came from.
    public static func load(configPath: String?, environment: [String: String]) async throws(ConfigError)
        -> SidecarConfiguration
    {
        let explicit = configPath ?? environment["WXSIDECAR_CONFIG"]
        let path = explicit ?? defaultConfigPath
        let values = try await ConfigValues.load(configPath: path, required: explicit != nil, environment: environment)
        return try await load(from: values)
    }

    static func load(from values: ConfigValues) async throws(ConfigError) -> SidecarConfiguration {
        let listen = try values.value("listen", default: ListenAddress(host: "127.0.0.1", port: 8098),
            expected: "must be host:port (e.g. 127.0.0.1:8098 or [::1]:8098) with a port from 0 to 65535, or unix:/absolute/path.sock",
            ListenAddress.init(parsing:))
        let upstream = try await loadUpstream(values)
        let whitelist = Whitelist(file: try values.value("whitelist.file", default: "/etc/wxsidecar/whitelist.txt",
            expected: "must be a file path", nonEmpty))
        let limits = try loadLimits(values)
        let level = try values.value("log.level", default: Logger.Level.info,
            expected: "must be one of trace, debug, info, notice, warning, error, critical") { Logger.Level(rawValue: $0.lowercased()) }
        let format = try values.value("log.format", default: LogFormat.text,
            expected: "must be \"text\" or \"json\"", LogFormat.init(rawValue:))
        let grace = try values.value("shutdown_grace", default: 15.0,
            expected: "must be a duration from 0 to 300 seconds, e.g. 15 or 15s") { text in
                Seconds.parse(text).flatMap { $0 <= 300 ? $0 : nil }
            }
        let rateLimits = try loadRateLimits(values, key: "rate_limits")
        let accounts = try await loadAccounts(values, whitelist: whitelist, rateLimits: rateLimits)
        let callers = try await loadCallers(values, listen: listen, accounts: accounts)
        var configuration = SidecarConfiguration(
            accounts: accounts, listen: listen, upstream: upstream, whitelist: whitelist, limits: limits,
            log: Log(level: level, format: format), shutdownGrace: grace, callers: callers, rateLimits: rateLimits,
            configPath: values.configPath)
        configuration.inbound = try loadInbound(values, accounts: accounts)
        return configuration
    }

    // MARK: Sections

    private static func loadLimits(_ values: ConfigValues) throws(ConfigError) -> Limits {
        var limits = Limits(maxBodyBytes: 0)
        limits.maxBodyBytes = try values.value("limits.max_body_bytes", default: 10_485_760,
            expected: "must be a whole number of bytes from 1 to 1073741824") { text in
                Int(text).flatMap { (1...1_073_741_824).contains($0) ? $0 : nil }
            }
        limits.maxHeaderBytes = try values.value("limits.max_header_bytes", default: 65_536,
            expected: "must be a whole number of bytes from 4096 to 1048576") { text in
                Int(text).flatMap { (4096...1_048_576).contains($0) ? $0 : nil }
            }
        limits.headerTimeout = try values.value("limits.header_timeout", default: 10.0,
            expected: "must be a duration from 0.1 to 300 seconds, e.g. 10 or 10s") { text in
                Seconds.parse(text).flatMap { (0.1...300).contains($0) ? $0 : nil }
            }
        limits.idleTimeout = try values.value("limits.idle_timeout", default: 75.0,
            expected: "must be a duration from 0.1 to 3600 seconds, e.g. 75 or 75s") { text in
                Seconds.parse(text).flatMap { (0.1...3600).contains($0) ? $0 : nil }
            }
        limits.maxConcurrentRequests = try values.value("limits.max_concurrent_requests", default: 1024,
            expected: "must be a whole number from 1 to 1000000") { text in
                Int(text).flatMap { (1...1_000_000).contains($0) ? $0 : nil }
            }
        limits.maxConnections = try values.value("limits.max_connections", default: 1024,
            expected: "must be a whole number from 1 to 1000000") { text in
                Int(text).flatMap { (1...1_000_000).contains($0) ? $0 : nil }
            }
        return limits
    }

    static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }
}
