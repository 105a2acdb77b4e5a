// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

@Suite("Request target parsing")
struct RequestTargetTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        var method = "POST"
        var target: String
        var form: RequestTarget.Form
        var path: String
        var query: String?
        var testDescription: String { "\(method) \(target)" }
    }

    static let valid: [Valid] = [
        Valid(target: "/wxa/msg_sec_check", form: .origin, path: "/wxa/msg_sec_check", query: nil),
        Valid(target: "/wxa/msg_sec_check?x=1", form: .origin, path: "/wxa/msg_sec_check", query: "x=1"),
        Valid(
            target: "/tcb/invokecloudfunction?env=prod-1a2b&name=hello", form: .origin,
            path: "/tcb/invokecloudfunction", query: "env=prod-1a2b&name=hello"),
        Valid(target: "/wxa/msg_sec_check?", form: .origin, path: "/wxa/msg_sec_check", query: ""),
        Valid(method: "GET", target: "/", form: .origin, path: "/", query: nil),
        Valid(target: "/wxa/getwxacode?a=1?b=2", form: .origin, path: "/wxa/getwxacode", query: "a=1?b=2"),
        Valid(target: "/wxa/x?q=%2e%2e/..//;\\\"", form: .origin, path: "/wxa/x", query: "q=%2e%2e/..//;\\\""),
        Valid(target: "/wxa/a..b", form: .origin, path: "/wxa/a..b", query: nil),
        Valid(target: "/wxa/.../x", form: .origin, path: "/wxa/.../x", query: nil),
        Valid(target: "/wxa/.well-known", form: .origin, path: "/wxa/.well-known", query: nil),
        Valid(target: "/wxa/msg_sec_check/", form: .origin, path: "/wxa/msg_sec_check/", query: nil),
        Valid(target: "/wxa/x:y@z!$&'()*+,=~", form: .origin, path: "/wxa/x:y@z!$&'()*+,=~", query: nil),
        Valid(target: "/WXA/Msg_Sec_Check", form: .origin, path: "/WXA/Msg_Sec_Check", query: nil),
        Valid(
            method: "DELETE", target: "/wxa/x?access_token=abc", form: .origin, path: "/wxa/x",
            query: "access_token=abc"),
        Valid(
            target: "http://api.weixin.qq.com/wxa/msg_sec_check", form: .absolute, path: "/wxa/msg_sec_check",
            query: nil),
        Valid(
            target: "http://API.Weixin.QQ.com/wxa/msg_sec_check?x=1", form: .absolute, path: "/wxa/msg_sec_check",
            query: "x=1"),
        Valid(target: "HTTP://api.weixin.qq.com:80/wxa/x", form: .absolute, path: "/wxa/x", query: nil),
        Valid(target: "http://api.weixin.qq.com:080/wxa/x", form: .absolute, path: "/wxa/x", query: nil),
        Valid(target: "http://api.weixin.qq.com", form: .absolute, path: "/", query: nil),
        Valid(target: "http://api.weixin.qq.com?x=1", form: .absolute, path: "/", query: "x=1"),
        Valid(
            target: "http://api.weixin.qq.com/tcb/invokecloudfunction?env=e&name=n&cloudbase_access_token=t",
            form: .absolute, path: "/tcb/invokecloudfunction", query: "env=e&name=n&cloudbase_access_token=t"),
    ]

    @Test("valid targets parse to their exact path and query", arguments: valid)
    func validTargetParses(_ valid: Valid) throws {
        let target = try RequestTarget.parse(method: valid.method, target: valid.target).get()
        #expect(target.form == valid.form)
        #expect(Array(target.path.utf8) == Array(valid.path.utf8))
        #expect(target.query.map { Array($0.utf8) } == valid.query.map { Array($0.utf8) })
    }

    @Test("an origin-form path is a slice of the raw target, not a copy that could differ")
    func originPathIsSliceOfTarget() throws {
        let raw = "/wxa/msg_sec_check?x=1"
        let target = try RequestTarget.parse(method: "POST", target: raw).get()
        #expect(target.path.startIndex == raw.startIndex)
        #expect(raw[target.path.startIndex..<target.path.endIndex] == target.path)
    }

    @Test("a configured extra host is accepted in absolute form")
    func extraAllowedHostIsAccepted() throws {
        let hosts = AllowedHosts(["api.weixin.qq.com", "API2.weixin.qq.com"])
        let target = try RequestTarget.parse(
            method: "GET", target: "http://api2.weixin.qq.com/wxa/x", allowedHosts: hosts
        ).get()
        #expect(target.path == "/wxa/x")
        #expect(hosts.names == ["api.weixin.qq.com", "api2.weixin.qq.com"])
    }

    @Test("the default host set is api.weixin.qq.com only")
    func defaultHostSet() {
        #expect(AllowedHosts.weChatAPI.names == ["api.weixin.qq.com"])
        #expect(AllowedHosts.weChatAPI.contains("API.WEIXIN.QQ.COM"))
        #expect(!AllowedHosts.weChatAPI.contains("api.weixin.qq.com."))
    }

    @Test(
        "any method but CONNECT is accepted", arguments: ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "X-CUSTOM"])
    func anyMethodIsAccepted(_ method: String) {
        #expect((try? RequestTarget.parse(method: method, target: "/wxa/x").get()) != nil)
    }

    @Test("CONNECT is refused with advice to use http:// URLs")
    func connectMessageSaysUseHTTP() throws {
        let result = RequestTarget.parse(method: "CONNECT", target: "api.weixin.qq.com:443")
        guard case .failure(let rejection) = result else { throw Failure("CONNECT accepted") }
        #expect(rejection.status == 403)
        #expect(rejection.message.contains("http://"))
    }

    @Test("https:// absolute form is refused with advice to use http://")
    func httpsMessageSaysUseHTTP() throws {
        let result = RequestTarget.parse(method: "POST", target: "https://api.weixin.qq.com/wxa/x")
        guard case .failure(let rejection) = result else { throw Failure("https accepted") }
        #expect(rejection.status == 403)
        #expect(rejection.message.contains("http://api.weixin.qq.com/"))
    }

    @Test("a foreign host is refused with 403 and errcode 85107")
    func foreignHostIsForbidden() throws {
        let result = RequestTarget.parse(method: "POST", target: "http://evil.com/wxa/msg_sec_check")
        guard case .failure(let rejection) = result else { throw Failure("foreign host accepted") }
        #expect(rejection.status == 403)
        #expect(rejection.errcode == 85107)
        #expect(rejection.message.contains("'evil.com'"))
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
