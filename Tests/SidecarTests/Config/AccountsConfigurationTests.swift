// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Sidecar
import SidecarCore
import TestSupport
import Testing

/// `accounts.<name>.*`: several accounts in one file, their defaults, overrides and the errors that name the key.
@Suite struct AccountsConfigurationTests {
    /// A folder with a whitelist, one secret file per name, and `yaml` as the configuration.
    static func load(
        _ yaml: (TemporaryDirectory) -> String, secrets: [String] = ["shop", "news"], environment: [String: String] = [:]
    ) async throws -> Result<SidecarConfiguration, ConfigError> {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for name in secrets { _ = try directory.write("secret-of-\(name)\n", to: "\(name).secret") }
        _ = try directory.write("/wxa/msg_sec_check\n", to: "whitelist.txt")
        _ = try directory.write("/tcb/*\n", to: "news-whitelist.txt")
        let path = try directory.write(yaml(directory), to: "wxsidecar.yaml")
        do {
            return .success(try await SidecarConfiguration.load(configPath: path, environment: environment))
        } catch {
            return .failure(error)
        }
    }

    static func twoAccounts(_ directory: TemporaryDirectory, extraShop: String = "", extraNews: String = "") -> String {
        """
        whitelist:
          file: "\(directory.path("whitelist.txt"))"
        rate_limits: ["/wxa/msg_sec_check 100/minute"]
        accounts:
          shop:
            appid: wx0123456789abcdef
            secret_file: "\(directory.path("shop.secret"))"
            token:
              file: "\(directory.path("shop/token"))"
        \(extraShop)
          news:
            appid: wxfedcba9876543210
            kind: officialaccount
            secret_file: "\(directory.path("news.secret"))"
            token:
              file: "\(directory.path("news/token"))"
        \(extraNews)
        """
    }

    @Test func accountsKeepTheirFileOrderAndTheFirstIsTheDefault() async throws {
        let configuration = try await Self.load { Self.twoAccounts($0) }.get()
        #expect(configuration.accounts.map(\.name) == ["shop", "news"])
        #expect(configuration.appid == "wx0123456789abcdef")
        #expect(configuration.accounts[1].appid == "wxfedcba9876543210")
        #expect(configuration.accounts.map(\.secret.value) == ["secret-of-shop", "secret-of-news"])
        #expect(configuration.accounts[0].kind == .miniprogram)
        #expect(configuration.accounts[0].tickets.isEmpty)
        #expect(configuration.accounts[1].kind == .officialaccount)
        #expect(configuration.accounts[1].tickets == [.jsapi, .wxCard])
        // Top-level whitelist and rate limits are every account's unless it has its own.
        #expect(configuration.accounts.allSatisfy { $0.whitelist.file == configuration.whitelist.file })
        #expect(configuration.accounts.allSatisfy { $0.rateLimits.map(\.description) == ["/wxa/msg_sec_check 100/minute"] })
        // Nothing secret in what check-config prints.
        let printed = configuration.effectiveDescription
        #expect(printed.contains("  news:") && printed.contains("wxfedcba9876543210"))
        #expect(!printed.contains("secret-of-"))
    }

    @Test func anAccountMayHaveItsOwnWhitelistRateLimitsAndTickets() async throws {
        let configuration = try await Self.load { directory in
            Self.twoAccounts(directory, extraNews: """
                    whitelist: { file: "\(directory.path("news-whitelist.txt"))" }
                    rate_limits: ["/tcb/* 5/second"]
                    tickets: [jsapi]
                    ticket_files: { jsapi: "\(directory.path("news/jsapi_ticket"))" }
                """)
        }.get()
        let news = configuration.accounts[1]
        #expect(news.whitelist.file.hasSuffix("news-whitelist.txt"))
        #expect(news.rateLimits.map(\.description) == ["/tcb/* 5/second"])
        #expect(news.tickets == [.jsapi])
        #expect(news.ticketFiles[.jsapi]?.hasSuffix("news/jsapi_ticket") == true)
    }

    @Test func otherAccountsDefaultToATokenFileNamedByTheirAppid() async throws {
        let configuration = try await Self.load { directory in
            """
            whitelist: { file: "\(directory.path("whitelist.txt"))" }
            accounts:
              shop: { appid: wx0123456789abcdef, secret_file: "\(directory.path("shop.secret"))" }
              news: { appid: wxfedcba9876543210, secret_file: "\(directory.path("news.secret"))" }
            """
        }.get()
        #expect(configuration.accounts[0].token.file == "/.tencentcloudbase/wx/cloudbase_access_token")
        #expect(configuration.accounts[1].token.file == "/.tencentcloudbase/wx/wxfedcba9876543210/cloudbase_access_token")
    }

    @Test func environmentOverridesWorkPerAccount() async throws {
        let configuration = try await Self.load(
            { Self.twoAccounts($0) },
            environment: [
                "WXSIDECAR_ACCOUNTS_NEWS_TOKEN_FILE": "/tmp/wxsidecar-env-news/token",
                "WXSIDECAR_ACCOUNTS_NEWS_SECRET": "from-the-environment",
                "WXSIDECAR_TOKEN_MODE": "classic",
            ]
        ).get()
        #expect(configuration.accounts[1].token.file == "/tmp/wxsidecar-env-news/token")
        #expect(configuration.accounts[1].secret.value == "from-the-environment")
        #expect(configuration.accounts[1].secret.origin == "environment variable WXSIDECAR_ACCOUNTS_NEWS_SECRET")
        // The top-level token.mode is every account's default.
        #expect(configuration.accounts.allSatisfy { $0.token.mode == .classic })
    }

