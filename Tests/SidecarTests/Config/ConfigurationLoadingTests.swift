// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import Sidecar
import TestSupport
import Testing

/// The configuration contract: YAML keys, `WXSIDECAR_*` overrides, defaults, and a clear error naming the
/// key and the file for every invalid value.
@Suite struct ConfigurationLoadingTests {
    /// A valid minimal file in a fresh folder, plus the secret beside it.
    static func folder(yaml: String = "", secret: String? = "s3cr3t-value") throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        if let secret { _ = try directory.write(secret + "\n", to: "appsecret") }
        _ = try directory.write("/wxa/msg_sec_check\n", to: "whitelist.txt")
        let base = """
            appid: "wx0123456789abcdef"
            secret_file: "\(directory.path("appsecret"))"
            token:
              file: "\(directory.path("wx/token"))"
            whitelist:
              file: "\(directory.path("whitelist.txt"))"

            """
        let path = try directory.write(base + yaml, to: "wxsidecar.yaml")
        return (directory, path)
    }

    @Test func defaultsFillEveryKeyTheFileLeavesOut() async throws {
        let (directory, path) = try Self.folder()
        defer { directory.remove() }
        let configuration = try await SidecarConfiguration.load(configPath: path, environment: [:])
        #expect(configuration.listen == ListenAddress(host: "127.0.0.1", port: 8098))
        #expect(configuration.upstream.baseURL == "https://api.weixin.qq.com")
        #expect(configuration.upstream.timeout == 10)
        #expect(configuration.token.mode == .stable)
        #expect(configuration.token.fileMode == 0o640)
        #expect(configuration.token.refreshInterval == 600)
        #expect(configuration.limits.maxBodyBytes == 10_485_760)
        #expect(configuration.log.level == .info)
        #expect(configuration.log.format == .text)
        #expect(configuration.secret.value == "s3cr3t-value")
    }

    @Test func shippedExampleConfigurationIsValidApartFromItsPaths() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try directory.write("secret\n", to: "appsecret")
        let shipped = try String(contentsOfFile: #filePath.replacingOccurrences(
            of: "Tests/SidecarTests/Config/ConfigurationLoadingTests.swift", with: "Config/wxsidecar.yaml"), encoding: .utf8)
        let path = try directory.write(shipped, to: "wxsidecar.yaml")
        let configuration = try await SidecarConfiguration.load(
            configPath: path, environment: ["WXSIDECAR_SECRET_FILE": directory.path("appsecret")])
        #expect(configuration.token.file == "/.tencentcloudbase/wx/cloudbase_access_token")
        #expect(configuration.whitelist.file == "/etc/wxsidecar/whitelist.txt")
    }

    @Test func environmentOverridesTheFileKeyByKey() async throws {
        let (directory, path) = try Self.folder(yaml: "log:\n  format: text\nupstream:\n  timeout: 7\n")
        defer { directory.remove() }
        let configuration = try await SidecarConfiguration.load(
            configPath: path,
            environment: [
                "WXSIDECAR_TOKEN_MODE": "classic", "WXSIDECAR_TOKEN_FILE": directory.path("other/token"),
                "WXSIDECAR_TOKEN_REFRESH_INTERVAL": "10m", "WXSIDECAR_UPSTREAM_TIMEOUT": "2.5s",
                "WXSIDECAR_LISTEN": "[::1]:9000", "WXSIDECAR_LOG_FORMAT": "json", "WXSIDECAR_TOKEN_FILE_MODE": "0600",
            ])
        #expect(configuration.token.mode == .classic)
        #expect(configuration.token.file == directory.path("other/token"))
        #expect(configuration.token.refreshInterval == 600)
        #expect(configuration.upstream.timeout == 2.5)
        #expect(configuration.listen == ListenAddress(host: "::1", port: 9000))
        #expect(configuration.log.format == .json)
        #expect(configuration.token.fileMode == 0o600)
    }

    @Test func secretFromTheEnvironmentWinsAndIsNeverPrinted() async throws {
        let (directory, path) = try Self.folder(secret: nil)
        defer { directory.remove() }
        let configuration = try await SidecarConfiguration.load(
            configPath: path, environment: ["WXSIDECAR_SECRET": "from-env-secret-123"])
        #expect(configuration.secret.value == "from-env-secret-123")
        #expect(!configuration.effectiveDescription.contains("from-env-secret-123"))
        #expect(configuration.effectiveDescription.contains("environment variable WXSIDECAR_SECRET"))
    }

    @Test func systemdCredentialsDirectoryIsTheDefaultSecretLocation() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try directory.write("cred-secret\n", to: "appsecret")
        _ = try directory.write("/wxa/msg_sec_check\n", to: "whitelist.txt")
        let path = try directory.write("appid: wx0123456789abcdef\n", to: "wxsidecar.yaml")
        let configuration = try await SidecarConfiguration.load(
            configPath: path, environment: ["CREDENTIALS_DIRECTORY": directory.path])
        #expect(configuration.secret.value == "cred-secret")
        #expect(configuration.secret.origin == directory.path("appsecret"))
    }

    // MARK: Invalid values

    /// Each case: YAML appended to a valid file (later keys win in YAML maps, so sections are written whole),
    /// environment, the key the error must name, and a fragment of its message.
    struct InvalidCase: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String = ""
        var environment: [String: String] = [:]
        var removeSecret = false
        var key: String
        var fragment: String
        var testDescription: String { name }
    }

    static let invalidCases: [InvalidCase] = [
        InvalidCase(name: "missing appid", environment: ["WXSIDECAR_APPID": " "], key: "appid", fragment: "is required"),
        InvalidCase(name: "appid with spaces", environment: ["WXSIDECAR_APPID": "wx 123"], key: "appid", fragment: "letters and digits"),
        InvalidCase(name: "missing secret file", removeSecret: true, key: "secret_file", fragment: "cannot read the AppSecret"),
        InvalidCase(name: "bad listen", yaml: "listen: \"localhost\"\n", key: "listen", fragment: "host:port"),
        InvalidCase(name: "listen port out of range", environment: ["WXSIDECAR_LISTEN": "127.0.0.1:70000"], key: "listen", fragment: "host:port"),
        InvalidCase(name: "bad mode", environment: ["WXSIDECAR_TOKEN_MODE": "fast"], key: "token.mode", fragment: "\"stable\""),
        InvalidCase(name: "file_mode not octal", environment: ["WXSIDECAR_TOKEN_FILE_MODE": "0689"], key: "token.file_mode", fragment: "octal"),
        InvalidCase(name: "file_mode world-writable", environment: ["WXSIDECAR_TOKEN_FILE_MODE": "0666"], key: "token.file_mode", fragment: "others"),
        InvalidCase(name: "file_mode owner cannot write", environment: ["WXSIDECAR_TOKEN_FILE_MODE": "0440"], key: "token.file_mode", fragment: "owner"),
        InvalidCase(name: "refresh_interval garbage", environment: ["WXSIDECAR_TOKEN_REFRESH_INTERVAL": "soon"], key: "token.refresh_interval", fragment: "duration"),
        InvalidCase(name: "refresh_interval too long", environment: ["WXSIDECAR_TOKEN_REFRESH_INTERVAL": "3h"], key: "token.refresh_interval", fragment: "2 hours"),
        InvalidCase(name: "base_url not http", environment: ["WXSIDECAR_UPSTREAM_BASE_URL": "ftp://api.weixin.qq.com"], key: "upstream.base_url", fragment: "https://"),
        InvalidCase(name: "base_url with a path", environment: ["WXSIDECAR_UPSTREAM_BASE_URL": "https://api.weixin.qq.com/cgi-bin"], key: "upstream.base_url", fragment: "no path"),
        InvalidCase(name: "ca_file missing", environment: ["WXSIDECAR_UPSTREAM_CA_FILE": "/nonexistent/ca.pem"], key: "upstream.ca_file", fragment: "not a readable file"),
        InvalidCase(name: "timeout zero", environment: ["WXSIDECAR_UPSTREAM_TIMEOUT": "0"], key: "upstream.timeout", fragment: "0.1 to 300"),
        InvalidCase(name: "max_body_bytes negative", environment: ["WXSIDECAR_LIMITS_MAX_BODY_BYTES": "-1"], key: "limits.max_body_bytes", fragment: "whole number"),
        InvalidCase(name: "log level unknown", environment: ["WXSIDECAR_LOG_LEVEL": "loud"], key: "log.level", fragment: "trace, debug"),
        InvalidCase(name: "log format unknown", environment: ["WXSIDECAR_LOG_FORMAT": "xml"], key: "log.format", fragment: "\"json\""),
        InvalidCase(name: "shutdown_grace too long", environment: ["WXSIDECAR_SHUTDOWN_GRACE": "1h"], key: "shutdown_grace", fragment: "0 to 300"),
        InvalidCase(name: "bad YAML", yaml: "token: [unclosed\n", key: "config", fragment: "YAML"),
    ]

    @Test(arguments: invalidCases)
    func invalidValueIsRejectedNamingItsKeyAndSource(_ invalid: InvalidCase) async throws {
        let (directory, path) = try Self.folder(yaml: invalid.yaml)
        defer { directory.remove() }
        if invalid.removeSecret { try FileManager.default.removeItem(atPath: directory.path("appsecret")) }
        let error = await #expect(throws: ConfigError.self) {
            _ = try await SidecarConfiguration.load(configPath: path, environment: invalid.environment)
        }
        #expect(error?.key == invalid.key)
        #expect(error?.message.contains(invalid.fragment) == true, "message: \(error?.message ?? "")")
        if let name = invalid.environment.keys.first, invalid.key != "config" {
            #expect(error?.source == "environment variable \(name)")
        } else if invalid.key != "secret_file" {
            #expect(error?.source == path)
        }
        #expect(error.map { "\($0)" }?.contains("s3cr3t-value") == false)
    }

    @Test func explicitConfigPathThatDoesNotExistIsAnError() async throws {
        let error = await #expect(throws: ConfigError.self) {
            _ = try await SidecarConfiguration.load(configPath: "/nonexistent/wxsidecar.yaml", environment: [:])
        }
        #expect(error?.key == "config")
        #expect(error?.source == "/nonexistent/wxsidecar.yaml")
    }

    @Test func configPathComesFromTheEnvironmentWhenNotGiven() async throws {
        let (directory, path) = try Self.folder()
        defer { directory.remove() }
        let configuration = try await SidecarConfiguration.load(configPath: nil, environment: ["WXSIDECAR_CONFIG": path])
        #expect(configuration.configPath == path)
    }

    // MARK: Start-up checks

    @Test(arguments: ["file-instead-of-dir/token", "/proc/wxsidecar-test/token"])
    func unwritableTokenDirectoryIsAConfigurationError(_ tokenPath: String) async throws {
        let (directory, path) = try Self.folder()
        defer { directory.remove() }
        let blocker = try directory.write("not a directory", to: "file-instead-of-dir")
        let file = tokenPath.hasPrefix("/") ? tokenPath : blocker + "/token"
        let configuration = try await SidecarConfiguration.load(configPath: path, environment: ["WXSIDECAR_TOKEN_FILE": file])
        let error = await #expect(throws: ConfigError.self) { try await SidecarApp.checkEnvironment(configuration) }
        #expect(error?.key == "token.file")
        #expect(error?.message.contains("not writable") == true)
    }

    @Test func invalidWhitelistAtStartIsAConfigurationErrorNamingTheLine() async throws {
        let (directory, path) = try Self.folder()
        defer { directory.remove() }
        _ = try directory.write("/wxa/msg_sec_check\n/wxa/../cgi-bin/token\n", to: "whitelist.txt")
        let configuration = try await SidecarConfiguration.load(configPath: path, environment: [:])
        let error = await #expect(throws: ConfigError.self) { try await SidecarApp.checkEnvironment(configuration) }
        #expect(error?.key == "whitelist.file")
        #expect(error?.message.contains("line 2") == true, "\(error?.message ?? "")")
    }
}

