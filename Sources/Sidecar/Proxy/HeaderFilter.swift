// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOHTTP1
import SidecarCore

/// Which headers cross the proxy. End-to-end headers pass both ways; hop-by-hop headers (RFC 9110 §7.6.1,
/// plus any named in `Connection`) stay on their hop. Towards WeChat, `Host` and `Content-Length` are set
/// by libcurl, and `Accept-Encoding` is dropped so answers arrive uncompressed (the proxy reads errcodes).
enum HeaderFilter {
    static let hopByHop: [StaticString] = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade",
    ]

    /// Request headers never forwarded, besides hop-by-hop ones.
    static let notForwarded: [StaticString] = ["host", "content-length", "expect", "accept-encoding"]

    /// Response headers never copied back, besides hop-by-hop ones (the sidecar sets its own).
    static let notReturned: [StaticString] = ["content-length", "x-openapi-seqid"]

    /// The caller's end-to-end headers, in order, to send to WeChat; `callerKeyHeader` (lowercase) is the
    /// sidecar's own `auth.header`, never forwarded.
    static func forwardedRequestHeaders(_ headers: HTTPHeaders, callerKeyHeader: String? = nil) -> [(name: String, value: String)] {
        var named: Set<String> = []
        for (name, value) in headers where name.equalsIgnoringASCIICase("connection") {
            named.formUnion(namedInConnection([value]))
        }
        var forwarded: [(name: String, value: String)] = []
        forwarded.reserveCapacity(headers.count)
        for (name, value) in headers {
            if isNamed(name, in: hopByHop) || isNamed(name, in: notForwarded) || isNamed(name, in: named)
                || callerKeyHeader.map({ name.equalsIgnoringASCIICase($0) }) == true
            {
                continue
            }
            forwarded.append((name, value))
        }
        return forwarded
    }

    /// WeChat's end-to-end response headers, in order, to return to the caller.
    static func returnedResponseHeaders(_ headers: [(name: String, value: String)]) -> HTTPHeaders {
        var named: Set<String> = []
        for header in headers where header.name.equalsIgnoringASCIICase("connection") {
            named.formUnion(namedInConnection([header.value]))
        }
        // Collected first and handed over whole: `HTTPHeaders.add` checks each name for non-ASCII bytes through a
        // generic `utf8` iteration (~550 instructions a name, callgrind, BENCHMARKS.md session 10), and every name
        // kept here is a token, ASCII already.
        var returned: [(String, String)] = []
        returned.reserveCapacity(headers.count + 2)
        for header in headers {
            guard isToken(header.name) else { continue }
            if isNamed(header.name, in: hopByHop) || isNamed(header.name, in: notReturned)
                || isNamed(header.name, in: named)
            {
                continue
            }
            returned.append((header.name, header.value))
        }
        return HTTPHeaders(returned)
    }

    /// Whether `name` is one of `lowercaseNames`, ASCII case ignored, compared in place (a `Set<String>` lookup
    /// of the lowercased name hashed every header of every call, callgrind, BENCHMARKS.md session 8); names of
    /// another length are passed over without a call (eleven calls per header cost 3.3k instructions a call,
    /// session 10).
    static func isNamed(_ name: String, in lowercaseNames: [StaticString]) -> Bool {
        let count = name.utf8.count
        return lowercaseNames.contains { $0.utf8CodeUnitCount == count && name.equalsIgnoringASCIICase($0) }
    }

    /// Whether `name` is in `lowercaseNames` (the names a `Connection` header listed), ASCII case ignored.
    private static func isNamed(_ name: String, in lowercaseNames: Set<String>) -> Bool {
        !lowercaseNames.isEmpty && lowercaseNames.contains(asciiLowercased(name))
    }

    /// Whether `name` is a valid field name (an RFC 9110 token); anything else from upstream is dropped.
    static func isToken(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            guard !bytes.isEmpty else { return false }
            for byte in bytes where !isTokenByte(byte) { return false }
            return true
        }
    }

    /// `name` with ASCII letters lowercased; the usual short names stay small strings (no allocation), and a
    /// name already lowercase is returned as it is. (Over the contiguous UTF-8 bytes: iterating `utf8` with
    /// `enumerated()` cost ~900 instructions per name, callgrind, BENCHMARKS.md session 8.)
    static func asciiLowercased(_ name: String) -> String {
        var name = name
        let lowered: String? = name.withUTF8 { bytes in
            guard bytes.contains(where: isASCIIUppercase) else { return nil }
            return String(unsafeUninitializedCapacity: bytes.count) { buffer in
                for index in bytes.indices { buffer[index] = lowercased(bytes[index]) }
                return bytes.count
            }
        }
        return lowered ?? name
    }

    /// The value of the first header named `lowercaseName` (ASCII case ignored), without allocating.
    static func firstValue(of lowercaseName: String, in headers: [(name: String, value: String)]) -> String? {
        headers.first { $0.name.equalsIgnoringASCIICase(lowercaseName) }?.value
    }

    private static func isASCIIUppercase(_ byte: UInt8) -> Bool {
        byte >= 0x41 && byte <= 0x5A
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        isASCIIUppercase(byte) ? byte | 0x20 : byte
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"),
            UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
            UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// The field names listed in `Connection` values, ASCII-lowercased. Names that are dropped anyway
    /// (hop-by-hop ones, such as the usual `keep-alive`) are left out, so the common case allocates nothing.
    private static func namedInConnection(_ values: [String]) -> Set<String> {
        var names: Set<String> = []
        for value in values {
            // The usual values name nothing to drop besides themselves.
            if value.equalsIgnoringASCIICase("keep-alive") || value.equalsIgnoringASCIICase("close") { continue }
            for token in value.utf8.split(separator: UInt8(ascii: ",")) {
                let isBlank = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
                guard let first = token.firstIndex(where: { !isBlank($0) }),
                    let last = token.lastIndex(where: { !isBlank($0) })
                else { continue }
                let trimmed = token[first...last]
                let name = String(unsafeUninitializedCapacity: trimmed.count) { buffer in
                    for (index, byte) in trimmed.enumerated() { buffer[index] = lowercased(byte) }
                    return trimmed.count
                }
                if !isNamed(name, in: hopByHop) { names.insert(name) }
            }
        }
        return names
    }
}
