// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Sidecar
import TestSupport
import Testing

/// The AppSecret from systemd's `LoadCredential=appsecret:…`, i.e. `$CREDENTIALS_DIRECTORY/appsecret`.
@Suite("credentials")
struct CredentialsTests {
    static let yaml = """
        appid: "wx0123456789abcdef"
        token:
          file: "/run/wxsidecar/cloudbase_access_token"

        """

    @Test("without secret_file the AppSecret is read from $CREDENTIALS_DIRECTORY/appsecret")
    func readsCredential() async throws {
        let directory = try TemporaryDirectory(prefix: "wxsidecar-credentials")
        try FileManager.default.createDirectory(atPath: directory.path("credentials"), withIntermediateDirectories: true)
        try directory.write("from-credential\n", to: "credentials/appsecret")
        let config = try directory.write(Self.yaml, to: "wxsidecar.yaml")
        let configuration = try await SidecarConfiguration.load(
            configPath: config, environment: ["CREDENTIALS_DIRECTORY": directory.path("credentials")])
        #expect(configuration.secret.value == "from-credential")
        #expect(configuration.secret.origin == directory.path("credentials/appsecret"))
        #expect(!"\(configuration.secret)".contains("from-credential"))
    }

    @Test("a missing credential stops the start, naming secret_file and the path")
    func missingCredential() async throws {
        let directory = try TemporaryDirectory(prefix: "wxsidecar-credentials")
        let config = try directory.write(Self.yaml, to: "wxsidecar.yaml")
        let error = await #expect(throws: ConfigError.self) {
            try await SidecarConfiguration.load(
                configPath: config, environment: ["CREDENTIALS_DIRECTORY": directory.path("empty")])
        }
        #expect(error?.key == "secret_file")
        #expect(error?.description.contains(directory.path("empty/appsecret")) == true)
    }

    @Test("an explicit secret_file wins over the credential (why the installed config leaves it unset)")
    func explicitFileWins() async throws {
        let directory = try TemporaryDirectory(prefix: "wxsidecar-credentials")
        try FileManager.default.createDirectory(atPath: directory.path("credentials"), withIntermediateDirectories: true)
        try directory.write("from-credential", to: "credentials/appsecret")
        let file = try directory.write("from-file", to: "appsecret")
        let config = try directory.write(Self.yaml + "secret_file: \"\(file)\"\n", to: "wxsidecar.yaml")
        let configuration = try await SidecarConfiguration.load(
            configPath: config, environment: ["CREDENTIALS_DIRECTORY": directory.path("credentials")])
        #expect(configuration.secret.value == "from-file")
    }
}
