// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore

/// Where a secret setting comes from (the AppSecret, the message Token, the EncodingAESKey): its environment
/// variable (`key` → `WXSIDECAR_…`), else the file named by `<key>_file`, whose default is the systemd credential
/// when there is one. Never the configuration file itself, which is read by more people than a secret should be.
/// Surrounding whitespace and a trailing newline are ignored; the value must be one line of ASCII without spaces.
enum SecretSource {
    /// The secret, or `nil` when it is optional and nothing names it.
    ///
    /// - Parameters:
    ///   - key: the setting, e.g. `accounts.shop.message.token`; its file is `<key>_file`.
    ///   - credential: the systemd credential name used when `$CREDENTIALS_DIRECTORY` is set.
    ///   - fallbackFile: the file read when nothing else names one.
    ///   - what: the secret in words, for errors.
    static func read(
        _ values: ConfigValues, key: String, credential: String, fallbackFile: String? = nil, what: String,
        required: Bool
    ) async throws(ConfigError) -> SidecarConfiguration.Secret? {
        let variable = ConfigValues.environmentName(of: key)
        if let fromEnvironment = values.environment[variable]?.trimmingWhitespace(), !fromEnvironment.isEmpty {
            return SidecarConfiguration.Secret(value: fromEnvironment, origin: "environment variable \(variable)")
        }
        let fileKey = key + "_file"
        if values.string(key) != nil {
            throw ConfigError(key: key, source: values.configPath,
                message: "\(what) must not be written in the configuration file: put it in a file named by \(fileKey), or set \(variable)")
        }
        let credentialFile = values.environment["CREDENTIALS_DIRECTORY"].map { $0 + "/" + credential }
        let named = try values.value(fileKey, default: "", expected: "must be a file path") { $0 }
        let path: String
        let source: String
        if !named.isEmpty {
            (path, source) = (named, values.source(of: fileKey))
        } else if let fallback = credentialFile ?? fallbackFile {
            let exists = (try? await BlockingIO.run { FileChecks.isReadableFile(fallback) }) ?? false
            if !exists && !required { return nil }
            (path, source) = (fallback, "default")
        } else if required {
            throw ConfigError(key: fileKey, source: values.source(of: fileKey),
                message: "is required: name the file holding \(what), or set \(variable)")
        } else {
            return nil
        }
        let result = (try? await BlockingIO.run { FileChecks.read(path, limit: 4096) })
            ?? .failure(SystemError(operation: "read", path: path, code: 5))
        switch result {
        case .failure(let error):
            throw ConfigError(key: fileKey, source: source,
                message: "cannot read \(what): \(error); put it in that file or set \(variable)")
        case .success(let bytes):
            let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
            guard !text.isEmpty, bytes.count <= 4096, !text.contains(where: { $0.isWhitespace || !$0.isASCII }) else {
                throw ConfigError(key: fileKey, source: source,
                    message: "\(path) must hold \(what) alone on one line (it is empty or has spaces or non-ASCII bytes)")
            }
            return SidecarConfiguration.Secret(value: text, origin: path)
        }
    }
}
