// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

@testable import WeChatEmulator

/// Fault matching, counting and the JSON form used by `POST /-/emulator/fault`.
@Suite("Fault table")
struct FaultTableTests {
    @Test("a fault applies to its path prefix only, as many times as its count")
    func countedPrefix() {
        var table = FaultTable()
        table.add(EmulatorFault(pathPrefix: "/cgi-bin/", action: .errcode(-1, errmsg: nil), count: 2))
        #expect(table.take(for: "/wxa/msg_sec_check") == nil)
        #expect(table.take(for: "/cgi-bin/token")?.action == .errcode(-1, errmsg: nil))
        #expect(table.faults.first?.count == 1)
        #expect(table.take(for: "/cgi-bin/stable_token") != nil)
        #expect(table.take(for: "/cgi-bin/token") == nil)
        #expect(table.faults.isEmpty)
    }

    @Test("an unlimited fault stays until cleared")
    func unlimited() {
        var table = FaultTable()
        table.add(EmulatorFault(pathPrefix: "/", action: .dropConnection))
        for _ in 0..<100 {
            #expect(table.take(for: "/anything") != nil)
        }
        table.clear()
        #expect(table.take(for: "/anything") == nil)
    }

    @Test("faults apply in the order added; a spent one gives way to the next")
    func order() {
        var table = FaultTable()
        table.add(EmulatorFault(pathPrefix: "/wxa/", action: .resetMidBody, count: 1))
        table.add(EmulatorFault(pathPrefix: "/", action: .httpStatus(502, body: "bad gateway"), count: 1))
        #expect(table.take(for: "/wxa/getwxacode")?.action == .resetMidBody)
        #expect(table.take(for: "/wxa/getwxacode")?.action == .httpStatus(502, body: "bad gateway"))
        #expect(table.take(for: "/wxa/getwxacode") == nil)
    }

    @Test("a fault with a count of zero is ignored")
    func zeroCount() {
        var table = FaultTable()
        table.add(EmulatorFault(pathPrefix: "/", action: .none, count: 0))
        #expect(table.faults.isEmpty)
    }

    @Test(
        "the JSON form decodes every action",
        arguments: [
            (#"{}"#, EmulatorFault(pathPrefix: "/", action: .none)),
            (
                #"{"path":"/cgi-bin/token","count":3,"delay_ms":250}"#,
                EmulatorFault(pathPrefix: "/cgi-bin/token", action: .none, count: 3, delay: .milliseconds(250))
            ),
            (
                #"{"path":"/x","action":"status","status":503,"body":"busy"}"#,
                EmulatorFault(pathPrefix: "/x", action: .httpStatus(503, body: "busy"))
            ),
            (#"{"action":"status"}"#, EmulatorFault(pathPrefix: "/", action: .httpStatus(500, body: ""))),
            (
                #"{"action":"errcode","errcode":40164,"errmsg":"invalid ip 1.2.3.4, not in whitelist"}"#,
                EmulatorFault(pathPrefix: "/", action: .errcode(40164, errmsg: "invalid ip 1.2.3.4, not in whitelist"))
            ),
            (#"{"action":"errcode","errcode":-1}"#, EmulatorFault(pathPrefix: "/", action: .errcode(-1, errmsg: nil))),
            (#"{"action":"drop","count":1}"#, EmulatorFault(pathPrefix: "/", action: .dropConnection, count: 1)),
            (#"{"action":"reset"}"#, EmulatorFault(pathPrefix: "/", action: .resetMidBody)),
        ])
    func decodes(json: String, expected: EmulatorFault) throws {
        let fault = try JSONDecoder().decode(EmulatorFault.self, from: Data(json.utf8))
        #expect(fault == expected)
        let again = try JSONDecoder().decode(EmulatorFault.self, from: JSONEncoder().encode(fault))
        #expect(again == fault)
    }

    @Test(
        "an unknown action, or an errcode fault without a code, is rejected",
        arguments: [
            #"{"action":"explode"}"#, #"{"action":"errcode"}"#, #"{"count":"two"}"#,
        ])
    func rejects(json: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(EmulatorFault.self, from: Data(json.utf8))
        }
    }
}
