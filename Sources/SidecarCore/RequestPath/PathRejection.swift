// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Why a request target was refused, with everything the HTTP front needs to answer in WeChat's style.
///
/// Two families, chosen by one rule:
///
/// - **malformed**, HTTP 400, errcode 40066 (`invalid url`): the target is not something the sidecar will
///   interpret: encodings, dot segments, control or non-ASCII bytes, fragments, user info, odd forms;
/// - **forbidden**, HTTP 403, errcode 85107 (`url not in whitelist`): the target is understood and names
///   something the sidecar will not forward to: another host or port, `https://`, `CONNECT`, a path off the
///   whitelist, a token endpoint.
///
/// 40066 is WeChat's own "invalid url" code and 85107 is what WeChat Cloud Hosting answers for a path off the
/// whitelist, so an app written for either sees familiar codes. ``label`` is bounded and usable as a metric
/// label; ``message`` (the `errmsg`) says what to change and echoes caller text only when it is printable ASCII.
public struct PathRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of rejection: a closed set of labels, extensible without breaking callers.
    public let kind: Kind
    /// The `errmsg`: what was refused and what to do instead.
    public let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    // MARK: Derived

    /// A short, bounded label for metrics and logs, e.g. `"percent_encoding"`.
    public var label: String { kind.label }
    /// The HTTP status to answer with: 400 or 403.
    public var status: Int { kind.status }
    /// The WeChat `errcode` to answer with: 40066 or 85107.
    public var errcode: Int { kind.errcode }
    /// The JSON body `{"errcode":N,"errmsg":"..."}` to answer with.
    public var responseBody: String { WeChatErrorBody.json(errcode: errcode, errmsg: message) }

    public var description: String { "\(label): \(message)" }
}

// MARK: - Kind

extension PathRejection {
    /// The kinds of rejection. Compare with the static members (`rejection.kind == .dotSegment`).
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        enum Code: String, Sendable, CaseIterable {
            // malformed: 400 / 40066
            case emptyTarget = "empty_target"
            case asteriskForm = "asterisk_form"
            case malformedTarget = "malformed_target"
            case unsupportedScheme = "unsupported_scheme"
            case invalidAuthority = "invalid_authority"
            case userinfo = "userinfo"
            case fragment = "fragment"
            case relativePath = "relative_path"
            case pathTooLong = "path_too_long"
            case percentEncoding = "percent_encoding"
            case dotSegment = "dot_segment"
            case doubleSlash = "double_slash"
            case backslash = "backslash"
            case semicolon = "semicolon"
            case controlByte = "control_byte"
            case nonASCII = "non_ascii"
            case whitespace = "whitespace"
            case invalidCharacter = "invalid_character"
            // forbidden: 403 / 85107
            case foreignHost = "foreign_host"
            case foreignPort = "foreign_port"
            case httpsScheme = "https_scheme"
            case connectRefused = "connect_refused"
            case notWhitelisted = "not_whitelisted"
            case tokenEndpoint = "token_endpoint"

            var isForbidden: Bool {
                switch self {
                case .foreignHost, .foreignPort, .httpsScheme, .connectRefused, .notWhitelisted, .tokenEndpoint:
                    return true
                default:
                    return false
                }
            }
        }

        let code: Code

        /// The metric label, e.g. `"dot_segment"`.
        public var label: String { code.rawValue }
        /// 403 for the forbidden family, 400 for the malformed one.
        public var status: Int { code.isForbidden ? 403 : 400 }
        /// 85107 for the forbidden family, 40066 for the malformed one.
        public var errcode: Int { code.isForbidden ? WeChatErrcode.urlNotInWhitelist : WeChatErrcode.invalidURL }
        public var description: String { label }

        /// Every kind, for tests and for pre-registering metric labels.
        public static var allKinds: [Kind] { Code.allCases.map(Kind.init(code:)) }

        // MARK: Malformed (400, errcode 40066)

