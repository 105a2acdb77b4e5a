// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

@Suite("Path validation")
struct PathValidatorTests {
    @Test(
        "valid paths pass",
        arguments: [
            "/", "/a", "/a/", "/wxa/msg_sec_check", "/a-b_c.d~e", "/!$&'()*+,=:@", "/a/...", "/a/.b", "/a/b.",
            "/a/..b", "/a/b..", "/0/9/Z",
        ])
    func validPathPasses(_ path: String) {
        #expect(PathValidator.check(path: path) == nil)
    }

    @Test("a path of exactly 1024 bytes passes")
    func pathAtLimitPasses() {
        #expect(PathValidator.maxPathLength == 1024)
        #expect(PathValidator.check(path: "/" + String(repeating: "a", count: 1023)) == nil)
    }

    @Test("a path of 1025 bytes is too long")
    func pathOverLimitIsRefused() {
        let rejection = PathValidator.check(path: "/" + String(repeating: "a", count: 1024))
        #expect(rejection?.label == "path_too_long")
        #expect(rejection?.message.contains("1025 bytes") == true)
    }

    @Test(
        "paths not starting with a slash are refused",
        arguments: ["", "a", "wxa/x", ".", "*", "?x"])
    func relativePathIsRefused(_ path: String) {
        #expect(PathValidator.check(path: path)?.label == "relative_path")
    }

    @Test(
        "the first violation in byte order decides the label",
        arguments: [
            ("/a/%2e/../;", "percent_encoding"),
            ("/a/../%2e", "dot_segment"),
            ("/a;/%", "semicolon"),
            ("/a\\//", "backslash"),
            ("/a//%", "double_slash"),
            ("/a/.\u{0}", "control_byte"),
        ])
    func firstViolationWins(_ path: String, _ label: String) {
        #expect(PathValidator.check(path: path)?.label == label)
    }

    @Test(
        "queries of printable ASCII pass",
        arguments: ["", "a=1", "a=1&b=2", "a=%2F%3d", "x=/..//;\\\"<>{}|^`[]", "a=1?b=2", "=", "&&"])
    func validQueryPasses(_ query: String) {
        #expect(PathValidator.check(query: query[...]) == nil)
    }

    @Test(
        "queries with controls, spaces, fragments or non-ASCII are refused",
        arguments: [
            ("a=1\r\nHost: x", "control_byte"),
            ("a=\u{0}", "control_byte"),
            ("a=\u{7F}", "control_byte"),
            ("a=\t", "control_byte"),
            ("a=1 2", "whitespace"),
            ("a=1#f", "fragment"),
            ("a=é", "non_ascii"),
        ])
    func invalidQueryIsRefused(_ query: String, _ label: String) {
        #expect(PathValidator.check(query: query[...])?.label == label)
    }
}
