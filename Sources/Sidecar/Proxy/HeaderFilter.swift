// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import NIOCore
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

    /// WeChat's end-to-end response fields, in order, as the `Name: value` CRLF lines of the answer's head: the
    /// listener writes them as they are (``AnswerWire``), so no field becomes a `String` (the fields as strings,
    /// filtered into `HTTPHeaders` and encoded back by NIO cost ~26k instructions of a 1 KB call, BENCHMARKS.md
    /// session 12). Dropped: fields with a name that is not a token or a value holding a CR or NUL byte (which a
    /// lenient client could read as a line break), hop-by-hop fields, those a `Connection` field names, and
    /// ``notReturned``. An obsolete folded line continues its field's value after a space.
    ///
    /// - Parameter block: The header lines as libcurl delivered them (``UpstreamHeaderBlock/headerBlock``).
    static func returnedResponseFields(of block: ByteBuffer) -> ByteBuffer {
        returnedResponseFields(of: block, named: nil)
    }

    /// ``returnedResponseFields(of:)`` with the names the `Connection` fields list, once known: a first pass
    /// assumes there are none beyond hop-by-hop ones (nginx's `keep-alive`, `close`) and makes a second only when
    /// a `Connection` field lists others. Lines already in the form written (`Name: value` CRLF) are copied in runs.
    private static func returnedResponseFields(of block: ByteBuffer, named: Set<String>?) -> ByteBuffer {
        var returned = ByteBuffer()
        returned.reserveCapacity(block.readableBytes)
        var listing: [String] = []  // the Connection values that list names besides hop-by-hop ones
        let unfoldedAlready = block.withUnsafeReadableBytes { bytes in
            var run = 0..<0  // lines to copy as they are
            let seen = HeaderLines.forEach(in: bytes) { start, end, next in
                let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                guard !HeaderLines.isFolded(line) else { return false }
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return true }
                let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
                let value = HeaderLines.trimmed(UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]))
                if named == nil, isConnection(name), !isNamed(value, in: hopByHop), !equalsIgnoringASCIICase(value, "close") {
                    listing.append(String(decoding: value, as: UTF8.self))
                }
                guard isToken(name), !isNamed(name, in: hopByHop), !isNamed(name, in: notReturned),
                    !isNamed(name, in: named ?? []), isFieldValue(value)
                else { return true }
                let canonical = next - end == 2 && colon + 1 < line.count && line[colon + 1] == UInt8(ascii: " ")
                    && value.baseAddress == line.baseAddress! + colon + 2 && value.count == line.count - colon - 2
                if canonical, run.isEmpty || run.upperBound == start {
                    run = (run.isEmpty ? start : run.lowerBound)..<next
                    return true
                }
                returned.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[run]))
                run = 0..<0
                if canonical {
                    run = start..<next
                } else {
                    returned.writeBytes(name)
                    returned.writeStaticString(": ")
                    returned.writeBytes(value)
                    returned.writeStaticString("\r\n")
                }
                return true
            }
            returned.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[run]))
            return seen
        }
        if !unfoldedAlready { return returnedResponseFields(of: unfolded(block), named: named) }
        if !listing.isEmpty {
            return returnedResponseFields(of: block, named: namedInConnection(listing))
        }
        return returned
    }

    private static func isConnection(_ name: UnsafeRawBufferPointer) -> Bool {
        name.count == 10 && equalsIgnoringASCIICase(name, "connection")
    }

    /// `block` with each obsolete folded line joined to the line before it by a space.
    private static func unfolded(_ block: ByteBuffer) -> ByteBuffer {
        var joined = ByteBuffer()
        block.withUnsafeReadableBytes { bytes in
            _ = HeaderLines.forEach(in: bytes) { start, end, _ in
                let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                if HeaderLines.isFolded(line) {
                    if joined.readableBytes > 0 {
                        joined.moveWriterIndex(to: joined.writerIndex - 2)  // the CRLF before
                        joined.writeStaticString(" ")
                        joined.writeBytes(HeaderLines.trimmed(line))
                        joined.writeStaticString("\r\n")
                    }
                } else {
                    joined.writeBytes(line)
                    joined.writeStaticString("\r\n")
                }
                return true
            }
        }
        return joined
    }

    /// Whether `bytes` can stand in a field value on the caller's side: no CR (libcurl splits lines at LF only)
    /// and no NUL.
    private static func isFieldValue(_ bytes: UnsafeRawBufferPointer) -> Bool {
        !bytes.contains { $0 == UInt8(ascii: "\r") || $0 == 0 }
    }

    /// Whether `name` is one of `lowercaseNames`, ASCII case ignored, compared in place (a `Set<String>` lookup
    /// of the lowercased name hashed every header of every call, callgrind, BENCHMARKS.md session 8); names of
    /// another length are passed over without a call (eleven calls per header cost 3.3k instructions a call,
    /// session 10).
    static func isNamed(_ name: String, in lowercaseNames: [StaticString]) -> Bool {
        var name = name
        return name.withUTF8 { isNamed(UnsafeRawBufferPointer($0), in: lowercaseNames) }
    }

    /// ``isNamed(_:in:)`` for a name's bytes.
    private static func isNamed(_ name: UnsafeRawBufferPointer, in lowercaseNames: [StaticString]) -> Bool {
        lowercaseNames.contains { $0.utf8CodeUnitCount == name.count && equalsIgnoringASCIICase(name, $0) }
    }

    /// Whether `name` is in `lowercaseNames` (the names a `Connection` header listed), ASCII case ignored.
    private static func isNamed(_ name: String, in lowercaseNames: Set<String>) -> Bool {
        !lowercaseNames.isEmpty && lowercaseNames.contains(asciiLowercased(name))
    }

    /// ``isNamed(_:in:)`` for a name's bytes.
    private static func isNamed(_ name: UnsafeRawBufferPointer, in lowercaseNames: Set<String>) -> Bool {
        !lowercaseNames.isEmpty && lowercaseNames.contains(asciiLowercased(String(decoding: name, as: UTF8.self)))
    }

    /// Whether `bytes` equal `lowercase` with ASCII case ignored.
    private static func equalsIgnoringASCIICase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let other = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        return zip(bytes, other).allSatisfy { lowercased($0) == $1 }
    }

    /// Whether `name` is a valid field name (an RFC 9110 token); anything else from upstream is dropped.
    static func isToken(_ name: UnsafeRawBufferPointer) -> Bool {
        !name.isEmpty && name.allSatisfy(isTokenByte)
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
