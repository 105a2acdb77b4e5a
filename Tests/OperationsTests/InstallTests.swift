// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Sidecar
import TestSupport
import Testing

/// `make install DESTDIR=… BINARY=…` and `make uninstall`: the layout, the unit's paths in step with PREFIX,
/// and an operator's configuration never overwritten.
@Suite("make install")
struct InstallTests {
    /// The package root (this file is Tests/OperationsTests/InstallTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Runs `make -C root target variables…`; returns its exit status and output.
    func make(_ target: String, _ variables: [String: String]) async throws -> (status: Int32, output: String) {
        try await runToCompletion(
            "/usr/bin/env", ["make", "--no-print-directory", "-C", Self.root, target]
                + variables.map { "\($0.key)=\($0.value)" }.sorted())
    }

    func install(into directory: TemporaryDirectory, _ extra: [String: String] = [:]) async throws -> String {
        let result = try await make("install", ["DESTDIR": directory.path, "BINARY": DaemonProcess.executable].merging(extra) { $1 })
        try #require(result.status == 0, "make install failed:\n\(result.output)")
        return result.output
    }

    func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test("the default PREFIX puts the binary, unit, sysusers entry, docs and /etc/wxsidecar in place")
    func defaultLayout() async throws {
        let directory = try TemporaryDirectory(prefix: "wxsidecar-install")
        _ = try await install(into: directory)
        let d = directory.path
        #expect(try mode(d + "/usr/local/bin/wxsidecar") == 0o755)
        #expect(try mode(d + "/usr/local/lib/systemd/system/wxsidecar.service") == 0o644)
        for file in [
            "/usr/local/lib/sysusers.d/wxsidecar.conf", "/usr/local/share/doc/wxsidecar/operations.md",
            "/usr/local/share/doc/wxsidecar/examples/wxsidecar.yaml", "/usr/local/share/doc/wxsidecar/examples/whitelist.txt",
            "/etc/wxsidecar/wxsidecar.yaml", "/etc/wxsidecar/whitelist.txt",
            "/usr/local/share/bash-completion/completions/wxsidecar", "/usr/local/share/zsh/site-functions/_wxsidecar",
        ] {
            #expect(FileManager.default.fileExists(atPath: d + file), "\(file) missing")
        }
        #expect(!FileManager.default.fileExists(atPath: d + "/etc/wxsidecar/appsecret"), "the secret is the operator's")
        let unit = try String(contentsOfFile: d + "/usr/local/lib/systemd/system/wxsidecar.service", encoding: .utf8)
        #expect(unit.contains("\nExecStart=/usr/local/bin/wxsidecar run --config /etc/wxsidecar/wxsidecar.yaml\n"))
        #expect(unit.contains("\nExecReload=/usr/local/bin/wxsidecar reload $MAINPID\n"))
        #expect(unit.contains("\nLoadCredential=appsecret:/etc/wxsidecar/appsecret\n"))
    }

    @Test("PREFIX=/usr and SYSCONFDIR move the files and the unit's paths together")
    func prefixRewritesUnit() async throws {
        let directory = try TemporaryDirectory(prefix: "wxsidecar-install")
        _ = try await install(into: directory, ["PREFIX": "/usr", "SYSCONFDIR": "/opt/etc"])
        let unit = try String(contentsOfFile: directory.path + "/usr/lib/systemd/system/wxsidecar.service", encoding: .utf8)
        #expect(FileManager.default.isExecutableFile(atPath: directory.path + "/usr/bin/wxsidecar"))
        #expect(unit.contains("\nExecStart=/usr/bin/wxsidecar run --config /opt/etc/wxsidecar/wxsidecar.yaml\n"))
        #expect(unit.contains("\nLoadCredential=appsecret:/opt/etc/wxsidecar/appsecret\n"))
        #expect(unit.contains("Documentation=file:///usr/share/doc/wxsidecar/operations.md"))
        #expect(!unit.contains("/usr/local"))
        #expect(FileManager.default.fileExists(atPath: directory.path + "/usr/share/zsh/vendor-completions/_wxsidecar"))
        let config = try String(contentsOfFile: directory.path + "/opt/etc/wxsidecar/wxsidecar.yaml", encoding: .utf8)
        #expect(config.contains(#"file: "/opt/etc/wxsidecar/whitelist.txt""#))
    }

