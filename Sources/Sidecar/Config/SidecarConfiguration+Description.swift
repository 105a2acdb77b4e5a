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
        limits:
          max_body_bytes: \(limits.maxBodyBytes)
        log:
          level: "\(log.level.rawValue)"
          format: "\(log.format.rawValue)"
        shutdown_grace: \(shutdownGrace)
        """
    }
}
