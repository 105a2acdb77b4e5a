// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// A validated HTTP request target: the path to match against the whitelist and forward, and the query.
///
/// Two forms are accepted (RFC 9112 §3.2):
/// - origin-form, `POST /wxa/msg_sec_check?x=1`, what an app sends when it calls the sidecar directly;
/// - absolute-form, `POST http://api.weixin.qq.com/wxa/msg_sec_check`, what an HTTP client sends when the
///   sidecar is its `HTTP_PROXY`. The scheme must be `http`, the host one of ``AllowedHosts`` (compared
///   case-insensitively), the port absent or 80, and there must be no user information.
///
/// Everything else is refused with a ``PathRejection``: `CONNECT` and authority-form (no tunnels), `https://`,
/// other schemes and hosts, `OPTIONS *`, fragments. ``path`` and ``query`` are slices of the raw target
/// (only `http://host` and `http://host?q` get a synthesised `"/"`): nothing is decoded or normalised, so the
/// path matched is byte for byte the path forwarded.
///
/// Feed the target exactly as the HTTP parser read it (NIO's `HTTPRequestHead.uri`), not a URL rebuilt from
/// it: Hummingbird's `HTTPRequest` conversion drops the scheme and host of an absolute-form target.
public struct RequestTarget: Sendable, Hashable {
    /// Which form the target was sent in.
    public enum Form: String, Sendable, Hashable {
        /// `/path?query`
        case origin
        /// `http://host/path?query`
        case absolute
    }

    /// The form the target was sent in.
    public let form: Form
    /// The raw path, starting with `/`, validated by ``PathValidator``. `"/"` for `http://host` and `http://host?q`.
    public let path: Substring
    /// The raw query after the first `?` (without the `?`), validated; `nil` when there was no `?`.
    public let query: Substring?

    /// A target from parts already validated. Prefer ``parse(method:target:allowedHosts:)``.
    init(form: Form, path: Substring, query: Substring?) {
        self.form = form
        self.path = path
        self.query = query
    }

    // MARK: Parsing

    /// Parses and validates a raw request target.
    ///
    /// - Parameters:
    ///   - method: the request method as sent; `CONNECT` is always refused.
    ///   - target: the request target exactly as it appeared on the request line.
    ///   - allowedHosts: hosts an absolute-form target may name.
    public static func parse(
        method: String,
        target: String,
        allowedHosts: AllowedHosts = .weChatAPI
    ) -> Result<RequestTarget, PathRejection> {
        let bytes = target.utf8
        if method == "CONNECT" {
            return .failure(connectRefused())
        }
        guard let first = bytes.first else {
            return .failure(PathRejection(.emptyTarget, "invalid url: the request target is empty"))
        }
        if let hash = bytes.firstIndex(of: ByteClass.numberSign) {
            let offset = bytes.distance(from: bytes.startIndex, to: hash)
            return .failure(
                PathRejection(.fragment, "invalid url: '#' fragments are not sent to servers (at byte \(offset))"))
        }
        if first == ByteClass.slash {
            return split(target[...], form: .origin)
        }
        if target == "*" {
            return .failure(
                PathRejection(
                    .asteriskForm,
                    "invalid url: 'OPTIONS *' is not supported: request an API path such as /wxa/msg_sec_check"))
        }
        return parseNonOrigin(target, allowedHosts: allowedHosts)
    }

    /// Splits `rest` (a path, optionally followed by `?query`) and validates both parts.
    private static func split(_ rest: Substring, form: Form) -> Result<RequestTarget, PathRejection> {
        let path: Substring
        let query: Substring?
        if let mark = rest.utf8.firstIndex(of: ByteClass.questionMark) {
            path = rest[..<mark]
            query = rest[rest.utf8.index(after: mark)...]
        } else {
            path = rest
            query = nil
        }
        if let rejection = PathValidator.check(path: path) {
            return .failure(rejection)
        }
        if let query, let rejection = PathValidator.check(query: query) {
            return .failure(rejection)
        }
        return .success(RequestTarget(form: form, path: path, query: query))
    }

    // MARK: Absolute and authority forms

