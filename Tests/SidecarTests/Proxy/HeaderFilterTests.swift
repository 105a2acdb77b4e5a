// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1
@testable import Sidecar
import SidecarCore
import Testing

/// Which headers cross the proxy, by tables: hop-by-hop ones (and those a `Connection` header names) stay on their
/// hop in both directions, names compare without ASCII case.
@Suite struct HeaderFilterTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var headers: [(String, String)]
        var crossing: [String]
        var testDescription: String { headers.map(\.0).joined(separator: ",") }
    }

    @Test(arguments: [
        Case(headers: [("Content-Type", "application/json"), ("X-Trace", "1")], crossing: ["Content-Type", "X-Trace"]),
        Case(headers: [("HOST", "a"), ("content-LENGTH", "3"), ("Expect", "100-continue"), ("Accept-Encoding", "gzip"),
                       ("User-Agent", "u")], crossing: ["User-Agent"]),
        Case(headers: [("Connection", "keep-alive, X-Hop"), ("x-hop", "1"), ("Keep-Alive", "5"), ("TE", "trailers"),
                       ("Transfer-Encoding", "chunked"), ("Upgrade", "h2c"), ("Proxy-Authorization", "p"),
                       ("X-Kept", "2")], crossing: ["X-Kept"]),
        Case(headers: [("X-Caller-Key", "secret"), ("x-caller-key", "again"), ("X-Caller-Keys", "kept")],
             crossing: ["X-Caller-Keys"]),
        Case(headers: [("Trailer", "x"), ("Trailers", "y")], crossing: ["Trailers"]),
    ])
    func requestHeadersForwardedToWeChat(_ test: Case) {
        let forwarded = HeaderFilter.forwardedRequestHeaders(HTTPHeaders(test.headers), callerKeyHeader: "x-caller-key")
        #expect(forwarded.map(\.name) == test.crossing)
    }

    @Test(arguments: [
        Case(headers: [("Server", "nginx"), ("Content-Type", "application/json"), ("Content-Length", "5"),
                       ("Connection", "keep-alive")], crossing: ["Server", "Content-Type"]),
        Case(headers: [("Connection", "close, X-Internal"), ("X-INTERNAL", "1"), ("X-OpenAPI-SeqID", "7"),
                       ("X-Public", "2")], crossing: ["X-Public"]),
        Case(headers: [("Bad Name", "1"), ("", "2"), ("Good-Name", "3")], crossing: ["Good-Name"]),
    ])
    func responseHeadersReturnedToTheCaller(_ test: Case) {
        let block = test.headers.map { "\($0.0): \($0.1)\r\n" }.joined()
        let returned = String(buffer: HeaderFilter.returnedResponseFields(of: ByteBuffer(string: block)))
        #expect(returned.split(separator: "\r\n").map { String($0.prefix { $0 != ":" }) } == test.crossing)
    }

    /// The lines WeChat's head becomes in the answer's head, byte for byte: values trimmed, line ends made CRLF,
    /// folded lines joined, lines without a colon and values a client could split at a CR dropped.
    @Test(arguments: [
        ("Server: nginx\r\nContent-Type: application/json\r\n", "Server: nginx\r\nContent-Type: application/json\r\n"),
        ("X-A:   spaced \t\r\nX-B:tight\n", "X-A: spaced\r\nX-B: tight\r\n"),
        ("X-Long: first\r\n  second\r\n\tthird\r\nX-Next: 1\r\n", "X-Long: first second third\r\nX-Next: 1\r\n"),
        ("  orphan fold\r\nX-After: 1\r\n", "X-After: 1\r\n"),
        ("Connection: keep-alive\r\n Upgrade\r\nUpgrade: h2c\r\nX-Kept: 1\r\n", "X-Kept: 1\r\n"),
        ("no colon here\r\nX-Split: a\rInjected: b\r\nX-Nul: a\u{0}b\r\nX-Ok: c\r\n", "X-Ok: c\r\n"),
        ("X-Empty:\r\n", "X-Empty: \r\n"),
        ("", ""),
    ])
    func responseLinesAreCopiedAsTheyCame(_ block: String, _ lines: String) {
        #expect(String(buffer: HeaderFilter.returnedResponseFields(of: ByteBuffer(string: block))) == lines)
    }

    @Test(arguments: [
        ("Content-Type", "content-type"), ("X-A", "x-a"), ("already", "already"), ("MiXeD-9", "mixed-9"),
        ("Ünïcode-X", "Ünïcode-x"),
    ])
    func namesAreLowercasedInASCIIOnly(_ name: String, _ lowered: String) {
        #expect(HeaderFilter.asciiLowercased(name) == lowered)
        #expect(name.equalsIgnoringASCIICase(lowered))
    }
}
