// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

@Suite("Whitelist matching")
struct PathWhitelistMatchingTests {
    static let file = """
        /wxa/msg_sec_check
        /wxa/getwxacode
        /tcb/*
        /cgi-bin/token
        /cgi-bin/*
        /Case/Path
        /api/v1/
        """

    static let whitelist = try! PathWhitelist.parse(file).get().whitelist

    @Test(
        "paths match exact entries byte for byte, prefixes strictly below, never token endpoints",
        arguments: [
            ("/wxa/msg_sec_check", true),
            ("/wxa/msg_sec_check/", false),
            ("/wxa/msg_sec_checkx", false),
            ("/wxa/msg_sec_chec", false),
            ("/WXA/msg_sec_check", false),
            ("/wxa/getwxacode", true),
            ("/wxa/other", false),
            ("/tcb/invokecloudfunction", true),
            ("/tcb/a/b/c", true),
            ("/tcb/", false),
            ("/tcb", false),
            ("/tcbx/a", false),
            ("/TCB/a", false),
            ("/cgi-bin/menu/get", true),
            ("/cgi-bin/token", false),
            ("/cgi-bin/stable_token", false),
            ("/cgi-bin/TOKEN", false),
            ("/cgi-bin/Stable_Token", false),
            ("/cgi-bin/token/", false),
            ("/cgi-bin/stable_token/", false),
            ("/cgi-bin/tokens", true),
            ("/cgi-bin/token/x", true),
            ("/Case/Path", true),
            ("/case/path", false),
            ("/api/v1/", true),
            ("/api/v1", false),
            ("/api/v1/x", false),
            ("/", false),
            ("", false),
        ])
    func pathMatches(_ path: String, _ allowed: Bool) {
        #expect(Self.whitelist.allows(path) == allowed)
        #expect(Self.whitelist.allows(path[...]) == allowed)
    }

    @Test(
        "/* allows every path but / and the token endpoints",
        arguments: [
            ("/wxa/msg_sec_check", true),
            ("/a", true),
            ("/a/b/c", true),
            ("/", false),
            ("/cgi-bin/token", false),
            ("/cgi-bin/stable_token", false),
            ("/CGI-BIN/STABLE_TOKEN", false),
            ("/cgi-bin/menu/get", true),
        ])
    func allowEverythingMatches(_ path: String, _ allowed: Bool) throws {
        let whitelist = try PathWhitelist.parse("/*").get().whitelist
        #expect(whitelist.allows(path) == allowed)
    }

    @Test("/wxa/* does not match /wxa or /wxaa/x")
    func prefixBoundary() throws {
        let whitelist = try PathWhitelist.parse("/wxa/*").get().whitelist
        #expect(whitelist.allows("/wxa/x"))
        #expect(whitelist.allows("/wxa/x/y"))
        #expect(!whitelist.allows("/wxa"))
        #expect(!whitelist.allows("/wxa/"))
        #expect(!whitelist.allows("/wxaa/x"))
    }

    @Test("the empty whitelist allows nothing")
    func emptyAllowsNothing() {
        #expect(!PathWhitelist.empty.allows("/wxa/msg_sec_check"))
        #expect(PathWhitelist.empty.entryCount == 0)
    }

    @Test("non-ASCII look-alikes of an entry do not match")
    func lookAlikesDoNotMatch() throws {
        let whitelist = try PathWhitelist.parse("/a/e\n/b/*").get().whitelist
        #expect(!whitelist.allows("/a/e\u{301}"))
        #expect(!whitelist.allows("/a/\u{FF45}"))
        #expect(!whitelist.allows("/b\u{FF0F}x"))
    }

    @Test("authorize returns the not-whitelisted rejection for a path off the list")
    func authorizeNotWhitelisted() {
        let rejection = Self.whitelist.authorize("/wxa/other")
        #expect(rejection?.kind == .notWhitelisted)
        #expect(rejection?.message == "url not in whitelist: /wxa/other")
    }

    @Test("authorize returns the token-endpoint rejection even when an entry lists it")
    func authorizeTokenEndpoint() {
        #expect(Self.whitelist.authorize("/cgi-bin/token")?.kind == .tokenEndpoint)
        #expect(Self.whitelist.authorize("/cgi-bin/stable_token")?.status == 403)
    }

    @Test("authorize accepts a parsed target and checks its path")
    func authorizeTarget() throws {
        let allowed = try RequestTarget.parse(method: "POST", target: "/wxa/msg_sec_check?x=1").get()
        let refused = try RequestTarget.parse(method: "POST", target: "http://api.weixin.qq.com/wxa/nope").get()
        #expect(Self.whitelist.authorize(allowed) == nil)
        #expect(Self.whitelist.authorize(refused)?.message == "url not in whitelist: /wxa/nope")
    }

    @Test("authorize returns nil for an allowed path")
    func authorizeAllowed() {
        #expect(Self.whitelist.authorize("/wxa/msg_sec_check") == nil)
    }

    @Test(
        "the matched entry is the exact entry or the longest prefix, spelled as in the file",
        arguments: [
            ("/wxa/msg_sec_check", "/wxa/msg_sec_check"),
            ("/tcb/invokecloudfunction", "/tcb/*"),
            ("/cgi-bin/menu/get", "/cgi-bin/*"),
            ("/api/v1/", "/api/v1/"),
            ("/cgi-bin/token", nil),
            ("/wxa/other", nil),
        ] as [(String, String?)])
    func matchedEntry(_ path: String, _ entry: String?) {
        #expect(Self.whitelist.matchedEntry(path) == entry)
    }

    @Test("a longer prefix wins over a shorter one for the matched entry")
    func longestPrefixWins() throws {
        let whitelist = try PathWhitelist.parse("/*\n/wxa/*\n/wxa/sub/*").get().whitelist
        #expect(whitelist.matchedEntry("/wxa/sub/x") == "/wxa/sub/*")
        #expect(whitelist.matchedEntry("/wxa/x") == "/wxa/*")
        #expect(whitelist.matchedEntry("/other") == "/*")
    }

    @Test(
        "token endpoints are recognised ignoring case and one trailing slash",
        arguments: [
            ("/cgi-bin/token", true), ("/cgi-bin/stable_token", true), ("/CGI-BIN/Token", true),
            ("/cgi-bin/token/", true), ("/cgi-bin/token//", false), ("/cgi-bin/tokens", false),
            ("/cgi-bin/stable_token/", true), ("/cgi-bin/token/x", false), ("cgi-bin/token", false),
        ])
    func tokenEndpointRecognised(_ path: String, _ isToken: Bool) {
        #expect(PathWhitelist.isTokenEndpoint(path) == isToken)
    }
}
