// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import WeChatEmulator

/// Splitting the raw request target and decoding the query.
@Suite("Request target")
struct EmulatorRequestTests {
    @Test(
        "the query is decoded; the first occurrence of a name wins",
        arguments: [
            ("a=1&b=2", ["a": "1", "b": "2"]),
            ("a=1&a=2", ["a": "1"]),
            ("name=hello%20world&x=a+b", ["name": "hello world", "x": "a b"]),
            ("flag&empty=", ["flag": "", "empty": ""]),
            ("&&a=%E4%BD%A0&", ["a": "你"]),
            ("bad=%zz", ["bad": "%zz"]),
            ("", [:]),
        ])
    func query(raw: String, expected: [String: String]) {
        #expect(EmulatorRequest.parseQuery(raw) == expected)
    }

    @Test(
        "the path and the raw query are kept exactly as received",
        arguments: [
            ("/a/b?x=%2F&y", "/a/b", "x=%2F&y"),
            ("/a/b", "/a/b", nil),
            ("/a/b?", "/a/b", ""),
            ("/a%20b?q=1?2", "/a%20b", "q=1?2"),
        ])
    func target(target: String, path: String, rawQuery: String?) {
        let split = EmulatorRequest.split(target: target)
        #expect(split.path == path)
        #expect(split.rawQuery == rawQuery)
    }
}