        /// The request target is empty.
        public static let emptyTarget = Kind(code: .emptyTarget)
        /// `OPTIONS *`.
        public static let asteriskForm = Kind(code: .asteriskForm)
        /// Neither a path, an absolute URL nor an authority.
        public static let malformedTarget = Kind(code: .malformedTarget)
        /// An absolute URL with a scheme other than `http` or `https`.
        public static let unsupportedScheme = Kind(code: .unsupportedScheme)
        /// An absolute URL whose `host[:port]` is empty or not a plain host name and port.
        public static let invalidAuthority = Kind(code: .invalidAuthority)
        /// An absolute URL with user information (`user@host`), including `host@evil` tricks.
        public static let userinfo = Kind(code: .userinfo)
        /// A `#` anywhere in the target.
        public static let fragment = Kind(code: .fragment)
        /// A path that does not start with `/`.
        public static let relativePath = Kind(code: .relativePath)
        /// A path longer than ``PathValidator/maxPathLength`` bytes.
        public static let pathTooLong = Kind(code: .pathTooLong)
        /// A `%` in the path.
        public static let percentEncoding = Kind(code: .percentEncoding)
        /// A `.` or `..` path segment.
        public static let dotSegment = Kind(code: .dotSegment)
        /// An empty path segment (`//`).
        public static let doubleSlash = Kind(code: .doubleSlash)
        /// A `\` in the path.
        public static let backslash = Kind(code: .backslash)
        /// A `;` in the path (path parameters).
        public static let semicolon = Kind(code: .semicolon)
        /// A byte below 0x20 or 0x7F in the path or query.
        public static let controlByte = Kind(code: .controlByte)
        /// A byte at or above 0x80 in the path or query.
        public static let nonASCII = Kind(code: .nonASCII)
        /// A space in the path or query.
        public static let whitespace = Kind(code: .whitespace)
        /// Another printable byte that has no place in a path (`"`, `<`, `>`, `^`, `` ` ``, `{`, `|`, `}`, `[`, `]`).
        public static let invalidCharacter = Kind(code: .invalidCharacter)

        // MARK: Forbidden (403, errcode 85107)

        /// An absolute URL naming a host that is not an allowed WeChat API host.
        public static let foreignHost = Kind(code: .foreignHost)
        /// An absolute URL naming a port other than 80.
        public static let foreignPort = Kind(code: .foreignPort)
        /// An absolute `https://` URL: the sidecar proxies plain `http://` only.
        public static let httpsScheme = Kind(code: .httpsScheme)
        /// `CONNECT` or an authority-form target: no tunnels.
        public static let connectRefused = Kind(code: .connectRefused)
        /// A valid path that is not on the whitelist.
        public static let notWhitelisted = Kind(code: .notWhitelisted)
        /// `/cgi-bin/token` or `/cgi-bin/stable_token`, never forwarded whatever the whitelist says.
        public static let tokenEndpoint = Kind(code: .tokenEndpoint)
    }
}

// MARK: - Whitelist rejections

extension PathRejection {
    /// The answer for a valid path that is not on the whitelist:
    /// `{"errcode":85107,"errmsg":"url not in whitelist: <path>"}`, as WeChat Cloud Hosting answers.
    public static func notWhitelisted(path: some StringProtocol) -> PathRejection {
        PathRejection(.notWhitelisted, "url not in whitelist: " + echoedPath(path))
    }

    /// The answer for `/cgi-bin/token` or `/cgi-bin/stable_token`, which are never forwarded.
    public static func tokenEndpoint(path: some StringProtocol) -> PathRejection {
        PathRejection(
            .tokenEndpoint,
            "url not in whitelist: " + echoedPath(path)
                + " (token endpoints are never forwarded: wxsidecar owns the access_token,"
                + " call the API without a token or read the token file)")
    }

    /// A validated path is echoed in full, as Cloud Hosting does; anything else is described, not shown.
    private static func echoedPath(_ path: some StringProtocol) -> String {
        let bytes = path.utf8
        if bytes.count <= PathValidator.maxPathLength && bytes.allSatisfy(ByteClass.isPrintable) {
            return String(path)
        }
        return EchoText.quoted(path)
    }
}
