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
        #expect((Self.whitelist.match(path[...]).entry != nil) == allowed)
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
        #expect((whitelist.match(path[...]).entry != nil) == allowed)
    }

    @Test("/wxa/* does not match /wxa or /wxaa/x")
    func prefixBoundary() throws {
        let whitelist = try PathWhitelist.parse("/wxa/*").get().whitelist
        #expect(whitelist.match("/wxa/x").entry != nil)
        #expect(whitelist.match("/wxa/x/y").entry != nil)
        #expect(whitelist.match("/wxa").entry == nil)
        #expect(whitelist.match("/wxa/").entry == nil)
        #expect(whitelist.match("/wxaa/x").entry == nil)
    }

    @Test("the empty whitelist allows nothing")
    func emptyAllowsNothing() {
        #expect(PathWhitelist.empty.match("/wxa/msg_sec_check").entry == nil)
        #expect(PathWhitelist.empty.entryCount == 0)
    }

    @Test("non-ASCII look-alikes of an entry do not match")
    func lookAlikesDoNotMatch() throws {
        let whitelist = try PathWhitelist.parse("/a/e\n/b/*").get().whitelist
        #expect(whitelist.match("/a/e\u{301}").entry == nil)
        #expect(whitelist.match("/a/\u{FF45}").entry == nil)
        #expect(whitelist.match("/b\u{FF0F}x").entry == nil)
    }

    @Test("a path off the list gets the not-whitelisted rejection")
    func offTheListIsRefused() {
        let rejection = Self.whitelist.match("/wxa/other").rejection
        #expect(rejection?.kind == .notWhitelisted)
        #expect(rejection?.message == "url not in whitelist: /wxa/other")
    }

    @Test("a token endpoint gets the token-endpoint rejection even when an entry lists it")
    func tokenEndpointIsRefused() {
        #expect(Self.whitelist.match("/cgi-bin/token").rejection?.kind == .tokenEndpoint)
        #expect(Self.whitelist.match("/cgi-bin/stable_token").rejection?.status == 403)
    }

    @Test("a parsed target's path is matched, whatever the target's form")
    func parsedTargetPath() throws {
        let allowed = try RequestTarget.parse(method: "POST", target: "/wxa/msg_sec_check?x=1").get()
        let refused = try RequestTarget.parse(method: "POST", target: "http://api.weixin.qq.com/wxa/nope").get()
        #expect(Self.whitelist.match(allowed.path).entry == "/wxa/msg_sec_check")
        #expect(Self.whitelist.match(refused.path).rejection?.message == "url not in whitelist: /wxa/nope")
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
    func entryThatMatches(_ path: String, _ entry: String?) {
        #expect(Self.whitelist.match(path[...]).entry == entry)
    }

    @Test("a longer prefix wins over a shorter one for the matched entry")
    func longestPrefixWins() throws {
        let whitelist = try PathWhitelist.parse("/*\n/wxa/*\n/wxa/sub/*").get().whitelist
        #expect(whitelist.match("/wxa/sub/x").entry == "/wxa/sub/*")
        #expect(whitelist.match("/wxa/x").entry == "/wxa/*")
        #expect(whitelist.match("/other").entry == "/*")
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
