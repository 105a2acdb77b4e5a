// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Rewrites the caller's query string for the upstream request.
///
/// Parameters are split on `&` and kept in order, byte for byte. A parameter is removed when its name (the
/// bytes before the first `=`, or the whole parameter when there is no `=`) is `access_token` or
/// `cloudbase_access_token` after percent-decoding, so `access%5Ftoken=x` is removed too; decoding is for the
/// comparison only and is done once (`access%255Ftoken` is kept), and names are case-sensitive as WeChat's
/// are. Empty parameters (`a=1&&b=2`, a trailing `&`) carry nothing and are dropped. The sidecar's own
/// `access_token=<token>` comes first, so an upstream that takes the first of several values takes it; the token
/// is percent-encoded outside RFC 3986 `unreserved` (real tokens are `[A-Za-z0-9_-]` and pass unchanged).
/// Looser spellings of the names (`ACCESS_TOKEN`, `access_token[]`, `a=1;access_token=`) are not stripped but
/// refused before this runs: see ``CredentialSpelling``. `from_appid` (Cloud Hosting's choice of account) is
/// the sidecar's to read (``fromAppid(in:)``) and is removed the same way.
public enum QueryRewriter {
    /// Parameter names that carry a caller's credential and are never forwarded.
    public static let credentialParameterNames = ["access_token", "cloudbase_access_token"]
    /// The parameter that chooses the account (WeChat Cloud Hosting's resource reuse); never forwarded.
    public static let accountParameterName = "from_appid"

    // MARK: Rewriting

    /// The query to send upstream (without the leading `?`): `access_token=<token>`, then the caller's
    /// parameters less any credential.
    public static func rewrite(query: Substring?, token: String) -> String {
        var result = ""
        result.reserveCapacity((query?.utf8.count ?? 0) + token.utf8.count + 14)
        appendRewritten(query: query, token: token, to: &result)
        return result
    }

    /// The path and query to request upstream, e.g. `/wxa/msg_sec_check?access_token=TOKEN&x=1`.
    public static func upstreamPathAndQuery(for target: RequestTarget, token: String) -> String {
        upstreamURL(base: "", for: target, token: token)
    }

    /// `base` followed by the path and query to request upstream, built in one string (one allocation).
    public static func upstreamURL(base: String, for target: RequestTarget, token: String) -> String {
        var result = ""
        result.reserveCapacity(
            base.utf8.count + target.path.utf8.count + 1 + (target.query?.utf8.count ?? 0) + token.utf8.count * 3 + 14)
        result += base
        result += target.path
        result += "?"
        appendRewritten(query: target.query, token: token, to: &result)
        return result
    }

    private static func appendRewritten(query: Substring?, token: String, to result: inout String) {
        result += "access_token="
        if ByteClass.allUnreserved(token) {
            result += token
        } else {
            result += percentEncoded(token)
        }
        guard let query else { return }
        for parameter in query.utf8.split(separator: ByteClass.ampersand) {
            let parameter = Substring(parameter)
            guard !isCredentialParameter(parameter), !isAccountParameter(parameter) else { continue }
            result += "&"
            result += parameter
        }
    }

    // MARK: The account

    /// The value of the first `from_appid` parameter (name compared after percent-decoding), as sent; `nil` when
    /// there is none. An empty value is returned empty (no account has it).
    public static func fromAppid(in query: Substring?) -> Substring? {
        firstValue(of: accountParameterName, in: query)
    }

    /// The value of the first parameter whose percent-decoded name is `name`, as sent (not decoded); `""` for a
    /// parameter without `=`; `nil` when there is none.
    public static func firstValue(of name: String, in query: Substring?) -> Substring? {
        guard let query else { return nil }
        for parameter in query.utf8.split(separator: ByteClass.ampersand) {
            let parameter = Substring(parameter)
            let bytes = parameter.utf8
            let equals = bytes.firstIndex(of: ByteClass.equals)
            guard decodedEquals(bytes[..<(equals ?? bytes.endIndex)], name.utf8) else { continue }
            guard let equals else { return parameter[parameter.endIndex...] }
            return parameter[bytes.index(after: equals)...]
        }
        return nil
    }

    static func isAccountParameter(_ parameter: Substring) -> Bool {
        let bytes = parameter.utf8
        return decodedEquals(bytes[..<(bytes.firstIndex(of: ByteClass.equals) ?? bytes.endIndex)], accountParameterName.utf8)
    }

    // MARK: Caller credentials

    /// The first credential parameter the caller sent, if any. For logs and diagnostics only: the value is a
    /// secret; log ``CallerToken/description`` (redacted) or a fingerprint, never the value.
    public static func callerToken(in query: Substring?) -> CallerToken? {
        guard let query else { return nil }
        for parameter in parameters(of: query) {
            guard let name = credentialName(of: parameter) else { continue }
            let bytes = parameter.utf8
            let value: Substring
            if let equals = bytes.firstIndex(of: ByteClass.equals) {
                value = parameter[bytes.index(after: equals)...]
            } else {
                value = parameter[parameter.endIndex...]
            }
            return CallerToken(parameterName: name, value: value)
        }
        return nil
    }

    /// Whether a whole `name=value` parameter carries a credential (its decoded name is one of
    /// ``credentialParameterNames``).
    public static func isCredentialParameter(_ parameter: Substring) -> Bool {
        credentialName(of: parameter) != nil
    }

    // MARK: Internals

    /// The non-empty `&`-separated parameters of `query`, in order, as slices of it.
    static func parameters(of query: Substring) -> [Substring] {
        query.utf8.split(separator: ByteClass.ampersand).map { Substring($0) }
    }

    /// The credential name that `parameter`'s decoded name equals, or `nil`.
    private static func credentialName(of parameter: Substring) -> String? {
        let bytes = parameter.utf8
        let name = bytes[..<(bytes.firstIndex(of: ByteClass.equals) ?? bytes.endIndex)]
        return credentialParameterNames.first { decodedEquals(name, $0.utf8) }
    }

    /// Whether `encoded`, percent-decoded once, equals `plain`. Invalid escapes stand for themselves.
    static func decodedEquals(_ encoded: Substring.UTF8View, _ plain: String.UTF8View) -> Bool {
        var index = encoded.startIndex
        var expected = plain.makeIterator()
        while index < encoded.endIndex {
            var byte = encoded[index]
            index = encoded.index(after: index)
            if byte == ByteClass.percent, index < encoded.endIndex,
                let high = ByteClass.hexValue(encoded[index]),
                case let second = encoded.index(after: index), second < encoded.endIndex,
                let low = ByteClass.hexValue(encoded[second])
            {
                byte = high << 4 | low
                index = encoded.index(after: second)
            }
            guard let want = expected.next(), want == byte else { return false }
        }
        return expected.next() == nil
    }

    /// `value` with every byte outside RFC 3986 `unreserved` written as `%XX`.
    static func percentEncoded(_ value: String) -> String {
        guard !ByteClass.allUnreserved(value) else { return value }
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count * 3)
        for byte in value.utf8 {
            if ByteClass.isUnreserved(byte) {
                out.append(byte)
            } else {
                out += [ByteClass.percent, ByteClass.hexDigit(byte >> 4), ByteClass.hexDigit(byte & 0x0F)]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
