// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Sidecar
import SidecarCore
import TestSupport
import Testing
import WeChatAPISecurity

/// `accounts.<name>.api_security.*`: the guide's keys load, the default path list, and every error names its key
/// without printing a key.
@Suite struct ApiSecurityConfigurationTests {
    typealias V = ApiSecurityVectors

    /// The shop account with `lines` under `api_security:` (DIR is the folder holding the key files).
    static func load(_ lines: [String], environment: [String: String] = ["WXSIDECAR_ACCOUNTS_SHOP_API_SECURITY_SYMMETRIC_KEY": V.symmetricKey])
        async throws -> Result<SidecarConfiguration, ConfigError>
    {
        try await AccountsConfigurationTests.load({ directory in
            _ = try? directory.write(V.privateKeyPEM, to: "app.pem")
            _ = try? directory.write(V.platformCertificatePEM, to: "platform.cer")
            _ = try? directory.write(V.platformPublicKeyPEM, to: "platform-public.pem")
            _ = try? directory.write("not a key\n", to: "junk.pem")
            let section = "    api_security:\n" + lines.map { "      " + $0.replacingOccurrences(of: "DIR", with: directory.path) }.joined(separator: "\n")
            return AccountsConfigurationTests.twoAccounts(directory, extraShop: section)
        }, environment: environment)
    }

    static let complete = [
        "symmetric_sn: \(V.symmetricKeySN)", "private_key_file: DIR/app.pem", "private_key_sn: \(V.privateKeySN)",
        "certificate_files:", "  \(V.platformCertificateSN): DIR/platform.cer",
    ]

    @Test func theGuidesKeysLoadWithTheDefaultPaths() async throws {
        let configuration = try await Self.load(Self.complete).get()
        let security = try #require(configuration.accounts[0].apiSecurity)
        #expect(security.pathList == SidecarConfiguration.defaultSecuredPaths)
        #expect(security.caller.certificates.keys.sorted() == [V.platformCertificateSN])
        #expect(configuration.accounts[1].apiSecurity == nil)
        let described = configuration.effectiveDescription
        #expect(!described.contains(V.symmetricKey))
        #expect(described.contains("api_security"))
        let paths = try await Self.load(Self.complete + ["paths: [/wxa/getuserriskrank, /cgi-bin/express/intracity/*]"]).get()
        #expect(paths.accounts[0].apiSecurity?.pathList == ["/wxa/getuserriskrank", "/cgi-bin/express/intracity/*"])
        // A public key in place of the certificate works too.
        let keyOnly = Self.complete.dropLast() + ["  \(V.platformCertificateSN): DIR/platform-public.pem"]
        #expect(try await Self.load(Array(keyOnly)).get().accounts[0].apiSecurity != nil)
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        var name: String
        var lines: [String]
        var environment: [String: String] = ["WXSIDECAR_ACCOUNTS_SHOP_API_SECURITY_SYMMETRIC_KEY": V.symmetricKey]
        var key: String
        var fragment: String
        var testDescription: String { name }
    }

    static let prefix = "accounts.shop.api_security."

    static func replacing(_ index: Int, with line: String) -> [String] {
        var lines = complete
        lines[index] = line
        return lines
    }

    static let invalid: [Invalid] = [
        Invalid(name: "no symmetric key", lines: complete, environment: [:], key: prefix + "symmetric_key_file", fragment: "is required"),
        Invalid(name: "a symmetric key of 16 bytes", lines: complete, environment: ["WXSIDECAR_ACCOUNTS_SHOP_API_SECURITY_SYMMETRIC_KEY": Data(count: 16).base64EncodedString()], key: prefix + "symmetric_key_file", fragment: "32 bytes"),
        Invalid(name: "the symmetric key written in the file", lines: complete + ["symmetric_key: \(V.symmetricKey)"], environment: [:], key: prefix + "symmetric_key", fragment: "must not be written in the configuration file"),
        Invalid(name: "no symmetric SN", lines: Array(complete.dropFirst()), key: prefix + "symmetric_sn", fragment: "is required"),
        Invalid(name: "a key number with symbols", lines: replacing(0, with: "symmetric_sn: \"fa05-fe1e\""), key: prefix + "symmetric_key_file", fragment: "letters and digits"),
        Invalid(name: "a missing private key file", lines: replacing(1, with: "private_key_file: DIR/nope.pem"), key: prefix + "private_key_file", fragment: "cannot read"),
        Invalid(name: "a certificate given as the private key", lines: replacing(1, with: "private_key_file: DIR/platform.cer"), key: prefix + "private_key_file", fragment: "PRIVATE KEY"),
        Invalid(name: "junk as the private key", lines: replacing(1, with: "private_key_file: DIR/junk.pem"), key: prefix + "private_key_file", fragment: "PRIVATE KEY"),
        Invalid(name: "no certificate", lines: Array(complete.prefix(3)), key: prefix + "certificate_files", fragment: "is required"),
        Invalid(name: "the private key given as the certificate", lines: replacing(4, with: "  \(V.platformCertificateSN): DIR/app.pem"), key: prefix + "certificate_files.\(V.platformCertificateSN)", fragment: "CERTIFICATE"),
        Invalid(name: "a certificate number with symbols", lines: replacing(4, with: "  \"79ba-700e\": DIR/platform.cer"), key: prefix + "certificate_files.79ba-700e", fragment: "letters and digits"),
        Invalid(name: "a path that is not one", lines: complete + ["paths: [wxa/nothing]"], key: prefix + "paths", fragment: "list of API paths"),
    ]

    @Test(arguments: invalid)
    func refused(_ testCase: Invalid) async throws {
        guard case .failure(let error) = try await Self.load(testCase.lines, environment: testCase.environment) else {
            Issue.record("accepted")
            return
        }
        #expect(error.key == testCase.key)
        #expect(error.message.contains(testCase.fragment), "\(error.message)")
        #expect(!error.message.contains(V.symmetricKey) && !error.message.contains("MII"))
    }
}
