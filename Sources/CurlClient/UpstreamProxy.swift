// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// MARK: - UpstreamProxy

/// A forward proxy a request goes through (``UpstreamRequest/proxy``): libcurl's `CURLOPT_PROXY` and
/// `CURLOPT_PROXYUSERPWD`.
///
/// Every request through an `http://` or `https://` proxy is tunnelled (`CONNECT host:port`), `http` URLs
/// included, so the proxy sees the target's host and port and never the request itself. A `socks5h://` proxy
/// resolves the target's name itself. The environment's `http_proxy`, `https_proxy` and `no_proxy` are never
/// read: a request without a proxy connects directly.
public struct UpstreamProxy: Sendable, Hashable, CustomStringConvertible {
    /// The proxy's URL: `http://host:port`, `https://host:port` or `socks5h://host:port`, without credentials.
    public var url: String
    /// `user:password` for the proxy (HTTP Basic, or SOCKS5's user/password), or `nil` for none. Never printed.
    public var credentials: String?

    /// Creates a proxy setting.
    ///
    /// - Parameters:
    ///   - url: The proxy's URL, without credentials.
    ///   - credentials: `user:password`, or `nil`.
    public init(url: String, credentials: String? = nil) {
        self.url = url
        self.credentials = credentials
    }

    /// Whether it is an HTTP proxy (`http://` or `https://`), which tunnels with `CONNECT`.
    var isHTTP: Bool {
        url.lowercased().hasPrefix("http://") || url.lowercased().hasPrefix("https://")
    }

    /// Whether the server still receives the request line libcurl makes (a tunnel or SOCKS), rather than the
    /// proxy an absolute URL (a forward HTTP proxy, which libcurl assumes for a URL without a scheme).
    var passesRequestLine: Bool {
        isHTTP || url.lowercased().hasPrefix("socks")
    }

    /// The URL, and whether credentials are set (never their value).
    public var description: String {
        credentials == nil ? url : "\(url) (with credentials)"
    }
}
