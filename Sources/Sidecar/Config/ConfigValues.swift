// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Configuration
import SystemPackage

/// Raw configuration values by dotted key, with where each came from: environment variables
/// (`WXSIDECAR_` + the key in upper snake case) override the YAML file, which overrides defaults.
struct ConfigValues: Sendable {
    let reader: ConfigReader
    let environment: [String: String]
    let configPath: String
    let fileExists: Bool
    /// The names of the file's mappings (`accounts`, `auth.keys`), in file order.
    let mappingKeys: MappingKeys

    /// Reads the YAML file (if present) and the environment.
    static func load(configPath: String, required: Bool, environment: [String: String]) async throws(ConfigError)
        -> ConfigValues
    {
        let exists: Bool
        do {
            exists = try await BlockingIO.run { FileChecks.isReadableFile(configPath) }
        } catch {
            throw ConfigError(key: "config", source: configPath, message: "cannot be read: \(error)")
        }
        if !exists && required {
            throw ConfigError(
                key: "config", source: configPath,
                message: "the configuration file does not exist or is not readable; pass --config PATH or set WXSIDECAR_CONFIG")
        }
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(
                environmentVariables: environment,
                secretsSpecifier: .specific(["WXSIDECAR_SECRET"])
            ).prefixKeys(with: "wxsidecar")
        ]
        var mappingKeys = MappingKeys.none
        if exists {
            do {
                providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(configPath)))
                let text = try await BlockingIO.run { try FileChecks.read(configPath, limit: 1 << 20).get() }
                mappingKeys = try MappingKeys(yaml: String(decoding: text, as: UTF8.self))
            } catch {
                throw ConfigError(
                    key: "config", source: configPath,
                    message: "is not a valid YAML mapping of the documented keys: \(error)")
            }
        }
        return ConfigValues(
            reader: ConfigReader(providers: providers), environment: environment, configPath: configPath,
            fileExists: exists, mappingKeys: mappingKeys)
    }

    /// The environment variable that overrides `key`: `token.file_mode` → `WXSIDECAR_TOKEN_FILE_MODE`.
    static func environmentName(of key: String) -> String {
        "WXSIDECAR_" + key.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    /// Where `key`'s value comes from, for error messages.
    func source(of key: String) -> String {
        let name = Self.environmentName(of: key)
        if environment[name] != nil { return "environment variable \(name)" }
        return fileExists ? configPath : "default (no file at \(configPath))"
    }

    /// The value as text, `nil` when unset (numbers and booleans in YAML arrive as their text).
    func string(_ key: String) -> String? {
        reader.string(forKey: ConfigKey(key))
    }

    /// A list: a YAML sequence of strings, or comma-separated text (the environment's form). Empty when unset.
    func strings(_ key: String) -> [String] {
        if let list = reader.stringArray(forKey: ConfigKey(key)) { return list.filter { !$0.trimmingWhitespace().isEmpty } }
        guard let text = string(key) else { return [] }
        return text.split(separator: ",").map(String.init).filter { !$0.trimmingWhitespace().isEmpty }
    }

    /// A value parsed by `parse`; a value it rejects becomes a ``ConfigError`` naming the key.
    func value<Value>(
        _ key: String, default defaultValue: Value, expected: String,
        _ parse: (String) -> Value?
    ) throws(ConfigError) -> Value {
        guard let text = string(key) else { return defaultValue }
        guard let value = parse(text.trimmingWhitespace()) else {
            throw ConfigError(key: key, source: source(of: key), message: "\(expected), got \"\(text)\"")
        }
        return value
    }

    /// A value that must be set and non-empty.
    func required(_ key: String, hint: String) throws(ConfigError) -> String {
        guard let text = string(key)?.trimmingWhitespace(), !text.isEmpty else {
            throw ConfigError(key: key, source: source(of: key), message: "is required: \(hint)")
        }
        return text
    }
}
