// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Sidecar
import SidecarCore
import TestSupport
import Testing

/// `inbound.*` and `accounts.<name>.message.*`: defaults, secrets from files and the environment (never from the
/// configuration file), and every error naming its key.
@Suite struct InboundConfigurationTests {
    static let aesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

    /// Two accounts, `shopMessage` and `newsMessage` lines under their `message:` sections (none when empty), and
    /// `inbound` lines at the top.
    static func load(
        inbound: String = "inbound:\n  listen: 127.0.0.1:0", shopMessage: [String]? = nil, newsMessage: [String]? = nil,
        environment: [String: String] = [:]
    ) async throws -> Result<SidecarConfiguration, ConfigError> {
        try await AccountsConfigurationTests.load({ directory in
            _ = try? directory.write("tok3n\n", to: "message-token")
            _ = try? directory.write(aesKey + "\n", to: "aes-key")
            _ = try? directory.write("", to: "empty")
            func section(_ lines: [String]?) -> String {
                guard let lines else { return "" }
                return "    message:\n" + lines.map { "      " + $0.replacingOccurrences(of: "DIR", with: directory.path) }
                    .joined(separator: "\n")
            }
            return inbound + "\n" + AccountsConfigurationTests.twoAccounts(
                directory, extraShop: section(shopMessage), extraNews: section(newsMessage))
        }, environment: environment)
    }

    static let shop = ["forward_to: http://127.0.0.1:8080/wechat/message", "token_file: DIR/message-token"]

    @Test func defaultsOfAMessageSection() async throws {
        let configuration = try await Self.load(shopMessage: Self.shop).get()
        let inbound = try #require(configuration.inbound)
        #expect(inbound.listen.host == "127.0.0.1")
        #expect(inbound.replayWindow == 300)
        #expect(inbound.maxBodyBytes == 65_536)
        let message = try #require(configuration.accounts[0].message)
        #expect(message.path == "/wechat/wx0123456789abcdef")
        #expect(message.token.value == "tok3n")
        #expect(message.encodingAESKey == nil)
        #expect(message.format == .json)
        #expect(message.replyTimeout == 4.5)
        #expect(message.forwardTo == "http://127.0.0.1:8080/wechat/message")
        #expect(configuration.accounts[1].message == nil)
        // The Token never shows in the effective configuration; where it came from does.
        let described = configuration.effectiveDescription
        #expect(!described.contains("tok3n"))
        #expect(described.contains("message-token"))
        #expect(described.contains("forward_to: \"http://127.0.0.1:8080/wechat/message\""))
        #expect(described.contains("listen: \"127.0.0.1:0\""))
    }

    @Test func everyKeySet() async throws {
        let configuration = try await Self.load(
            inbound: "inbound:\n  listen: 0.0.0.0:8081\n  replay_window: 2m\n  max_body_bytes: 4096",
            shopMessage: Self.shop + [
                "encoding_aes_key_file: DIR/aes-key", "path: /push/shop", "format: xml", "reply_timeout: 3s",
            ]).get()
        let message = try #require(configuration.accounts[0].message)
        #expect(configuration.inbound?.replayWindow == 120)
        #expect(configuration.inbound?.maxBodyBytes == 4096)
        #expect(message.encodingAESKey?.value == Self.aesKey)
        #expect(message.path == "/push/shop")
        #expect(message.format == .xml)
        #expect(message.replyTimeout == 3)
    }

    @Test func secretsFromTheEnvironment() async throws {
        let configuration = try await Self.load(
            shopMessage: ["forward_to: http://127.0.0.1:8080/"],
            environment: [
                "WXSIDECAR_ACCOUNTS_SHOP_MESSAGE_TOKEN": "fromEnv1",
                "WXSIDECAR_ACCOUNTS_SHOP_MESSAGE_ENCODING_AES_KEY": Self.aesKey,
            ]).get()
        #expect(configuration.accounts[0].message?.token.value == "fromEnv1")
        #expect(configuration.accounts[0].message?.encodingAESKey?.value == Self.aesKey)
    }

    struct InvalidCase: Sendable, CustomTestStringConvertible {
        var name: String
        var inbound = "inbound:\n  listen: 127.0.0.1:0"
        var shop: [String]? = InboundConfigurationTests.shop
        var news: [String]? = nil
        var key: String
        var fragment: String
        var testDescription: String { name }
    }

    static let invalid: [InvalidCase] = [
        InvalidCase(name: "message without inbound.listen", inbound: "", key: "inbound.listen", fragment: "is required because accounts.shop.message.forward_to"),
        InvalidCase(name: "inbound.listen without any message", shop: nil, key: "inbound.listen", fragment: "no account has message.forward_to"),
        InvalidCase(name: "bad inbound.listen", inbound: "inbound:\n  listen: nowhere", key: "inbound.listen", fragment: "host:port"),
        InvalidCase(name: "replay window too long", inbound: "inbound:\n  listen: 127.0.0.1:0\n  replay_window: 2h", key: "inbound.replay_window", fragment: "from 10 seconds to 1 hour"),
        InvalidCase(name: "message keys without forward_to", shop: ["token_file: DIR/message-token"], key: "accounts.shop.message.forward_to", fragment: "is required when accounts.shop.message.token_file is set"),
        InvalidCase(name: "forward_to not a URL", shop: ["forward_to: 127.0.0.1:8080", "token_file: DIR/message-token"], key: "accounts.shop.message.forward_to", fragment: "http:// or https://"),
        InvalidCase(name: "no token", shop: ["forward_to: http://127.0.0.1:8080/"], key: "accounts.shop.message.token_file", fragment: "is required"),
        InvalidCase(name: "token written in the file", shop: ["forward_to: http://127.0.0.1:8080/", "token: hunter22"], key: "accounts.shop.message.token", fragment: "must not be written in the configuration file"),
        InvalidCase(name: "token file missing", shop: ["forward_to: http://127.0.0.1:8080/", "token_file: DIR/nope"], key: "accounts.shop.message.token_file", fragment: "cannot read the message Token"),
        InvalidCase(name: "token file empty", shop: ["forward_to: http://127.0.0.1:8080/", "token_file: DIR/empty"], key: "accounts.shop.message.token_file", fragment: "alone on one line"),
        InvalidCase(name: "AES key not 43 characters", shop: shop + ["encoding_aes_key_file: DIR/message-token"], key: "accounts.shop.message.encoding_aes_key_file", fragment: "43 characters"),
        InvalidCase(name: "bad format", shop: shop + ["format: yaml"], key: "accounts.shop.message.format", fragment: "\"json\""),
        InvalidCase(name: "reply timeout beyond WeChat's 5 s", shop: shop + ["reply_timeout: 5s"], key: "accounts.shop.message.reply_timeout", fragment: "0.1 to 4.9"),
        InvalidCase(name: "path with ..", shop: shop + ["path: /a/../admin"], key: "accounts.shop.message.path", fragment: "absolute path"),
        InvalidCase(name: "two accounts on one path", shop: shop + ["path: /push"], news: shop + ["path: /push"], key: "accounts.news.message.path", fragment: "already account shop's push path"),
    ]

    @Test(arguments: invalid)
    func refused(_ testCase: InvalidCase) async throws {
        let result = try await Self.load(inbound: testCase.inbound, shopMessage: testCase.shop, newsMessage: testCase.news)
        guard case .failure(let error) = result else { Issue.record("accepted"); return }
        #expect(error.key == testCase.key)
        #expect(error.message.contains(testCase.fragment), "\(error.message)")
        #expect(!error.message.contains("tok3n") && !error.message.contains("hunter22") && !error.message.contains(Self.aesKey))
    }
}
