// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

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
        let returned = HeaderFilter.returnedResponseHeaders(test.headers.map { (name: $0.0, value: $0.1) })
        #expect(returned.map(\.name) == test.crossing)
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
