// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1

/// An answer as HTTP/1 bytes: its head (status line, the answer's fields, the sidecar's own) and its body's framing.
///
/// The sidecar writes its answers' bytes itself rather than through NIO's `HTTPResponseEncoder`: WeChat's header
/// lines go out as they came (``AnswerFields/upstream(_:)``) instead of becoming strings in `HTTPHeaders` and bytes
/// again, which cost ~26k instructions of a 1 KB call (BENCHMARKS.md, session 12). The framing rules are RFC 9112's,
/// as NIO's encoder applies them: a body is delimited by `Content-Length` when its length is known, else by chunks
/// (HTTP/1.1) or by the connection's close (HTTP/1.0); 1xx, 204 and 304 answers have none. An answer to `HEAD`
/// keeps the framing fields an equivalent `GET` would get and carries no body.
enum AnswerWire {
    /// An answer's head and how its body is framed.
    struct Head {
        /// The status line and the fields, ending with the empty line.
        var bytes: ByteBuffer
        /// Whether the body goes in chunks (``chunkPrefix(_:)``, ``chunkSuffix``, ``lastChunk``).
        var chunked: Bool
    }

    /// The head of an answer.
    ///
    /// - Parameters:
    ///   - status: The status code.
    ///   - version: The request's HTTP version, which the answer speaks.
    ///   - fields: The answer's own fields.
    ///   - seqid: The call's `x-openapi-seqid`, if it has one.
    ///   - length: The body's length, or `nil` when it is streamed without one.
    ///   - keepAlive: Whether the connection stays open after the answer.
    static func head(
        status: Int, version: HTTPVersion, fields: AnswerFields, seqid: String?, length: Int?, keepAlive: Bool
    ) -> Head {
        var bytes = ByteBuffer()
        bytes.reserveCapacity(Self.headCapacity)
        writeStatusLine(status, version: version, into: &bytes)
        switch fields {
        case .made(let headers):
            for (name, value) in headers { writeField(name, value, into: &bytes) }
        case .upstream(let lines):
            bytes.writeImmutableBuffer(lines)
        }
        if let seqid { writeField("x-openapi-seqid", seqid, into: &bytes) }
        var chunked = false
        if mayHaveBody(status) {
            if let length {
                writeField("Content-Length", String(length), into: &bytes)
            } else if version.minor >= 1 {
                writeField("Transfer-Encoding", "chunked", into: &bytes)
                chunked = true
            }
        }
        if !keepAlive {
            if !fields.holdConnection { writeField("Connection", "close", into: &bytes) }
        } else if version.minor == 0 {
            writeField("Connection", "keep-alive", into: &bytes)
        }
        bytes.writeStaticString("\r\n")
        return Head(bytes: bytes, chunked: chunked)
    }

    /// `100 Continue`, for a request that sent `Expect: 100-continue`.
    static func `continue`(version: HTTPVersion) -> ByteBuffer {
        var bytes = ByteBuffer()
        writeStatusLine(100, version: version, into: &bytes)
        bytes.writeStaticString("\r\n")
        return bytes
    }

    /// What goes before a chunk of `count` bytes: its size in hex and CRLF.
    static func chunkPrefix(_ count: Int) -> ByteBuffer {
        ByteBuffer(string: String(count, radix: 16) + "\r\n")
    }

    /// What goes after each chunk.
    static let chunkSuffix = ByteBuffer(string: "\r\n")

    /// The end of a chunked body (no trailers).
    static let lastChunk = ByteBuffer(string: "0\r\n\r\n")

    /// Whether an answer with `status` can have a body (RFC 9110 §6.4.1: not 1xx, 204 or 304).
    static func mayHaveBody(_ status: Int) -> Bool {
        status >= 200 && status != 204 && status != 304
    }

    /// Room for a usual head at once: WeChat's fields and the sidecar's are a few hundred bytes.
    static let headCapacity = 512

    private static func writeStatusLine(_ status: Int, version: HTTPVersion, into bytes: inout ByteBuffer) {
        if status == 200, version == .http1_1 {
            bytes.writeStaticString("HTTP/1.1 200 OK\r\n")
            return
        }
        bytes.writeStaticString("HTTP/")
        bytes.writeString(String(version.major))
        bytes.writeStaticString(".")
        bytes.writeString(String(version.minor))
        bytes.writeStaticString(" ")
        bytes.writeString(String(status))
        bytes.writeStaticString(" ")
        bytes.writeString(HTTPResponseStatus(statusCode: status).reasonPhrase)
        bytes.writeStaticString("\r\n")
    }

    private static func writeField(_ name: String, _ value: String, into bytes: inout ByteBuffer) {
        bytes.writeString(name)
        bytes.writeStaticString(": ")
        bytes.writeString(value)
        bytes.writeStaticString("\r\n")
    }
}
