// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import SidecarCore

/// The daemon's whole configuration, validated. Key names (`token.file`, …) are the documented contract;
/// see `Config/wxsidecar.yaml` for every key with its default.
public struct SidecarConfiguration: Sendable {
    /// The WeChat accounts served, in file order; the first is the default (calls without `from_appid`).
    /// A configuration with a top-level `appid` is one account named `default`.
    public var accounts: [Account]
    /// `listen`.
    public var listen: ListenAddress
    public var upstream: Upstream
    /// The top-level `whitelist.*`: every account's unless it has its own.
    public var whitelist: Whitelist
    public var limits: Limits
    public var log: Log
    /// `shutdown_grace`: how long requests in flight may finish after SIGTERM, in seconds.
    public var shutdownGrace: Double
    /// Who may call: `auth.*`, `allow_cidrs`, `listen_socket_mode`.
    public var callers: Callers
    /// The top-level `rate_limits`: per-path quotas answered with 429 / 45011 before WeChat would; every account
    /// has its own buckets of these unless it has its own rules.
    public var rateLimits: [RateLimitRule]
    /// The config file the values were read from (or the path that was looked for).
    public var configPath: String
    /// `inbound.*`: the listener for WeChat's message pushes; `nil` when off.
    public var inbound: Inbound? = nil

    /// The AppSecret and its origin.
    public struct Secret: Sendable, CustomStringConvertible {
        public var value: String
        /// `environment variable WXSIDECAR_SECRET` or the file it was read from.
        public var origin: String
        public init(value: String, origin: String) {
            self.value = value
            self.origin = origin
        }
        /// Never the value.
        public var description: String { "<redacted, \(value.utf8.count) bytes from \(origin)>" }
    }

    /// `upstream.*`: the WeChat API server, its backup domains and the way there.
    public struct Upstream: Sendable {
        /// `upstream.base_url`, without a trailing slash.
        public var baseURL: String
        /// `upstream.ca_file`: extra trusted CA bundle (PEM); empty for none.
        public var caFile: String?
        /// `upstream.timeout`: one whole upstream request, in seconds.
        public var timeout: Double
        /// `upstream.connect_timeout`: making one connection (TLS handshake included), in seconds; never more
        /// than ``timeout``.
        public var connectTimeout: Double = 5
        /// `upstream.fallback_urls`: tried in order when the one before could not be reached; normalized like
        /// ``baseURL``.
        public var fallbackURLs: [String] = []
        /// `upstream.proxy`: the forward proxy every call to WeChat goes through; `nil` to connect directly.
        public var proxy: String?
        /// `user:password` for the proxy (`upstream.proxy_credentials_file`); never printed.
        public var proxyCredentials: Secret?

        /// The primary URL, then the fallbacks.
        public var urls: [String] { [baseURL] + fallbackURLs }
    }

    /// How tokens are fetched: `token.mode`.
    public enum TokenMode: String, Sendable, CaseIterable {
        /// `POST /cgi-bin/stable_token`: every instance sees the same token (the default).
        case stable
        /// `GET /cgi-bin/token`: each fetch invalidates the previous token after ~5 minutes.
        case classic
    }

    /// `token.*`.
    public struct Token: Sendable {
        public var mode: TokenMode
        /// `token.file`: where the token is written, exactly the token, no newline.
        public var file: String
        /// `token.file_mode`: permission bits of the token file.
        public var fileMode: UInt32
        /// `token.refresh_interval`, seconds.
        public var refreshInterval: Int
        /// `token.metadata_file`: optional JSON beside the token; `nil` for none.
        public var metadataFile: String?
    }

    /// `whitelist.*`.
    public struct Whitelist: Sendable {
        /// `whitelist.file`: one API path per line.
        public var file: String
    }

    /// `limits.*`.
    public struct Limits: Sendable {
        /// `limits.max_body_bytes`: the largest request body accepted.
        public var maxBodyBytes: Int
        /// `limits.max_header_bytes`: the request line and headers together.
        public var maxHeaderBytes: Int = 65_536
        /// `limits.header_timeout`: seconds a connection may take to send a request head.
        public var headerTimeout: Double = 10
        /// `limits.idle_timeout`: seconds a kept-alive connection may stay idle between requests.
        public var idleTimeout: Double = 75
        /// `limits.max_concurrent_requests`: more at once are answered 503.
        public var maxConcurrentRequests: Int = 1024
        /// `limits.max_connections`: caller connections open at once; more are closed as they arrive. Lowered at
        /// start to what the descriptor limit allows after a reserve for upstream connections and files.
        public var maxConnections: Int = 1024
    }

    /// `auth.*`, `allow_cidrs`, `listen_socket_mode`, `allow_insecure_listen`.
    public struct Callers: Sendable {
        /// The key callers must send for any account (from `auth.key_file`); `nil` when not required. Never printed.
        public var key: String?
        /// `auth.key_file`.
        public var keyFile: String?
        /// Keys bound to some accounts (`accounts.<name>.auth.key_file`): a caller sending one may use only
        /// those accounts. The same file under several accounts binds its key to all of them. Never printed.
        public var accountKeys: [AccountKey] = []
        /// Whether a caller must send a key.
        public var requiresKey: Bool { key != nil || !accountKeys.isEmpty }
        /// Every key, for the redactor.
        public var allKeys: [String] { (key.map { [$0] } ?? []) + accountKeys.map(\.value) }
        /// `auth.header`: where callers send the key.
        public var keyHeader: String = "x-wxsidecar-key"
        /// `allow_cidrs`: when non-empty, TCP callers must come from one of these blocks.
        public var allowCIDRs: [CIDRBlock] = []
        /// `listen_socket_mode`: permission bits of a unix socket.
        public var socketMode: UInt32 = 0o660
        /// `allow_insecure_listen`: bind a non-loopback address with neither a key nor `allow_cidrs`.
        public var allowInsecureListen = false
    }

    /// A caller key bound to some accounts.
    public struct AccountKey: Sendable {
        public var value: String
        /// The file it was read from.
        public var file: String
        /// The appids it may use.
        public var appids: Set<String>
    }

    /// `log.*`.
    public struct Log: Sendable {
        public var level: Logger.Level
        public var format: LogFormat
    }

    /// `log.format`.
    public enum LogFormat: String, Sendable, CaseIterable {
        /// Human-readable lines, for journald and terminals.
        case text
        /// One JSON object per line, for container log collectors.
        case json
    }

    // MARK: The default account

    /// The default account (the first).
    public var defaultAccount: Account { accounts[0] }
    /// The default account's AppID.
    public var appid: String { accounts[0].appid }
    /// The default account's AppSecret. Never printed: ``redactedDescription`` shows where it came from instead.
    public var secret: Secret { accounts[0].secret }
    /// The default account's `token.*`.
    public var token: Token { accounts[0].token }
    /// The default account's refresh policy.
    public var refreshPolicy: RefreshPolicy { accounts[0].refreshPolicy }
}