    @Test("an existing configuration and whitelist are kept; the examples are refreshed")
    func keepsExistingConfiguration() async throws {
        let directory = try TemporaryDirectory(prefix: "wxsidecar-install")
        try FileManager.default.createDirectory(atPath: directory.path("etc/wxsidecar"), withIntermediateDirectories: true)
        try directory.write("# the operator's config\n", to: "etc/wxsidecar/wxsidecar.yaml")
        try directory.write("/cgi-bin/operator/path\n", to: "etc/wxsidecar/whitelist.txt")
        let output = try await install(into: directory)
        #expect(output.contains("kept /etc/wxsidecar/wxsidecar.yaml"))
        #expect(try String(contentsOfFile: directory.path("etc/wxsidecar/wxsidecar.yaml"), encoding: .utf8) == "# the operator's config\n")
        #expect(try String(contentsOfFile: directory.path("etc/wxsidecar/whitelist.txt"), encoding: .utf8) == "/cgi-bin/operator/path\n")
        _ = try await install(into: directory)
        #expect(try String(contentsOfFile: directory.path("etc/wxsidecar/wxsidecar.yaml"), encoding: .utf8) == "# the operator's config\n")
        #expect(FileManager.default.fileExists(atPath: directory.path("usr/local/share/doc/wxsidecar/examples/wxsidecar.yaml")))
    }

    @Test("the installed configuration agrees with the unit: token in RuntimeDirectory, secret from the credential")
    func installedConfigurationMatchesUnit() async throws {
        let directory = try TemporaryDirectory(prefix: "wxsidecar-install")
        _ = try await install(into: directory)
        try FileManager.default.createDirectory(atPath: directory.path("credentials"), withIntermediateDirectories: true)
        try directory.write("secret-from-systemd\n", to: "credentials/appsecret")
        let configuration = try await SidecarConfiguration.load(
            configPath: directory.path("etc/wxsidecar/wxsidecar.yaml"),
            environment: ["CREDENTIALS_DIRECTORY": directory.path("credentials")])
        #expect(configuration.secret.value == "secret-from-systemd")
        #expect(configuration.token.file == "/run/wxsidecar/cloudbase_access_token")
        #expect(configuration.whitelist.file == "/etc/wxsidecar/whitelist.txt")
        #expect(configuration.listen == ListenAddress(host: "127.0.0.1", port: 8098))
        let unit = try String(contentsOfFile: directory.path("usr/local/lib/systemd/system/wxsidecar.service"), encoding: .utf8)
        #expect(unit.contains("\nRuntimeDirectory=wxsidecar\n"), "token.file lives in /run/wxsidecar")
        #expect(unit.contains("\nGroup=wxsidecar\n"))
    }

    @Test("make uninstall removes what install added and keeps /etc/wxsidecar")
    func uninstall() async throws {
        let directory = try TemporaryDirectory(prefix: "wxsidecar-install")
        _ = try await install(into: directory)
        let result = try await make("uninstall", ["DESTDIR": directory.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("usr/local/bin/wxsidecar")))
        #expect(!FileManager.default.fileExists(atPath: directory.path("usr/local/lib/systemd/system/wxsidecar.service")))
        #expect(!FileManager.default.fileExists(atPath: directory.path("usr/local/share/doc/wxsidecar")))
        #expect(FileManager.default.fileExists(atPath: directory.path("etc/wxsidecar/wxsidecar.yaml")))
    }
}
