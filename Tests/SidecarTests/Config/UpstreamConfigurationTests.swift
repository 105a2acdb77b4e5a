// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Sidecar
import TestSupport
import Testing

/// `upstream.proxy`, `upstream.proxy_credentials_file`, `upstream.fallback_urls` and `upstream.connect_timeout`:
/// their defaults, their forms, and an error naming the key and the file for every bad value.
@Suite struct UpstreamConfigurationTests {
    /// The configuration of a valid file with `upstream` lines (two spaces in) and the environment.
    static func load(_ lines: [String], environment: [String: String] = [:]) async throws -> SidecarConfiguration {
        let (directory, path) = try ConfigurationLoadingTests.folder(yaml: (["upstream:"] + lines).joined(separator: "\n") + "\n")
        defer { directory.remove() }
        return try await SidecarConfiguration.load(configPath: path, environment: environment)
    }

    /// The error loading `lines` fails with, and the config file's path.
    static func error(_ lines: [String], environment: [String: String] = [:]) async throws -> (ConfigError?, String) {
        let (directory, path) = try ConfigurationLoadingTests.folder(yaml: (["upstream:"] + lines).joined(separator: "\n") + "\n")
        defer { directory.remove() }
        let error = await #expect(throws: ConfigError.self) {
            _ = try await SidecarConfiguration.load(configPath: path, environment: environment)
        }
        return (error, path)
    }

    @Test func byDefaultThereIsNoProxyNoFallbackAndFiveSecondsToConnect() async throws {
        let configuration = try await Self.load([])
        #expect(configuration.upstream.proxy == nil)
        #expect(configuration.upstream.proxyCredentials == nil)
        #expect(configuration.upstream.fallbackURLs.isEmpty)
        #expect(configuration.upstream.connectTimeout == 5)
        #expect(configuration.upstream.urls == ["https://api.weixin.qq.com"])
    }

    @Test func theConnectTimeoutIsNeverLongerThanTheTimeout() async throws {
        #expect(try await Self.load(["  timeout: 2"]).upstream.connectTimeout == 2)
        #expect(try await Self.load(["  connect_timeout: 1.5s"]).upstream.connectTimeout == 1.5)
        let (error, path) = try await Self.error(["  timeout: 2", "  connect_timeout: 3"])
        #expect(error?.key == "upstream.connect_timeout")
        #expect(error?.source == path)
    }

    @Test func fallbackURLsComeInOrderAfterThePrimary() async throws {
        let configuration = try await Self.load([
            "  fallback_urls: [\"https://api2.weixin.qq.com/\", \"https://sh.api.weixin.qq.com\"]",
        ])
        #expect(configuration.upstream.urls == [
            "https://api.weixin.qq.com", "https://api2.weixin.qq.com", "https://sh.api.weixin.qq.com",
        ])
        let fromEnvironment = try await Self.load(
            [], environment: ["WXSIDECAR_UPSTREAM_FALLBACK_URLS": "https://api2.weixin.qq.com,https://hk.api.weixin.qq.com"])
        #expect(fromEnvironment.upstream.fallbackURLs == ["https://api2.weixin.qq.com", "https://hk.api.weixin.qq.com"])
    }

    @Test(arguments: [
        ("  fallback_urls: [\"ftp://api2.weixin.qq.com\"]", "every entry"),
        ("  fallback_urls: [\"https://api2.weixin.qq.com/cgi-bin\"]", "no path"),
        ("  fallback_urls: [\"https://api.weixin.qq.com\"]", "twice"),
        ("  fallback_urls: [\"https://api2.weixin.qq.com\", \"https://API2.weixin.qq.com/\"]", "twice"),
        ("  fallback_urls: [" + (1...9).map { "\"https://a\($0).example\"" }.joined(separator: ", ") + "]", "at most 8"),
    ])
    func aBadFallbackURLNamesTheKey(line: String, fragment: String) async throws {
        let (error, path) = try await Self.error([line])
        #expect(error?.key == "upstream.fallback_urls")
        #expect(error?.source == path)
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
    }

    @Test(arguments: [
        ("http://proxy.internal:3128", "http://proxy.internal:3128"),
        ("HTTP://proxy.internal:3128/", "http://proxy.internal:3128"),
        ("https://10.0.0.5:8443", "https://10.0.0.5:8443"),
        ("socks5h://127.0.0.1:1080", "socks5h://127.0.0.1:1080"),
        ("http://[::1]:3128", "http://[::1]:3128"),
    ])
    func aProxyURLIsKeptWithItsSchemeInLowerCase(text: String, url: String) async throws {
        #expect(try await Self.load(["  proxy: \"\(text)\""]).upstream.proxy == url)
    }

    @Test(arguments: [
        ("proxy.internal:3128", "http://, https:// or socks5h://"),
        ("ftp://proxy.internal:21", "not ftp://"),
        ("socks5://proxy.internal:1080", "use socks5h://"),
        ("http://wx:hunter2-pw@proxy.internal:3128", "must not carry credentials"),
        ("http://:3128", "no host"),
        ("http://proxy.internal", "no port"),
        ("http://proxy.internal:0", "no port"),
        ("http://proxy.internal:3128/path", "no path"),
        ("http://proxy.internal:3128?x=1", "no path"),
        ("http://pro xy:3128", "characters"),
    ])
    func aBadProxyURLNamesTheKeyAndNeverRepeatsIt(text: String, fragment: String) async throws {
        let (error, path) = try await Self.error(["  proxy: \"\(text)\""])
        #expect(error?.key == "upstream.proxy")
        #expect(error?.source == path)
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
        #expect(error.map { "\($0)" }?.contains("hunter2-pw") == false)
    }

    @Test func proxyCredentialsAreReadFromTheirFileAndNeverPrinted() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = try folder.write("wx:pr0xy-pa55\n", to: "proxy-credentials")
        let configuration = try await Self.load([
            "  proxy: \"http://proxy.internal:3128\"", "  proxy_credentials_file: \"\(file)\"",
        ])
        #expect(configuration.upstream.proxyCredentials?.value == "wx:pr0xy-pa55")
        #expect(configuration.upstream.proxyCredentials?.origin == file)
        #expect(!configuration.effectiveDescription.contains("pr0xy-pa55"))
        #expect(configuration.effectiveDescription.contains("proxy: \"http://proxy.internal:3128\""))
        #expect(Redactor(configuration).redact("auth wx:pr0xy-pa55 and pr0xy-pa55") == "auth [redacted] and [redacted]")
    }

    @Test func proxyCredentialsMayComeFromTheEnvironment() async throws {
        let configuration = try await Self.load(
            ["  proxy: \"socks5h://127.0.0.1:1080\""], environment: ["WXSIDECAR_UPSTREAM_PROXY_CREDENTIALS": "wx:env-pass"])
        #expect(configuration.upstream.proxyCredentials?.value == "wx:env-pass")
    }

    @Test func proxyCredentialsWithoutAColonNameTheirFileKey() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = try folder.write("just-a-password\n", to: "proxy-credentials")
        let (error, _) = try await Self.error(["  proxy: \"http://proxy.internal:3128\"", "  proxy_credentials_file: \"\(file)\""])
        #expect(error?.key == "upstream.proxy_credentials_file")
        #expect(error?.message.contains("user:password") == true)
        #expect(error.map { "\($0)" }?.contains("just-a-password") == false)
    }

    @Test func proxyCredentialsWithoutAProxyAreAnError() async throws {
        let (error, path) = try await Self.error(["  proxy_credentials_file: \"/etc/wxsidecar/proxy\""])
        #expect(error?.key == "upstream.proxy_credentials_file")
        #expect(error?.source == path)
        #expect(error?.message.contains("upstream.proxy is not") == true)
    }

    @Test func proxyCredentialsWrittenInTheFileAreRefused() async throws {
        let (error, _) = try await Self.error(["  proxy: \"http://proxy.internal:3128\"", "  proxy_credentials: \"wx:pw\""])
        #expect(error?.key == "upstream.proxy_credentials")
        #expect(error?.message.contains("proxy_credentials_file") == true)
    }
}
