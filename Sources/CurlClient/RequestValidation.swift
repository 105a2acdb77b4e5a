// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// MARK: - RequestValidation

/// The checks a request passes before it reaches libcurl, which would otherwise send a bad method or a header
/// value with a line break verbatim.
enum RequestValidation {
    /// Throws ``CurlError/Kind/invalidRequest`` naming the first problem of `request`.
    static func check(_ request: UpstreamRequest) throws(CurlError) {
        guard isToken(request.method) else {
            throw invalid("the method \(quoted(request.method)) is not an HTTP token")
        }
        guard !request.url.isEmpty, !contains(request.url, where: isControl) else {
            throw invalid("the URL \(quoted(request.url)) is empty or holds a control character")
        }
        for (name, value) in request.headers {
            guard isToken(name) else {
                throw invalid("the header name \(quoted(name)) is not an HTTP token")
            }
            guard !contains(value, where: { $0 == 0 || $0 == 0x0A || $0 == 0x0D }) else {
                throw invalid("the value of header \(name) holds CR, LF or NUL")
            }
        }
        if let proxy = request.proxy {
            guard !proxy.url.isEmpty, !contains(proxy.url, where: isControl),
                !(proxy.credentials.map { contains($0, where: isControl) } ?? false)
            else {
                throw invalid("the proxy URL is empty, or it or its credentials hold a control character")
            }
        }
        guard request.timeout > .zero, request.connectTimeout > .zero else {
            throw invalid("timeout and connectTimeout must be positive")
        }
    }

    /// Whether `text` is a non-empty RFC 9110 token.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && !contains(text, where: { !isTokenCharacter($0) })
    }

    /// Whether a byte of `text` satisfies `predicate`, over its contiguous UTF-8 (iterating `utf8` cost ~10×
    /// more per byte, callgrind, BENCHMARKS.md session 8).
    private static func contains(_ text: String, where predicate: (UInt8) -> Bool) -> Bool {
        var text = text
        return text.withUTF8 { $0.contains(where: predicate) }
    }

    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return switch byte {
            case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
                UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                true
            default:
                false
            }
        }
    }

    private static func isControl(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F
    }

    private static func quoted(_ text: String) -> String {
        String(reflecting: String(text.prefix(64)))
    }

    private static func invalid(_ message: String) -> CurlError {
        CurlError(.invalidRequest, message: message)
    }
}