    @Test func underSystemdEachAccountsSecretDefaultsToItsOwnCredential() async throws {
        let credentials = try TemporaryDirectory(prefix: "wxsidecar-credentials")
        defer { credentials.remove() }
        _ = try credentials.write("from-the-shop-credential\n", to: "appsecret-shop")
        _ = try credentials.write("from-the-news-credential\n", to: "appsecret-news")
        let configuration = try await Self.load(
            { directory in
                """
                whitelist: { file: "\(directory.path("whitelist.txt"))" }
                accounts:
                  shop: { appid: wx0123456789abcdef, token: { file: "\(directory.path("shop/token"))" } }
                  news: { appid: wxfedcba9876543210, token: { file: "\(directory.path("news/token"))" } }
                """
            }, environment: ["CREDENTIALS_DIRECTORY": credentials.path("")]
        ).get()
        #expect(configuration.accounts.map(\.secret.value) == ["from-the-shop-credential", "from-the-news-credential"])
        #expect(configuration.accounts[1].secret.origin.hasSuffix("appsecret-news"))
    }

    /// Each mistake is refused with the key that names it.
    static let mistakes: [(name: String, key: String, message: String, extraShop: String, extraNews: String)] = [
        ("the same appid twice", "accounts.news.appid", "already account shop's appid", "", "SAME_APPID"),
        ("two accounts writing one token file", "accounts.news.token.file", "already written by account shop", "",
         "SAME_FILE"),
        ("a ticket that does not exist", "accounts.news.tickets", "is not a ticket", "", "    tickets: [jsapi, nope]"),
        ("an unknown kind", "accounts.shop.kind", "\"miniprogram\" or \"officialaccount\"", "    kind: game", ""),
    ]

    @Test(arguments: mistakes.indices)
    func aMistakeInAnAccountNamesItsKey(_ index: Int) async throws {
        let mistake = Self.mistakes[index]
        let result = try await Self.load { directory in
            var yaml = Self.twoAccounts(directory, extraShop: mistake.extraShop, extraNews: mistake.extraNews)
            if mistake.extraNews == "SAME_APPID" {
                yaml = yaml.replacingOccurrences(of: "SAME_APPID", with: "")
                    .replacingOccurrences(of: "appid: wxfedcba9876543210", with: "appid: wx0123456789abcdef")
            }
            if mistake.extraNews == "SAME_FILE" {
                yaml = yaml.replacingOccurrences(of: "SAME_FILE", with: "")
                    .replacingOccurrences(of: directory.path("news/token"), with: directory.path("shop/token"))
            }
            return yaml
        }
        guard case .failure(let error) = result else {
            Issue.record("\(mistake.name) was accepted")
            return
        }
        #expect(error.key == mistake.key, "\(mistake.name): \(error)")
        #expect(error.message.contains(mistake.message), "\(mistake.name): \(error)")
        #expect(error.source.hasSuffix("wxsidecar.yaml"), "\(mistake.name): \(error)")
    }

    @Test func anUnreadableSecretNamesTheAccountsKey() async throws {
        let result = try await Self.load({ Self.twoAccounts($0) }, secrets: ["shop"])
        guard case .failure(let error) = result else {
            Issue.record("a missing secret file was accepted")
            return
        }
        #expect(error.key == "accounts.news.secret_file")
        #expect(error.message.contains("cannot read the AppSecret"))
        #expect(error.message.contains("WXSIDECAR_ACCOUNTS_NEWS_SECRET"))
    }

    @Test func aTopLevelAppidBesideAccountsIsRefused() async throws {
        let result = try await Self.load { directory in "appid: wx1111111111111111\n" + Self.twoAccounts(directory) }
        guard case .failure(let error) = result else {
            Issue.record("appid beside accounts was accepted")
            return
        }
        #expect(error.key == "appid")
        #expect(error.message.contains("not both"))
    }

    @Test(arguments: ["Shop", "9lives", "with-dash", String(repeating: "a", count: 33)])
    func anAccountNameThatCannotBeALabelIsRefused(_ name: String) async throws {
        let result = try await Self.load { directory in
            """
            whitelist: { file: "\(directory.path("whitelist.txt"))" }
            accounts:
              \(name): { appid: wx0123456789abcdef, secret_file: "\(directory.path("shop.secret"))" }
            """
        }
        guard case .failure(let error) = result else {
            Issue.record("account name \(name) was accepted")
            return
        }
        #expect(error.key == "accounts.\(name)")
    }

    @Test func callerKeysBoundToAccountsAreReadAndSharedByFile() async throws {
        let configuration = try await Self.load { directory in
            _ = try? directory.write(String(repeating: "k", count: 32) + "\n", to: "apps.key")
            return Self.twoAccounts(
                directory, extraShop: "    auth: { key_file: \"\(directory.path("apps.key"))\" }",
                extraNews: "    auth: { key_file: \"\(directory.path("apps.key"))\" }")
        }.get()
        #expect(configuration.callers.requiresKey)
        #expect(configuration.callers.key == nil)
        #expect(configuration.callers.accountKeys.count == 1)
        #expect(configuration.callers.accountKeys.first?.appids == ["wx0123456789abcdef", "wxfedcba9876543210"])
        #expect(!configuration.effectiveDescription.contains(String(repeating: "k", count: 32)))
    }
}
