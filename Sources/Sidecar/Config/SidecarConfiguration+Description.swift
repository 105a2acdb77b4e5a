// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import WeChatAPISecurity

extension SidecarConfiguration {
    /// The effective configuration as YAML, every key, the AppSecret redacted (`check-config` prints it).
    public var effectiveDescription: String {
        """
        # effective configuration (file: \(configPath))
        \(accountsDescription)
        listen: "\(listen)"
        upstream:
          base_url: "\(upstream.baseURL)"
          ca_file: "\(upstream.caFile ?? "")"
          timeout: \(upstream.timeout)
          connect_timeout: \(upstream.connectTimeout)
          fallback_urls: [\(upstream.fallbackURLs.map { "\"\($0)\"" }.joined(separator: ", "))]
          proxy: "\(upstream.proxy ?? "")"\(upstream.proxyCredentials.map { "   # credentials from \($0.origin), redacted" } ?? "")
        whitelist:
          file: "\(whitelist.file)"
        listen_socket_mode: "\(FileModeParser.format(callers.socketMode))"
        allow_insecure_listen: \(callers.allowInsecureListen)
        allow_cidrs: [\(callers.allowCIDRs.map { "\"\($0)\"" }.joined(separator: ", "))]
        auth:
          key_file: "\(callers.keyFile ?? "")"\(callers.key == nil ? "" : "   # key loaded, \(callers.key!.utf8.count) bytes, redacted")
          header: "\(callers.keyHeader)"
        limits:
          max_body_bytes: \(limits.maxBodyBytes)
          max_header_bytes: \(limits.maxHeaderBytes)
          header_timeout: \(limits.headerTimeout)
          idle_timeout: \(limits.idleTimeout)
          max_concurrent_requests: \(limits.maxConcurrentRequests)
          max_connections: \(limits.maxConnections)
        rate_limits: [\(rateLimits.map { "\"\($0)\"" }.joined(separator: ", "))]
        log:
          level: "\(log.level.rawValue)"
          format: "\(log.format.rawValue)"
        shutdown_grace: \(shutdownGrace)\(inboundDescription)
        """
    }

    private var inboundDescription: String {
        guard let inbound else { return "\ninbound: {}   # off: set inbound.listen to take WeChat's pushes" }
        return """

            inbound:
              listen: "\(inbound.listen)"
              replay_window: \(inbound.replayWindow)
              max_body_bytes: \(inbound.maxBodyBytes)
            """
    }

    /// The accounts: top-level keys for a single-account file, else the `accounts` mapping.
    private var accountsDescription: String {
        guard accounts.count > 1 || !accounts[0].keyPrefix.isEmpty else { return Self.describe(accounts[0], indent: "") }
        return "accounts:\n" + accounts.map { "  \($0.name):\n" + Self.describe($0, indent: "    ") }.joined(separator: "\n")
    }

    private static func describe(_ account: Account, indent: String) -> String {
        var lines = [
            "appid: \"\(account.appid)\"",
            "secret: \"\(account.secret)\"",
            "token:",
            "  mode: \"\(account.token.mode.rawValue)\"",
            "  file: \"\(account.token.file)\"",
            "  file_mode: \"\(FileModeParser.format(account.token.fileMode))\"",
            "  refresh_interval: \(account.token.refreshInterval)",
            "  metadata_file: \"\(account.token.metadataFile ?? "")\"",
        ]
        if !account.keyPrefix.isEmpty {
            lines += [
                "kind: \(account.kind.rawValue)",
                "tickets: [\(account.tickets.map(\.rawValue).joined(separator: ", "))]",
                "whitelist:",
                "  file: \"\(account.whitelist.file)\"",
                "rate_limits: [\(account.rateLimits.map { "\"\($0)\"" }.joined(separator: ", "))]",
            ]
            lines += account.ticketFiles.sorted { $0.key < $1.key }.map { "ticket_files.\($0.key.rawValue): \"\($0.value)\"" }
        }
        if let security = account.apiSecurity {
            lines += [
                "api_security:   # keys loaded, redacted",
                "  symmetric_sn: \"\(security.caller.symmetricKey.sn)\"",
                "  private_key_sn: \"\(security.caller.signingKey.sn)\"",
                "  certificates: [\(security.caller.certificates.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", "))]",
                "  paths: [\(security.pathList.map { "\"\($0)\"" }.joined(separator: ", "))]",
            ]
        }
        if let message = account.message {
            lines += [
                "message:",
                "  path: \"\(message.path)\"",
                "  forward_to: \"\(message.forwardTo)\"",
                "  format: \(message.format.rawValue)",
                "  reply_timeout: \(message.replyTimeout)",
                "  token: \"\(message.token)\"",
                "  encoding_aes_key: \"\(message.encodingAESKey.map { "\($0)" } ?? "none (plaintext mode only)")\"",
            ]
        }
        return lines.map { indent + $0 }.joined(separator: "\n")
    }
}
