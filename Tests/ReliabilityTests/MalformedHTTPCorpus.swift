// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Raw requests no well-behaved client sends: CRLF injection in the target, the query and header values,
/// smuggling shapes, huge heads, broken chunking, foreign protocols. Each is sent on its own connection.
enum MalformedHTTPCorpus {
    struct Input: Sendable, CustomStringConvertible {
        var name: String
        var bytes: [UInt8]
        var description: String { name }
    }

    private static func input(_ name: String, _ text: String) -> Input { Input(name: name, bytes: Array(text.utf8)) }

    static let fixed: [Input] = crlfInjection + smuggling + hugeHeads + chunking + foreign + targets

    static let crlfInjection: [Input] = [
        input("raw CRLF in the query", "GET /echo/x?a=1\r\nX-Injected: 1 HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("raw LF in the query", "GET /echo/x?a=1\nX-Injected: 1 HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("raw CR in the query", "GET /echo/x?a=1\rX-Injected:1 HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("NUL in the query", "GET /echo/x?a=\u{0}b HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("CRLF then a second request line in the target", "GET /echo/x\r\nGET /cgi-bin/token HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("bare CR inside a header value", "GET /echo/x HTTP/1.1\r\nHost: x\r\nX-A: b\rX-Injected: 1\r\n\r\n"),
        input("bare LF inside a header value", "GET /echo/x HTTP/1.1\r\nHost: x\r\nX-A: b\nX-Injected: 1\r\n\r\n"),
        input("NUL inside a header value", "GET /echo/x HTTP/1.1\r\nHost: x\r\nX-A: b\u{0}c\r\n\r\n"),
        input("obs-fold continuation line", "GET /echo/x HTTP/1.1\r\nHost: x\r\nX-A: b\r\n X-Injected: 1\r\n\r\n"),
        input("space before the colon", "GET /echo/x HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n"),
        input("header name with a space", "GET /echo/x HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n"),
        input("header without a colon", "GET /echo/x HTTP/1.1\r\nHost: x\r\nX-A\r\n\r\n"),
        input("DEL in a header name", "GET /echo/x HTTP/1.1\r\nHost: x\r\nX-\u{7f}: b\r\n\r\n"),
        input("a request smuggled after a header block", "GET /echo/x HTTP/1.1\r\nHost: x\r\nX-A: b\r\n\r\nGET /cgi-bin/token?grant_type=client_credential HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("absolute-form with CRLF in the host", "GET http://api.weixin.qq.com\r\nHost: evil/echo/x HTTP/1.1\r\nHost: x\r\n\r\n"),
    ]

    static let smuggling: [Input] = [
        input("Content-Length and Transfer-Encoding together (CL.TE)",
              "POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /cgi-bin/token HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("Transfer-Encoding then Content-Length (TE.CL)",
              "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGET /cgi-bin/token HTTP/1.1\r\nHost: x\r\nContent-Length: 15\r\n\r\nx=1\r\n0\r\n\r\n"),
        input("two different Content-Lengths", "POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\nabc"),
        input("Content-Length with a sign", "POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc"),
        input("negative Content-Length", "POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\nabc"),
        input("Content-Length overflowing 64 bits", "POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\nabc"),
        input("Content-Length list", "POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd"),
        input("Transfer-Encoding: xchunked", "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"),
        input("Transfer-Encoding: chunked, identity", "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"),
        input("Transfer-Encoding with a tab", "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n"),
        input("Transfer-Encoding in HTTP/1.0", "POST /echo/x HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
        input("two Host headers", "GET /echo/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        input("Expect: 100-continue with a body already sent", "POST /echo/x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"),
        input("Upgrade to h2c", "GET /echo/x HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n"),
        input("CONNECT to the token endpoint host", "CONNECT api.weixin.qq.com:443 HTTP/1.1\r\nHost: api.weixin.qq.com:443\r\n\r\n"),
        input("CONNECT then bytes", "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\nSSH-2.0-x\r\n"),
    ]

    static let hugeHeads: [Input] = [
        input("one 70 KB header", "GET /echo/x HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 70_000) + "\r\n\r\n"),
        input("2000 small headers", "GET /echo/x HTTP/1.1\r\nHost: x\r\n" + (0..<2000).map { "X-H\($0): v\r\n" }.joined() + "\r\n"),
        input("a 100 KB request target", "GET /echo/" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("a 100 KB query", "GET /echo/x?" + String(repeating: "q=1&", count: 25_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("a 1 MB method", String(repeating: "G", count: 1_000_000) + " /echo/x HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("a 200 KB header name", "GET /echo/x HTTP/1.1\r\nHost: x\r\n" + String(repeating: "N", count: 200_000) + ": v\r\n\r\n"),
        input("16 KB of CRLF before the request", String(repeating: "\r\n", count: 8192) + "GET /echo/x HTTP/1.1\r\nHost: x\r\n\r\n"),
    ]

    static let chunking: [Input] = [
        input("a chunk size that is not hex", "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
        input("a negative chunk size", "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n"),
        input("a chunk size overflowing 64 bits", "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n0\r\n\r\n"),
        input("chunk data longer than its size", "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n"),
        input("no CRLF after chunk data", "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc0\r\n\r\n"),
        input("a 10 KB chunk extension", "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;" + String(repeating: "e", count: 10_000) + "\r\nabc\r\n0\r\n\r\n"),
        input("a chunk size with spaces", "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n"),
        input("LF-only chunk lines", "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\n0\n\n"),
        input("trailers with CRLF injection", "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: a\rb\r\n\r\n"),
        input("a body past the limit in chunks of 1 MB", "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: "100000\r\n" + String(repeating: "z", count: 0x100000) + "\r\n", count: 3) + "0\r\n\r\n"),
    ]

    static let foreign: [Input] = [
        input("HTTP/2 connection preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        Input(name: "a TLS ClientHello", bytes: [0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03] + [UInt8](repeating: 0x42, count: 160)),
        input("HTTP/0.9", "GET /echo/x\r\n\r\n"),
        input("HTTP/9.9", "GET /echo/x HTTP/9.9\r\nHost: x\r\n\r\n"),
        input("lowercase method", "get /echo/x HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("method with a slash", "G/ET /echo/x HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("tabs as separators", "GET\t/echo/x\tHTTP/1.1\r\nHost: x\r\n\r\n"),
        input("two spaces as separators", "GET  /echo/x  HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("an SSH banner", "SSH-2.0-OpenSSH_9.0\r\n"),
        input("an SMTP greeting", "EHLO evil.example\r\n"),
        input("a bare request line with no end", "GET /echo/x HTTP/1.1"),
        input("only CRLFs", "\r\n\r\n\r\n\r\n"),
    ]

    static let targets: [Input] = [
        input("encoded CRLF in a header value (harmless text)", "GET /echo/x HTTP/1.1\r\nHost: x\r\nX-A: b%0d%0aX-Injected: 1\r\n\r\n"),
        input("absolute-form to another host with a Host header for ours", "GET http://evil.example/cgi-bin/token HTTP/1.1\r\nHost: api.weixin.qq.com\r\n\r\n"),
        input("absolute-form with userinfo", "GET http://api.weixin.qq.com:80@evil.example/echo/x HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("absolute-form with a backslash host", "GET http://api.weixin.qq.com\\@evil.example/echo/x HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("absolute-form with an IPv6 host", "GET http://[::1]/echo/x HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("admin path with a dot segment", "GET /-/../cgi-bin/token HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("admin prefix then a WeChat path", "GET /-/status/../../cgi-bin/user/info HTTP/1.1\r\nHost: x\r\n\r\n"),
        input("a fake internal target header", "GET /cgi-bin/user/info HTTP/1.1\r\nHost: x\r\nX-Wxsidecar-Request-Target: /echo/x\r\n\r\n"),
        input("a token in a header, not the query", "GET /cgi-bin/token HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\r\n\r\n"),
    ]
}
