// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import WeChatAPISecurity

extension SidecarConfiguration {
    /// `accounts.<name>.api_security.*`: WeChat's server API signing and encryption for this account's calls to
    /// ``paths``. Keys are read like secrets and never printed.
    public struct ApiSecurity: Sendable {
        /// What the sidecar signs and encrypts with, and verifies answers against.
        public var caller: ApiCaller
        /// `api_security.paths`: the calls treated this way (whitelist syntax: exact paths and `/prefix/*`).
        public var paths: PathWhitelist
        /// The path list as configured, for `check-config`.
        public var pathList: [String]
        /// The symmetric key as the console shows it: for the redactor only.
        var symmetricKeyText: String
    }

    /// The APIs WeChat's guide lists as supporting signing and encryption, which a console that turned it on
    /// expects signed: the default of `api_security.paths`.
    public static let defaultSecuredPaths = [
        "/wxa/business/getuserphonenumber",
        "/wxa/getuserriskrank",
        "/wxa/business/getuserencryptkey",
        "/cgi-bin/express/intracity/*",
    ]

    /// An account's `api_security`, or `nil` when it has none.
    static func loadApiSecurity(_ values: ConfigValues, prefix: String, name: String, appid: String) async throws(ConfigError)
        -> ApiSecurity?
    {
        let section = prefix + "api_security."
        let keys = ["symmetric_key_file", "symmetric_sn", "private_key_file", "private_key_sn", "paths"]
        let certificateSerials = values.mappingKeys.keys(under: prefix + "api_security.certificate_files")
        guard keys.contains(where: { values.string(section + $0) != nil }) || !certificateSerials.isEmpty
            || values.environment[ConfigValues.environmentName(of: section + "symmetric_key")] != nil
        else { return nil }
        let symmetricSN = try values.required(section + "symmetric_sn", hint: "the symmetric key's number (SN) from the console's API 安全 page")
        let privateSN = try values.required(section + "private_key_sn", hint: "the private key's number (SN) from the console's API 安全 page")
        let symmetricText = try await SecretSource.read(
            values, key: section + "symmetric_key", credential: "api-symmetric-key-\(name)",
            what: "the API symmetric key (Base64, from the console)", required: true)
        let symmetric: ApiSymmetricKey
        do {
            symmetric = try ApiSymmetricKey(base64: symmetricText?.value ?? "", sn: symmetricSN)
        } catch {
            throw ConfigError(key: section + "symmetric_key_file", source: symmetricText?.origin ?? "default", message: error.message)
        }
        let signing: ApiSigningKey
        let privateFile = try await pemFile(values, key: section + "private_key_file", credential: "api-private-key-\(name)")
        do {
            signing = try ApiSigningKey(pem: privateFile.text, sn: privateSN)
        } catch {
            throw ConfigError(key: section + "private_key_file", source: privateFile.source, message: "\(privateFile.path): \(error.message)")
        }
        guard !certificateSerials.isEmpty else {
            throw ConfigError(key: section + "certificate_files", source: values.source(of: section + "certificate_files"),
                message: "is required: a mapping of the platform certificate's number (SN) to its file, e.g. { 5a7b…: /etc/wxsidecar/wechat-platform.cer }")
        }
        var certificates: [ApiPlatformCertificate] = []
        for serial in certificateSerials {
            let key = section + "certificate_files." + serial
            let file = try await pemFile(values, key: key, credential: nil)
            do {
                certificates.append(try ApiPlatformCertificate(pem: file.text, sn: serial))
            } catch {
                throw ConfigError(key: key, source: file.source, message: "\(file.path): \(error.message)")
            }
        }
        let pathKey = section + "paths"
        let pathList = values.strings(pathKey).map { $0.trimmingWhitespace() }
        let chosen = pathList.isEmpty ? defaultSecuredPaths : pathList
        guard case .success(let parsed) = PathWhitelist.parse(chosen.joined(separator: "\n")), parsed.whitelist.entryCount == chosen.count else {
            throw ConfigError(key: pathKey, source: values.source(of: pathKey),
                message: "must be a list of API paths as in the whitelist (/wxa/business/getuserphonenumber, /cgi-bin/express/intracity/*)")
        }
        return ApiSecurity(
            caller: ApiCaller(appid: appid, symmetricKey: symmetric, signingKey: signing, certificates: certificates),
            paths: parsed.whitelist, pathList: chosen, symmetricKeyText: symmetricText?.value ?? "")
    }

    /// A PEM file named by `key` (default: the systemd credential `credential`, when there is one): at most 64 KiB.
    private static func pemFile(_ values: ConfigValues, key: String, credential: String?) async throws(ConfigError)
        -> (path: String, text: String, source: String)
    {
        let named = try values.value(key, default: "", expected: "must be a file path") { $0 }
        let fallback = credential.flatMap { name in values.environment["CREDENTIALS_DIRECTORY"].map { $0 + "/" + name } }
        guard let path = named.isEmpty ? fallback : named else {
            throw ConfigError(key: key, source: values.source(of: key), message: "is required: the PEM file the console gave")
        }
        let source = named.isEmpty ? "default" : values.source(of: key)
        let result = (try? await BlockingIO.run { FileChecks.read(path, limit: 64 * 1024) })
            ?? .failure(SystemError(operation: "read", path: path, code: 5))
        switch result {
        case .failure(let error):
            throw ConfigError(key: key, source: source, message: "cannot read \(path): \(error)")
        case .success(let bytes):
            return (path, String(decoding: bytes, as: UTF8.self), source)
        }
    }
}