    private static func parseNonOrigin(
        _ target: String,
        allowedHosts: AllowedHosts
    ) -> Result<RequestTarget, PathRejection> {
        let bytes = target.utf8
        guard let colon = schemeEnd(bytes) else {
            return .failure(malformed(target))
        }
        let afterColon = bytes.index(after: colon)
        let hasSlashes = bytes[afterColon...].starts(with: [ByteClass.slash, ByteClass.slash])
        guard hasSlashes else {
            // `host:port`, the form CONNECT uses.
            let port = bytes[afterColon...]
            if !port.isEmpty && port.allSatisfy(ByteClass.isDigit) {
                return .failure(connectRefused())
            }
            return .failure(malformed(target))
        }
        let scheme = target[..<colon]
        if ByteClass.equalsIgnoringASCIICase(scheme.utf8, "http".utf8) {
            let authorityStart = bytes.index(afterColon, offsetBy: 2)
            return parseAbsolute(target[authorityStart...], allowedHosts: allowedHosts)
        }
        if ByteClass.equalsIgnoringASCIICase(scheme.utf8, "https".utf8) {
            return .failure(
                PathRejection(
                    .httpsScheme,
                    "https:// URLs are not proxied: call http://api.weixin.qq.com/... over plain HTTP;"
                        + " wxsidecar adds TLS and the access_token upstream"))
        }
        return .failure(
            PathRejection(
                .unsupportedScheme,
                "invalid url: only http:// URLs are proxied (got \(EchoText.quoted(scheme)))"))
    }

    /// The index of the `:` ending a syntactically valid scheme, if the target starts with one.
    private static func schemeEnd(_ bytes: String.UTF8View) -> String.UTF8View.Index? {
        guard let first = bytes.first, ByteClass.isAlpha(first) else { return nil }
        guard let colon = bytes.firstIndex(where: { !ByteClass.isSchemeByte($0) }),
            bytes[colon] == ByteClass.colon
        else { return nil }
        return colon
    }

    /// Parses `host[:port]/path?query` after `http://`.
    private static func parseAbsolute(
        _ rest: Substring,
        allowedHosts: AllowedHosts
    ) -> Result<RequestTarget, PathRejection> {
        let bytes = rest.utf8
        let authorityEnd =
            bytes.firstIndex { $0 == ByteClass.slash || $0 == ByteClass.questionMark } ?? bytes.endIndex
        let authority = rest[..<authorityEnd]
        if let rejection = checkAuthority(authority, allowedHosts: allowedHosts) {
            return .failure(rejection)
        }
        let remainder = rest[authorityEnd...]
        if remainder.utf8.first == ByteClass.slash {
            return split(remainder, form: .absolute)
        }
        // `http://host` or `http://host?q`: the path is "/" (RFC 9112 §3.2.2).
        return split(Substring("/" + remainder), form: .absolute)
    }

    /// Checks `host[:port]`: no user info, a plain host name from the allowed set, port absent or 80.
    private static func checkAuthority(_ authority: Substring, allowedHosts: AllowedHosts) -> PathRejection? {
        let bytes = authority.utf8
        if bytes.contains(ByteClass.at) {
            return PathRejection(.userinfo, "invalid url: user information ('...@') is not accepted in the URL")
        }
        if bytes.first == 0x5B {  // "[": an IP literal is never a WeChat API host
            return foreignHost(authority, allowedHosts: allowedHosts)
        }
        let colon = bytes.lastIndex(of: ByteClass.colon)
        let host = authority[..<(colon ?? bytes.endIndex)]
        guard !host.isEmpty, host.utf8.allSatisfy(ByteClass.isHostByte) else {
            return PathRejection(
                .invalidAuthority, "invalid url: \(EchoText.quoted(authority)) is not a valid host[:port]")
        }
        guard allowedHosts.contains(host) else {
            return foreignHost(host, allowedHosts: allowedHosts)
        }
        guard let colon else { return nil }
        let port = authority[bytes.index(after: colon)...]
        guard !port.isEmpty, port.utf8.allSatisfy(ByteClass.isDigit) else {
            return PathRejection(
                .invalidAuthority, "invalid url: \(EchoText.quoted(authority)) is not a valid host[:port]")
        }
        let digits = port.utf8.drop { $0 == 0x30 }
        if digits.elementsEqual("80".utf8) {
            return nil
        }
        return PathRejection(
            .foreignPort,
            "url port not allowed: \(EchoText.quoted(port)): call http://\(host.lowercased())/... without a port")
    }

    // MARK: Rejections

    private static func connectRefused() -> PathRejection {
        PathRejection(
            .connectRefused,
            "CONNECT is not supported: wxsidecar is a plain-HTTP proxy and opens no tunnels;"
                + " use http:// URLs (http://api.weixin.qq.com/...), not https://, with HTTP_PROXY")
    }

    private static func foreignHost(_ host: Substring, allowedHosts: AllowedHosts) -> PathRejection {
        PathRejection(
            .foreignHost,
            "url host not allowed: \(EchoText.quoted(host)): wxsidecar only forwards to \(allowedHosts)")
    }

    private static func malformed(_ target: String) -> PathRejection {
        PathRejection(
            .malformedTarget,
            "invalid url: the request target \(EchoText.quoted(target)) must be a path such as"
                + " /wxa/msg_sec_check or an http://api.weixin.qq.com/... URL")
    }
}
