// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1
@testable import Sidecar
import Testing

/// The bytes of an answer's head and the framing of its body, by table: RFC 9112's rules as NIO's encoder applied
/// them before the sidecar wrote its answers itself.
@Suite struct AnswerWireTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var status: Int
        var version: HTTPVersion = .http1_1
        var fields: AnswerFields = .made([:])
        var length: Int?
        var keepAlive = true
        var head: String
        var chunked = false
        var testDescription: String { head.prefix { $0 != "\r" } + (length.map { " length \($0)" } ?? " no length") }
    }

    @Test(arguments: [
        Case(status: 200, fields: .upstream(ByteBuffer(string: "Server: nginx\r\n")), length: 5,
             head: "HTTP/1.1 200 OK\r\nServer: nginx\r\nx-openapi-seqid: 7\r\nContent-Length: 5\r\n\r\n"),
        Case(status: 200, length: nil,
             head: "HTTP/1.1 200 OK\r\nx-openapi-seqid: 7\r\nTransfer-Encoding: chunked\r\n\r\n", chunked: true),
        Case(status: 200, version: .http1_0, length: nil, keepAlive: false,
             head: "HTTP/1.0 200 OK\r\nx-openapi-seqid: 7\r\nConnection: close\r\n\r\n"),
        Case(status: 200, version: .http1_0, length: 0,
             head: "HTTP/1.0 200 OK\r\nx-openapi-seqid: 7\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"),
        Case(status: 204, length: 0, head: "HTTP/1.1 204 No Content\r\nx-openapi-seqid: 7\r\n\r\n"),
        Case(status: 304, length: nil, head: "HTTP/1.1 304 Not Modified\r\nx-openapi-seqid: 7\r\n\r\n"),
        Case(status: 400, fields: .made(["Content-Type": "application/json", "Connection": "close"]), length: 2,
             keepAlive: false,
             head: "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\nx-openapi-seqid: 7\r\n"
                + "Content-Length: 2\r\n\r\n"),
        Case(status: 599, length: 0, head: "HTTP/1.1 599 \r\nx-openapi-seqid: 7\r\nContent-Length: 0\r\n\r\n"),
    ])
    func heads(_ test: Case) {
        let head = AnswerWire.head(
            status: test.status, version: test.version, fields: test.fields, seqid: "7", length: test.length,
            keepAlive: test.keepAlive)
        #expect(String(buffer: head.bytes) == test.head)
        #expect(head.chunked == test.chunked)
    }

    @Test func continueChunksAndTheLastChunk() {
        #expect(String(buffer: AnswerWire.continue(version: .http1_1)) == "HTTP/1.1 100 Continue\r\n\r\n")
        #expect(String(buffer: AnswerWire.chunkPrefix(16_384)) == "4000\r\n")
        #expect(String(buffer: AnswerWire.chunkPrefix(10)) == "a\r\n")
        #expect(String(buffer: AnswerWire.chunkSuffix) == "\r\n")
        #expect(String(buffer: AnswerWire.lastChunk) == "0\r\n\r\n")
    }
}
