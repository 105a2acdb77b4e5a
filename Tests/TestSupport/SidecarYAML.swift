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
    /// `upstream.fallback_urls`.
    public var fallbackURLs: [String] = []
    /// More lines under `upstream:`, each indented two spaces (`"  proxy: \"http://127.0.0.1:3128\""`).
    public var upstreamLines: [String] = []
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
    /// Accounts after the first: when there are any, the file takes the `accounts:` form, the first account
    /// (``appid``, ``secretFile``, token settings) named ``firstAccountName``.
    public var otherAccounts: [Account] = []
    public var firstAccountName = "main"
    /// Lines in the first account's section (each indented four spaces) in the `accounts:` form.
    public var firstAccountExtra: [String] = []

    /// One more account.
    public struct Account: Sendable {
        public var name: String
        public var appid: String
        public var secretFile: String
        public var tokenFile: String
        /// More lines in its section, each indented four spaces (`"    kind: officialaccount"`).
        public var extra: [String]

        public init(name: String, appid: String, secretFile: String, tokenFile: String, extra: [String] = []) {
            self.name = name
            self.appid = appid
            self.secretFile = secretFile
            self.tokenFile = tokenFile
            self.extra = extra
        }
    }

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
        var lines: [String] = []
        if otherAccounts.isEmpty {
            lines.append("appid: \"\(appid)\"")
            if let secretFile { lines.append("secret_file: \"\(secretFile)\"") }
        } else {
            lines += ["accounts:", "  \(firstAccountName):", "    appid: \"\(appid)\""]
            if let secretFile { lines.append("    secret_file: \"\(secretFile)\"") }
            lines += ["    token:", "      file: \"\(tokenFile)\""]
            if let tokenMetadataFile { lines.append("      metadata_file: \"\(tokenMetadataFile)\"") }
            lines += firstAccountExtra
            for account in otherAccounts {
                lines += [
                    "  \(account.name):", "    appid: \"\(account.appid)\"", "    secret_file: \"\(account.secretFile)\"",
                    "    token:", "      file: \"\(account.tokenFile)\"",
                ] + account.extra
            }
        }
        lines += ["listen: \"\(listen)\"", "upstream:", "  base_url: \"\(upstream)\""]
        if let caFile { lines.append("  ca_file: \"\(caFile)\"") }
        lines.append("  timeout: \(upstreamTimeout)")
        if !fallbackURLs.isEmpty {
            lines.append("  fallback_urls: [\(fallbackURLs.map { "\"\($0)\"" }.joined(separator: ", "))]")
        }
        lines += upstreamLines
        if !limits.isEmpty { lines += ["limits:"] + limits }
        lines.append("token:")
        if let tokenMode { lines.append("  mode: \"\(tokenMode)\"") }
        if otherAccounts.isEmpty {
            lines.append("  file: \"\(tokenFile)\"")
            if let tokenMetadataFile { lines.append("  metadata_file: \"\(tokenMetadataFile)\"") }
        } else if tokenMode == nil {
            lines.removeLast()
        }
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
