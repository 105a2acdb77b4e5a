// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging

extension SidecarConfiguration {
    /// The effective configuration as YAML, every key, the AppSecret redacted (`check-config` prints it).
    public var effectiveDescription: String {
        """
        # effective configuration (file: \(configPath))
        appid: "\(appid)"
        secret: "\(secret)"
        listen: "\(listen)"
        upstream:
          base_url: "\(upstream.baseURL)"
          ca_file: "\(upstream.caFile ?? "")"
          timeout: \(upstream.timeout)
        token:
          mode: "\(token.mode.rawValue)"
          file: "\(token.file)"
          file_mode: "\(FileModeParser.format(token.fileMode))"
          refresh_interval: \(token.refreshInterval)
          metadata_file: "\(token.metadataFile ?? "")"
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
        shutdown_grace: \(shutdownGrace)
        """
    }
}
