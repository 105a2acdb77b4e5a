// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// MARK: - UpstreamURLSplit

/// An absolute URL cut into the origin libcurl connects to (`CURLOPT_URL`) and the request target it sends
/// verbatim (`CURLOPT_REQUEST_TARGET`).
///
/// Why: libcurl 7.88 rebuilds the URL it is given (`curl_url_get`) and appends its query to the request line with
/// its `printf`, both one character at a time through a dynamic buffer; with a 136-byte access_token in the query
/// that came to ~46k instructions of the sidecar's ~353k per 1 KB call (callgrind, BENCHMARKS.md session 10). An
/// origin of ~25 bytes and a target copied whole cost a fraction of that.
///
/// A target is only split off when libcurl would have sent the same bytes: printable ASCII without a space or a
/// fragment (libcurl refuses a space and drops a fragment), a path starting with `/` or an empty path before a
/// query (sent as `/?…`). Anything else keeps the whole URL, which libcurl then parses and checks as before.
struct UpstreamURLSplit {
    /// `scheme://authority`, without a path.
    let origin: String
    /// The path and query, starting with `/`.
    let target: String

    /// The split of `url`, or `nil` when it is not an absolute URL whose target libcurl would send unchanged.
    init?(_ url: String) {
        var url = url
        guard let split = url.withUTF8({ Self.targetStart(in: $0) }) else { return nil }
        let utf8 = url.utf8
        let cut = utf8.index(utf8.startIndex, offsetBy: split.index)
        origin = String(url[..<cut])
        target = split.needsSlash ? "/" + url[cut...] : String(url[cut...])
    }

    /// Where the target starts in `bytes` (the first `/` or `?` after `://`), and whether it starts with `?`.
    private static func targetStart(in bytes: UnsafeBufferPointer<UInt8>) -> (index: Int, needsSlash: Bool)? {
        let slash = UInt8(ascii: "/"), question = UInt8(ascii: "?")
        var index = 0
        // The scheme, then "://".
        while index < bytes.count, bytes[index] != UInt8(ascii: ":") {
            guard isSchemeByte(bytes[index]) else { return nil }
            index += 1
        }
        guard index > 0, index + 2 < bytes.count, bytes[index + 1] == slash, bytes[index + 2] == slash else {
            return nil
        }
        index += 3
        let authorityStart = index
        while index < bytes.count, bytes[index] != slash, bytes[index] != question {
            // A fragment before any path ends the URL for libcurl, which would ask for "/": left whole.
            guard bytes[index] != UInt8(ascii: "#") else { return nil }
            index += 1
        }
        guard index > authorityStart, index < bytes.count else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            guard byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "#") else { return nil }
            index += 1
        }
        return (start, bytes[start] == question)
    }

    private static func isSchemeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            true
        default:
            false
        }
    }
}
