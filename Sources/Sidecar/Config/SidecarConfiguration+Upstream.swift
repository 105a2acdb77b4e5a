// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

extension SidecarConfiguration {
    /// The most `upstream.fallback_urls`: each URL is a metric label.
    static let maxFallbackURLs = 8

    /// `upstream.*`: the primary URL, its fallbacks, the proxy and the timeouts.
    static func loadUpstream(_ values: ConfigValues) async throws(ConfigError) -> Upstream {
        let urlExpectation = "must be an http:// or https:// URL with a host and no path, query or fragment"
        let baseURL = try values.value("upstream.base_url", default: "https://api.weixin.qq.com",
            expected: urlExpectation + ", e.g. https://api.weixin.qq.com", UpstreamURL.normalizedBase)
        let caText = try values.value("upstream.ca_file", default: "", expected: "must be a file path") { $0 }
        let caFile: String? = caText.isEmpty ? nil : caText
        if let caFile {
            let readable = (try? await BlockingIO.run { FileChecks.isReadableFile(caFile) }) ?? false
            guard readable else {
                throw ConfigError(key: "upstream.ca_file", source: values.source(of: "upstream.ca_file"),
                    message: "\(caFile) is not a readable file; give a PEM bundle of CA certificates or leave it empty")
            }
        }
        let timeout = try values.value("upstream.timeout", default: 10.0,
            expected: "must be a duration from 0.1 to 300 seconds, e.g. 10 or 10s") { text in
                Seconds.parse(text).flatMap { (0.1...300).contains($0) ? $0 : nil }
            }
        let connectTimeout = try values.value("upstream.connect_timeout", default: min(5, timeout),
            expected: "must be a duration from 0.1 to 60 seconds, at most upstream.timeout (\(timeout)), e.g. 5 or 5s") { text in
                Seconds.parse(text).flatMap { (0.1...60).contains($0) && $0 <= timeout ? $0 : nil }
            }
        var upstream = Upstream(baseURL: baseURL, caFile: caFile, timeout: timeout)
        upstream.connectTimeout = connectTimeout
        upstream.fallbackURLs = try loadFallbackURLs(values, baseURL: baseURL, expected: urlExpectation)
        upstream.proxy = try loadProxy(values)
        upstream.proxyCredentials = try await loadProxyCredentials(values, proxy: upstream.proxy)
        return upstream
    }

    /// `upstream.fallback_urls`: each a base URL like `upstream.base_url`, none twice.
    private static func loadFallbackURLs(
        _ values: ConfigValues, baseURL: String, expected: String
    ) throws(ConfigError) -> [String] {
        let key = "upstream.fallback_urls"
        var urls: [String] = []
        for text in values.strings(key).map({ $0.trimmingWhitespace() }) {
            guard let url = UpstreamURL.normalizedBase(text) else {
                throw ConfigError(key: key, source: values.source(of: key),
                    message: "every entry \(expected), e.g. https://api2.weixin.qq.com; got \"\(text)\"")
            }
            guard url.lowercased() != baseURL.lowercased(), !urls.contains(where: { $0.lowercased() == url.lowercased() }) else {
                throw ConfigError(key: key, source: values.source(of: key),
                    message: "lists \(url) twice, or as well as upstream.base_url: every URL once")
            }
            urls.append(url)
        }
        guard urls.count <= maxFallbackURLs else {
            throw ConfigError(key: key, source: values.source(of: key),
                message: "lists \(urls.count) URLs; at most \(maxFallbackURLs)")
        }
        return urls
    }

    /// `upstream.proxy`: `nil` when unset or empty.
    private static func loadProxy(_ values: ConfigValues) throws(ConfigError) -> String? {
        let key = "upstream.proxy"
        guard let text = values.string(key)?.trimmingWhitespace(), !text.isEmpty else { return nil }
        switch ProxyURL.parse(text) {
        case .success(let url):
            return url
        case .failure(let problem):
            // The text may hold a password: it is never repeated.
            throw ConfigError(key: key, source: values.source(of: key), message: problem.message)
        }
    }

    /// `upstream.proxy_credentials_file` (or `WXSIDECAR_UPSTREAM_PROXY_CREDENTIALS`): `user:password`, read like
    /// the other secrets; only with a proxy.
    private static func loadProxyCredentials(
        _ values: ConfigValues, proxy: String?
    ) async throws(ConfigError) -> Secret? {
        let key = "upstream.proxy_credentials"
        guard proxy != nil else {
            let named = values.string(key + "_file")?.trimmingWhitespace() ?? ""
            if !named.isEmpty {
                throw ConfigError(key: key + "_file", source: values.source(of: key + "_file"),
                    message: "is set but upstream.proxy is not: name the proxy, or remove this key")
            }
            return nil
        }
        guard let secret = try await SecretSource.read(
            values, key: key, credential: "proxy_credentials", what: "the proxy's user:password", required: false)
        else { return nil }
        guard let colon = secret.value.firstIndex(of: ":"), colon != secret.value.startIndex else {
            throw ConfigError(key: key + "_file", source: secret.origin,
                message: "must hold user:password for the proxy (a user, a colon, the password)")
        }
        return secret
    }
}

// MARK: - ProxyURL

/// `upstream.proxy`: `http://`, `https://` or `socks5h://`, a host and a port, nothing else.
enum ProxyURL {
    /// Why a proxy URL is refused, in words that never repeat it (it may hold a password).
    struct Problem: Error, Equatable {
        var message: String
    }

    static let schemes = ["http", "https", "socks5h"]

    /// The URL with its scheme in lower case and no trailing slash, or why it is refused.
    static func parse(_ text: String) -> Result<String, Problem> {
        guard let separator = text.firstRange(of: "://") else {
            return .failure(Problem(message: "must be an http://, https:// or socks5h:// URL, e.g. http://proxy.internal:3128"))
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard schemes.contains(scheme) else {
            let hint = scheme == "socks5" ? " (use socks5h://, so the proxy resolves WeChat's names)" : ""
            return .failure(Problem(message: "must use http://, https:// or socks5h://, not \(Printable.clip(scheme, to: 16))://\(hint)"))
        }
        var authority = text[separator.upperBound...]
        while authority.hasSuffix("/") { authority = authority.dropLast() }
        if authority.contains("@") {
            return .failure(Problem(message: "must not carry credentials: put user:password in the file named by upstream.proxy_credentials_file"))
        }
        if authority.contains(where: { "/?#".contains($0) }) {
            return .failure(Problem(message: "must be only a scheme, a host and a port, with no path, query or fragment"))
        }
        guard let (host, port) = hostAndPort(authority), !host.isEmpty else {
            return .failure(Problem(message: "has no host, or no port from 1 to 65535: e.g. http://proxy.internal:3128"))
        }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.:[]_".contains($0)) }) else {
            return .failure(Problem(message: "has a host with characters a host name or address cannot have"))
        }
        return .success("\(scheme)://\(host):\(port)")
    }

    /// `host:port` or `[v6]:port`; `nil` without a valid port.
    private static func hostAndPort(_ authority: Substring) -> (Substring, Int)? {
        let hostEnd: Substring.Index
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostEnd = authority.index(after: close)
        } else {
            guard let colon = authority.lastIndex(of: ":") else { return nil }
            hostEnd = colon
        }
        let rest = authority[hostEnd...]
        guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65_535).contains(port) else { return nil }
        return (authority[..<hostEnd], port)
    }
}
