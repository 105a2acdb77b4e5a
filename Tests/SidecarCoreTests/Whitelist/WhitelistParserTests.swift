// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

@Suite("Whitelist parsing")
struct WhitelistParserTests {
    struct ValidFile: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var entries: [String]
        var warningLines: [Int?] = []
        var testDescription: String { name }
    }

    static let validFiles: [ValidFile] = [
        ValidFile(name: "empty file", text: "", entries: [], warningLines: [nil]),
        ValidFile(name: "only comments", text: "# nothing yet\n\n", entries: [], warningLines: [nil]),
        ValidFile(
            name: "comments and blank lines",
            text: "# content security\n\n/wxa/msg_sec_check\n   \n\t\n  # indented comment\n/wxa/getwxacode\n",
            entries: ["/wxa/getwxacode", "/wxa/msg_sec_check"]),
        ValidFile(name: "CRLF line endings", text: "/wxa/a\r\n/wxa/b\r\n\r\n", entries: ["/wxa/a", "/wxa/b"]),
        ValidFile(name: "UTF-8 byte-order mark", text: "\u{FEFF}/wxa/a\n", entries: ["/wxa/a"]),
        ValidFile(name: "BOM before a comment", text: "\u{FEFF}# c\r\n/wxa/a", entries: ["/wxa/a"]),
        ValidFile(name: "no final newline", text: "/wxa/a", entries: ["/wxa/a"]),
        ValidFile(name: "allow everything warns", text: "/*\n", entries: ["/*"], warningLines: [1]),
        ValidFile(
            name: "broad cgi-bin prefixes warn", text: "/wxa/*\n/cgi-bin/*\n/cgi-bin/openapi/*\n/cgi-bin/menu/*\n",
            entries: ["/cgi-bin/*", "/cgi-bin/menu/*", "/cgi-bin/openapi/*", "/wxa/*"],
            warningLines: [2, 3]),
        ValidFile(
            name: "prefix and exact entries", text: "/wxa/*\n/tcb/invokecloudfunction\n",
            entries: ["/tcb/invokecloudfunction", "/wxa/*"]),
        ValidFile(
            name: "duplicates count once", text: "/wxa/a\n/wxa/a\n/wxa/*\n/wxa/*\n", entries: ["/wxa/a", "/wxa/*"]),
        ValidFile(name: "trailing slash entry", text: "/api/v1/\n", entries: ["/api/v1/"]),
        ValidFile(
            name: "dots inside a segment", text: "/a/b.c\n/a/.well-known\n", entries: ["/a/.well-known", "/a/b.c"]),
        ValidFile(
            name: "token endpoints warn", text: "/wxa/a\n/cgi-bin/token\n# x\n/cgi-bin/stable_token\n",
            entries: ["/cgi-bin/stable_token", "/cgi-bin/token", "/wxa/a"], warningLines: [2, 4]),
        ValidFile(
            name: "case variant of a token endpoint warns", text: "/cgi-bin/Token\n", entries: ["/cgi-bin/Token"],
            warningLines: [1]),
    ]

    @Test("valid files parse to their entries and warnings", arguments: validFiles)
    func validFileParses(_ file: ValidFile) throws {
        let parsed = try PathWhitelist.parse(file.text).get()
        #expect(parsed.whitelist.entries == file.entries)
        #expect(parsed.whitelist.entryCount == file.entries.count)
        #expect(parsed.warnings.map(\.line) == file.warningLines)
    }

    @Test("a broad entry's warning says what it exposes")
    func broadEntryWarningText() throws {
        let parsed = try PathWhitelist.parse("/wxa/a\n/*\n").get()
        let warning = try #require(parsed.warnings.first)
        #expect(warning.description.hasPrefix("line 2: /* is a broad entry"))
        #expect(warning.description.contains("/cgi-bin/openapi/rid/get"))
    }

    @Test("the token endpoint warning names the line and says it is never forwarded")
    func tokenWarningText() throws {
        let parsed = try PathWhitelist.parse("/wxa/a\n\n\n/cgi-bin/token\n").get()
        let warning = try #require(parsed.warnings.first)
        #expect(warning.description.hasPrefix("line 4: /cgi-bin/token is never forwarded"))
    }

    struct InvalidFile: Sendable, CustomTestStringConvertible {
        var text: String
        var line: Int
        var label: String
        var testDescription: String { "\(text.debugDescription) → line \(line) \(label)" }
    }

    static let invalidFiles: [InvalidFile] = [
        InvalidFile(text: "wxa/msg_sec_check", line: 1, label: "relative_path"),
        InvalidFile(text: "# c\n\n/wxa/a\n /wxa/b\n", line: 4, label: "relative_path"),
        InvalidFile(text: "*", line: 1, label: "relative_path"),
        InvalidFile(text: "https://api.weixin.qq.com/wxa/a", line: 1, label: "relative_path"),
        InvalidFile(text: "/wxa/a\n/wxa/../cgi-bin/token", line: 2, label: "dot_dot"),
        InvalidFile(text: "/wxa/..", line: 1, label: "dot_dot"),
        InvalidFile(text: "/wxa/a..b", line: 1, label: "dot_dot"),
        InvalidFile(text: "/wxa/./x", line: 1, label: "dot_segment"),
        InvalidFile(text: "/wxa/.", line: 1, label: "dot_segment"),
        InvalidFile(text: "/./*", line: 1, label: "dot_segment"),
        InvalidFile(text: "//wxa/a", line: 1, label: "double_slash"),
        InvalidFile(text: "/wxa//a", line: 1, label: "double_slash"),
        InvalidFile(text: "/wxa/%2e", line: 1, label: "percent_encoding"),
        InvalidFile(text: "/wxa/a?x=1", line: 1, label: "query"),
        InvalidFile(text: "/wxa/a\\b", line: 1, label: "backslash"),
        InvalidFile(text: "/wxa/a;b", line: 1, label: "semicolon"),
        InvalidFile(text: "/wxa/a b", line: 1, label: "whitespace"),
        InvalidFile(text: "/wxa/a ", line: 1, label: "whitespace"),
        InvalidFile(text: "/wxa/a\t", line: 1, label: "whitespace"),
        InvalidFile(text: "/wxa/a # comment", line: 1, label: "whitespace"),
        InvalidFile(text: "/wxa/a#comment", line: 1, label: "fragment"),
        InvalidFile(text: "/wxa/*/x", line: 1, label: "wildcard"),
        InvalidFile(text: "/wxa*", line: 1, label: "wildcard"),
        InvalidFile(text: "/wxa/**", line: 1, label: "wildcard"),
        InvalidFile(text: "/wxa/é", line: 1, label: "non_ascii"),
        InvalidFile(text: "/wxa/a\rb", line: 1, label: "control_byte"),
        InvalidFile(text: "/wxa/\u{0}", line: 1, label: "control_byte"),
        InvalidFile(text: "/wxa/<x>", line: 1, label: "invalid_character"),
        InvalidFile(text: "/" + String(repeating: "a", count: 1100), line: 1, label: "path_too_long"),
        InvalidFile(text: "/wxa/a\r\n/wxa/b c\r\n", line: 2, label: "whitespace"),
        InvalidFile(text: "/wxa/a\n\u{FEFF}/wxa/b", line: 2, label: "relative_path"),
        InvalidFile(text: "/wxa/a\n/wxa/b\n/wxa/c d\n/wxa/e f\n", line: 3, label: "whitespace"),
    ]

    @Test("invalid files name the first bad line and the rule", arguments: invalidFiles)
    func invalidFileIsRefused(_ file: InvalidFile) {
        guard case .failure(let error) = PathWhitelist.parse(file.text) else {
            Issue.record("accepted")
            return
        }
        #expect(error.line == file.line)
        #expect(error.label == file.label)
        #expect(error.description.hasPrefix("line \(file.line): "))
    }

    @Test("an error message echoes a printable line and explains the rule")
    func errorMessageEchoesLine() {
        guard case .failure(let error) = PathWhitelist.parse("/wxa/../x") else {
            Issue.record("accepted")
            return
        }
        #expect(error.description == "line 1: '/wxa/../x' contains '..'")
    }

    @Test("an error message does not echo a line with control bytes")
    func errorMessageHidesControlBytes() {
        guard case .failure(let error) = PathWhitelist.parse("/wxa/\u{1B}[2Jsecret") else {
            Issue.record("accepted")
            return
        }
        #expect(!error.message.contains("secret"))
    }
}