/// Caller restriction and quota keys.
@Suite struct CallerConfigurationTests {
    @Test func nonLoopbackListenWithoutKeyOrCIDRsIsRefused() async throws {
        let (directory, path) = try ConfigurationLoadingTests.folder()
        defer { directory.remove() }
        let error = await #expect(throws: ConfigError.self) {
            _ = try await SidecarConfiguration.load(configPath: path, environment: ["WXSIDECAR_LISTEN": "0.0.0.0:8098"])
        }
        #expect(error?.key == "listen")
        #expect(error?.message.contains("auth.key_file or allow_cidrs") == true)
    }

    @Test func nonLoopbackListenIsAllowedWithCIDRsOrExplicitly() async throws {
        let (directory, path) = try ConfigurationLoadingTests.folder()
        defer { directory.remove() }
        let withCIDRs = try await SidecarConfiguration.load(
            configPath: path, environment: ["WXSIDECAR_LISTEN": "0.0.0.0:8098", "WXSIDECAR_ALLOW_CIDRS": "10.0.0.0/8,fd00::/8"])
        #expect(withCIDRs.callers.allowCIDRs.count == 2)
        let explicit = try await SidecarConfiguration.load(
            configPath: path, environment: ["WXSIDECAR_LISTEN": "0.0.0.0:8098", "WXSIDECAR_ALLOW_INSECURE_LISTEN": "true"])
        #expect(explicit.callers.allowInsecureListen)
    }

    @Test(arguments: [
        ("WXSIDECAR_ALLOW_CIDRS", "10.0.0.1/8", "allow_cidrs"),
        ("WXSIDECAR_AUTH_KEY_FILE", "/nonexistent/key", "auth.key_file"),
        ("WXSIDECAR_RATE_LIMITS", "/wxa/x 10/week", "rate_limits"),
        ("WXSIDECAR_LISTEN", "unix:relative.sock", "listen"),
        ("WXSIDECAR_LISTEN_SOCKET_MODE", "0777", "listen_socket_mode"),
        ("WXSIDECAR_LIMITS_HEADER_TIMEOUT", "0", "limits.header_timeout"),
        ("WXSIDECAR_LIMITS_IDLE_TIMEOUT", "0", "limits.idle_timeout"),
        ("WXSIDECAR_LIMITS_IDLE_TIMEOUT", "2h", "limits.idle_timeout"),
        ("WXSIDECAR_LIMITS_MAX_CONCURRENT_REQUESTS", "0", "limits.max_concurrent_requests"),
        ("WXSIDECAR_LIMITS_MAX_HEADER_BYTES", "100", "limits.max_header_bytes"),
    ])
    func invalidCallerKeysAreNamed(_ variable: String, _ value: String, _ key: String) async throws {
        let (directory, path) = try ConfigurationLoadingTests.folder()
        defer { directory.remove() }
        let error = await #expect(throws: ConfigError.self) {
            _ = try await SidecarConfiguration.load(configPath: path, environment: [variable: value])
        }
        #expect(error?.key == key)
    }

    @Test func aShortCallerKeyIsRefused() async throws {
        let (directory, path) = try ConfigurationLoadingTests.folder()
        defer { directory.remove() }
        let keyFile = try directory.write("short\n", to: "key")
        let error = await #expect(throws: ConfigError.self) {
            _ = try await SidecarConfiguration.load(configPath: path, environment: ["WXSIDECAR_AUTH_KEY_FILE": keyFile])
        }
        #expect(error?.key == "auth.key_file")
        #expect(error?.message.contains("16 to 1024") == true)
    }
}
