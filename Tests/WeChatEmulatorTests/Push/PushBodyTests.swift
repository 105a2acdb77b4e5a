// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Testing
import WeChatEmulator
import WeChatPush

/// Every kind in every mode and format, sent to a receiver that checks it as a server must and reads it back.
@Suite("Push bodies on the receiving end")
struct PushBodyTests {
    /// A mode and a format: the six ways an account can be configured.
    struct Setting: Sendable, CustomStringConvertible {
        var mode: PushMode
        var format: PushFormat
        var description: String { "\(mode) \(format)" }

        static let all = PushMode.allCases.flatMap { mode in PushFormat.allCases.map { Setting(mode: mode, format: $0) } }
    }

    /// The fields of each kind after the head (and `Event`), as WeChat's documentation lists them.
    static let kindFields: [PushKind: [String]] = [
        .text: ["Content"], .image: ["PicUrl", "MediaId"], .voice: ["MediaId", "Format"],
        .video: ["MediaId", "ThumbMediaId"], .shortvideo: ["MediaId", "ThumbMediaId"],
        .location: ["Location_X", "Location_Y", "Scale", "Label"], .link: ["Title", "Description", "Url"],
        .subscribe: [], .unsubscribe: [], .scan: ["EventKey", "Ticket"],
        .locationEvent: ["Latitude", "Longitude", "Precision"], .click: ["EventKey"], .view: ["EventKey"],
    ]

    /// The fields WeChat writes as numbers (bare in XML, numbers in JSON).
    static let numbers: Set<String> = [
        "CreateTime", "MsgId", "Location_X", "Location_Y", "Scale", "Latitude", "Longitude", "Precision",
    ]

    @Test("the push arrives signed, decrypts, and carries the kind's fields in WeChat's shape",
          arguments: PushKind.allCases, Setting.all)
    func arrives(kind: PushKind, setting: Setting) async throws {
        try await PushReceiver.withClient { receiver, client in
            let message = PushMessage.sample(kind, toUserName: "gh_0123456789ab", fromUserName: "o6_bmjrPTlm6_2sgVt7hMZOPfL2M")
            let push = try SignedPush(message, for: client.target, mode: setting.mode, format: setting.format)
            let result = try await client.send(push)
            #expect(result.status == 200)
            let received = try #require(receiver.requests.first)
            #expect(received.refusal == nil)
            #expect(received.contentType == setting.format.contentType)

            let head = ["ToUserName", "FromUserName", "CreateTime", "MsgType"] + (kind.event == nil ? [] : ["Event"])
            let names = head + Self.kindFields[kind]! + (kind.event == nil ? ["MsgId"] : [])
            if setting.format == .xml { #expect(received.fields.map(\.name) == names) }
            #expect(Set(received.fields.map(\.name)) == Set(names))
            for field in received.fields {
                let isNumber = if case .number = field.value { true } else { false }
                #expect(isNumber == Self.numbers.contains(field.name), "\(field.name)")
            }
            #expect(received.fieldsByName == Dictionary(uniqueKeysWithValues: message.elements.map { ($0.name, $0.value) }))
            #expect(received.fieldsByName["MsgType"] == .text(kind.event == nil ? kind.rawValue : "event"))
            #expect(received.fieldsByName["Event"] == kind.event.map { .text($0) })
            if kind.event == nil {
                #expect(received.fieldsByName["MsgId"]?.text.count == 17)
            }
        }
    }

    @Test("the query and the outer body follow the mode", arguments: Setting.all)
    func queryAndEnvelope(setting: Setting) async throws {
        try await PushReceiver.withClient { receiver, client in
            let message = PushMessage.sample(.text, toUserName: "gh_0123456789ab", fromUserName: "oUser")
            _ = try await client.send(try SignedPush(message, for: client.target, mode: setting.mode, format: setting.format))
            let received = try #require(receiver.requests.first)
            let plainQuery = ["signature", "timestamp", "nonce", "openid"]
            let encrypted = setting.mode != .plaintext
            #expect(received.query.map(\.name) == plainQuery + (encrypted ? ["encrypt_type", "msg_signature"] : []))
            #expect(received.query("openid") == "oUser")
            let outerNames = received.outer.map(\.name)
            switch setting.mode {
            case .plaintext:
                #expect(received.outer == received.fields)
            case .compatible:
                #expect(Set(outerNames) == Set(message.elements.map(\.name) + ["Encrypt"]))
                #expect(received.outer.filter { $0.name != "Encrypt" }.sorted { $0.name < $1.name }
                    == received.fields.sorted { $0.name < $1.name })
            case .safe:
                #expect(Set(outerNames) == ["ToUserName", "Encrypt"])
                #expect(received.outer.first { $0.name == "ToUserName" }?.value == .text("gh_0123456789ab"))
            }
            if encrypted { #expect(received.query("encrypt_type") == "aes") }
        }
    }

    @Test("a text with ]]>, quotes, markup and CJK arrives exactly", arguments: PushFormat.allCases)
    func awkwardContent(format: PushFormat) async throws {
        try await PushReceiver.withClient { receiver, client in
            let content = "a]]>b <c> & \"d\" 你好 \\ ]]]]>"
            let message = PushMessage.sample(.text, toUserName: "gh_0123456789ab", fromUserName: "oUser", content: content)
            _ = try await client.send(try SignedPush(message, for: client.target, mode: .safe, format: format))
            #expect(receiver.requests.first?.fieldsByName["Content"] == .text(content))
        }
    }

    @Test("compatible and safe modes without an EncodingAESKey are refused before sending")
    func missingKey() throws {
        let target = try PushReceiver.pushTarget(url: "http://127.0.0.1:9/wechat/x", withKey: false)
        let message = PushMessage.sample(.text, toUserName: "gh_0123456789ab", fromUserName: "oUser")
        for mode in [PushMode.compatible, .safe] {
            #expect(throws: PushClientError.missingKey) {
                try SignedPush(message, for: target, mode: mode, format: .xml)
            }
        }
        #expect(throws: Never.self) { try SignedPush(message, for: target, mode: .plaintext, format: .xml) }
    }
}
