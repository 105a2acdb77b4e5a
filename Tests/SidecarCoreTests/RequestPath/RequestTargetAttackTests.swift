// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

/// Request targets an attacker (or a confused client) might send, each with the rejection label it must get.
@Suite("Request target attacks")
struct RequestTargetAttackTests {
    struct Attack: Sendable, CustomTestStringConvertible {
        var method = "GET"
        var target: String
        var label: String
        var testDescription: String { "\(method) \(target.debugDescription) → \(label)" }
    }

    static let attacks: [Attack] = [
        // Percent-encoding: encoded dots, slashes, backslashes, NUL, double encoding.
        Attack(target: "/wxa/%2e%2e/cgi-bin/token", label: "percent_encoding"),
        Attack(target: "/wxa/%2E%2E/cgi-bin/token", label: "percent_encoding"),
        Attack(target: "/wxa%2fmsg_sec_check", label: "percent_encoding"),
        Attack(target: "/wxa%2Fmsg_sec_check", label: "percent_encoding"),
        Attack(target: "/wxa/%5c..%5ccgi-bin", label: "percent_encoding"),
        Attack(target: "/wxa/msg_sec_check%00", label: "percent_encoding"),
        Attack(target: "/wxa/%252e%252e/cgi-bin/token", label: "percent_encoding"),
        Attack(target: "/wxa/msg_sec_check%3Fx=1", label: "percent_encoding"),
        Attack(target: "/wxa/%u002e%u002e/x", label: "percent_encoding"),
        Attack(target: "/%77xa/msg_sec_check", label: "percent_encoding"),
        // Empty segments.
        Attack(target: "//wxa/msg_sec_check", label: "double_slash"),
        Attack(target: "/wxa//msg_sec_check", label: "double_slash"),
        Attack(target: "/wxa/msg_sec_check//", label: "double_slash"),
        Attack(target: "//api.weixin.qq.com/wxa/msg_sec_check", label: "double_slash"),
        Attack(target: "http://api.weixin.qq.com//evil.com/x", label: "double_slash"),
        // Dot segments, leading, inner and trailing.
        Attack(target: "/./wxa/msg_sec_check", label: "dot_segment"),
        Attack(target: "/wxa/./msg_sec_check", label: "dot_segment"),
        Attack(target: "/wxa/../cgi-bin/token", label: "dot_segment"),
        Attack(target: "/wxa/msg_sec_check/..", label: "dot_segment"),
        Attack(target: "/wxa/msg_sec_check/.", label: "dot_segment"),
        Attack(target: "/..", label: "dot_segment"),
        Attack(target: "/.", label: "dot_segment"),
        Attack(target: "/wxa/../../etc/passwd", label: "dot_segment"),
        Attack(target: "http://api.weixin.qq.com/wxa/../cgi-bin/token", label: "dot_segment"),
        // Backslashes and path parameters.
        Attack(target: "/wxa\\..\\cgi-bin\\token", label: "backslash"),
        Attack(target: "/wxa\\msg_sec_check", label: "backslash"),
        Attack(target: "/wxa/msg_sec_check;jsessionid=1", label: "semicolon"),
        Attack(target: "/wxa/msg_sec_check;/../../cgi-bin/token", label: "semicolon"),
        Attack(target: "/wxa/..;/cgi-bin/token", label: "semicolon"),
        // Control bytes, whitespace and CRLF injection.
        Attack(target: "/wxa/msg_sec_check\u{0}", label: "control_byte"),
        Attack(target: "/wxa/\u{0}/../cgi-bin/token", label: "control_byte"),
        Attack(target: "/wxa/msg\r\nX-Injected: 1", label: "control_byte"),
        Attack(target: "/wxa/msg\nHost: evil.com", label: "control_byte"),
        Attack(target: "/wxa/msg\tsec_check", label: "control_byte"),
        Attack(target: "/wxa/msg_sec_check\u{7F}", label: "control_byte"),
        Attack(target: "/wxa/\u{1B}[31mred", label: "control_byte"),
        Attack(target: "/wxa/msg sec_check", label: "whitespace"),
        Attack(target: "/wxa/msg_sec_check HTTP/1.1", label: "whitespace"),
        Attack(target: "/wxa/msg_sec_check?x=1\r\nHost: evil.com", label: "control_byte"),
        Attack(target: "/wxa/msg_sec_check?x=a b", label: "whitespace"),
        Attack(target: "/wxa/msg_sec_check?x=\u{0}", label: "control_byte"),
        // Non-ASCII: look-alike slashes and dots, invalid UTF-8 as NIO decodes it.
        Attack(target: "/wxa/msg_séc_check", label: "non_ascii"),
        Attack(target: "/wxa\u{FF0F}msg_sec_check", label: "non_ascii"),
        Attack(target: "/wxa\u{2215}msg_sec_check", label: "non_ascii"),
        Attack(target: "/wxa/\u{FF0E}\u{FF0E}/cgi-bin/token", label: "non_ascii"),
        Attack(target: "/wxa/\u{FFFD}", label: "non_ascii"),
        Attack(target: "/wxa/msg_sec_check?x=é", label: "non_ascii"),
        // Other bytes with no place in a path.
        Attack(target: "/wxa/<script>", label: "invalid_character"),
        Attack(target: "/wxa/{msg}", label: "invalid_character"),
        Attack(target: "/wxa/msg|id", label: "invalid_character"),
        Attack(target: "/wxa/\"quoted\"", label: "invalid_character"),
        // Length.
        Attack(target: "/" + String(repeating: "a", count: 1024), label: "path_too_long"),
        Attack(target: "/" + String(repeating: "a/", count: 600), label: "path_too_long"),
        // Fragments.
        Attack(target: "/wxa/msg_sec_check#top", label: "fragment"),
        Attack(target: "/wxa/msg_sec_check?x=1#top", label: "fragment"),
        Attack(target: "http://api.weixin.qq.com#@evil.com/wxa/x", label: "fragment"),
        // User info and host confusion.
        Attack(target: "http://api.weixin.qq.com@evil.com/wxa/msg_sec_check", label: "userinfo"),
        Attack(target: "http://user:pass@api.weixin.qq.com/wxa/msg_sec_check", label: "userinfo"),
        Attack(target: "http://evil.com\\@api.weixin.qq.com/wxa/x", label: "userinfo"),
        Attack(target: "http://evil.com/wxa/msg_sec_check", label: "foreign_host"),
        Attack(target: "http://api.weixin.qq.com.evil.com/wxa/msg_sec_check", label: "foreign_host"),
        Attack(target: "http://evil.com?@api.weixin.qq.com/wxa/x", label: "foreign_host"),
        Attack(target: "http://api.weixin.qq.com./wxa/msg_sec_check", label: "foreign_host"),
        Attack(target: "http://xapi.weixin.qq.com/wxa/msg_sec_check", label: "foreign_host"),
        Attack(target: "http://api2.weixin.qq.com/wxa/msg_sec_check", label: "foreign_host"),
        Attack(target: "http://127.0.0.1/wxa/msg_sec_check", label: "foreign_host"),
        Attack(target: "http://169.254.169.254/latest/meta-data", label: "foreign_host"),
        Attack(target: "http://[::1]/wxa/msg_sec_check", label: "foreign_host"),
        Attack(target: "http://api.weixin.qq.com:443/wxa/msg_sec_check", label: "foreign_port"),
        Attack(target: "http://api.weixin.qq.com:8080/wxa/msg_sec_check", label: "foreign_port"),
        Attack(target: "http://api.weixin.qq.com:99999999999999999999/wxa/x", label: "foreign_port"),
        Attack(target: "http://api.weixin.qq.com:/wxa/msg_sec_check", label: "invalid_authority"),
        Attack(target: "http://api.weixin.qq.com:80x/wxa/msg_sec_check", label: "invalid_authority"),
        Attack(target: "http:///wxa/msg_sec_check", label: "invalid_authority"),
        Attack(target: "http://api%2eweixin.qq.com/wxa/msg_sec_check", label: "invalid_authority"),
        Attack(target: "http://api.weixin.qq.com\\evil.com/wxa/x", label: "invalid_authority"),
        Attack(target: "http://api.weixin.qq.com\u{0}.evil.com/wxa/x", label: "invalid_authority"),
        // Schemes and forms.
        Attack(target: "https://api.weixin.qq.com/wxa/msg_sec_check", label: "https_scheme"),
        Attack(target: "HTTPS://api.weixin.qq.com/wxa/msg_sec_check", label: "https_scheme"),
        Attack(target: "ftp://api.weixin.qq.com/wxa/msg_sec_check", label: "unsupported_scheme"),
        Attack(target: "file:///etc/passwd", label: "unsupported_scheme"),
        Attack(method: "CONNECT", target: "api.weixin.qq.com:443", label: "connect_refused"),
        Attack(method: "CONNECT", target: "/wxa/msg_sec_check", label: "connect_refused"),
        Attack(target: "api.weixin.qq.com:443", label: "connect_refused"),
        Attack(method: "OPTIONS", target: "*", label: "asterisk_form"),
        Attack(target: "", label: "empty_target"),
        Attack(target: "wxa/msg_sec_check", label: "malformed_target"),
        Attack(target: "javascript:alert(1)", label: "malformed_target"),
        Attack(target: "mailto:root@api.weixin.qq.com", label: "malformed_target"),
    ]

    @Test("there are at least 40 attack strings")
    func tableIsLargeEnough() {
        #expect(Self.attacks.count >= 40)
    }

    @Test("each attack is refused with its label", arguments: attacks)
    func attackIsRefused(_ attack: Attack) {
        let result = RequestTarget.parse(method: attack.method, target: attack.target)
        guard case .failure(let rejection) = result else {
            Issue.record("accepted: \(result)")
            return
        }
        #expect(rejection.label == attack.label, "\(rejection.message)")
    }

    @Test("a rejection never echoes control or non-ASCII bytes", arguments: attacks)
    func rejectionMessageIsPrintable(_ attack: Attack) {
        guard case .failure(let rejection) = RequestTarget.parse(method: attack.method, target: attack.target)
        else { return }
        #expect(rejection.message.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F })
        #expect(rejection.message.utf8.count < 600)
    }
}
