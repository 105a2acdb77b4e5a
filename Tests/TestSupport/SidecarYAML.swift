// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The `wxsidecar.yaml` a test writes for a sidecar, in process (``SidecarHarness``) or as a child process
/// (``SidecarProcess``, the operations fixture): the keys tests set, with the files in one folder by default.
public struct SidecarYAML: Sendable {
    public var appid = "wx0123456789abcdef"
    /// `secret_file`; `nil` leaves it out (the AppSecret then comes from `$CREDENTIALS_DIRECTORY/appsecret`).
    public var secretFile: String?
    public var listen = "127.0.0.1:0"
    /// `upstream.base_url`.
    public var upstream: String
    /// `upstream.ca_file`; `nil` leaves it out, `""` trusts no extra CA.
    public var caFile: String?
    /// `upstream.timeout` in seconds.
    public var upstreamTimeout = 5.0
    /// Lines under `limits:`, each indented two spaces (`"  max_body_bytes: 1024"`).
    public var limits: [String] = []
    /// `token.mode`; `nil` for the default.
    public var tokenMode: String?
    public var tokenFile: String
    public var tokenMetadataFile: String?
    public var whitelistFile: String
    /// `log.level` and `log.format`; `nil` for the defaults.
    public var logLevel: String?
    public var logFormat: String?
    public var shutdownGrace = 5
    /// More YAML, appended as is.
    public var extra = ""

    /// A configuration for `upstream` with the secret, token and whitelist files in `directory`
    /// (`appsecret`, `wx/cloudbase_access_token`, `whitelist.txt`).
    public init(upstream: String, in directory: TemporaryDirectory) {
        self.upstream = upstream
        self.secretFile = directory.path("appsecret")
        self.tokenFile = directory.path("wx/cloudbase_access_token")
        self.whitelistFile = directory.path("whitelist.txt")
    }

    /// The YAML text.
    public var text: String {
        var lines = ["appid: \"\(appid)\""]
        if let secretFile { lines.append("secret_file: \"\(secretFile)\"") }
        lines += ["listen: \"\(listen)\"", "upstream:", "  base_url: \"\(upstream)\""]
        if let caFile { lines.append("  ca_file: \"\(caFile)\"") }
        lines.append("  timeout: \(upstreamTimeout)")
        if !limits.isEmpty { lines += ["limits:"] + limits }
        lines.append("token:")
        if let tokenMode { lines.append("  mode: \"\(tokenMode)\"") }
        lines.append("  file: \"\(tokenFile)\"")
        if let tokenMetadataFile { lines.append("  metadata_file: \"\(tokenMetadataFile)\"") }
        lines += ["whitelist:", "  file: \"\(whitelistFile)\""]
        if logLevel != nil || logFormat != nil { lines.append("log:") }
        if let logLevel { lines.append("  level: \"\(logLevel)\"") }
        if let logFormat { lines.append("  format: \"\(logFormat)\"") }
        lines.append("shutdown_grace: \(shutdownGrace)")
        if !extra.isEmpty { lines.append(extra) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the YAML as `wxsidecar.yaml` in `directory` and returns its path.
    @discardableResult
    public func write(in directory: TemporaryDirectory) throws -> String {
        try directory.write(text, to: "wxsidecar.yaml")
    }
}
