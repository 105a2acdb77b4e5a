// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore

extension SidecarConfiguration {
    // MARK: Caller restriction

    /// `auth.*`, `allow_cidrs`, `listen_socket_mode`, `allow_insecure_listen`, checked against `listen`:
    /// a non-loopback TCP bind needs a key or `allow_cidrs` unless `allow_insecure_listen` is true.
    static func loadCallers(
        _ values: ConfigValues, listen: ListenAddress, accounts: [Account]
    ) async throws(ConfigError) -> Callers {
        var callers = Callers()
        let keyFile = try values.value("auth.key_file", default: "", expected: "must be a file path") { $0 }
        if !keyFile.isEmpty {
            callers.keyFile = keyFile
            callers.key = try await readKey(keyFile, key: "auth.key_file", source: values.source(of: "auth.key_file"))
        }
        for account in accounts where !account.keyPrefix.isEmpty {
            let key = account.keyPrefix + "auth.key_file"
            let file = try values.value(key, default: "", expected: "must be a file path") { $0 }
            guard !file.isEmpty else { continue }
            if let index = callers.accountKeys.firstIndex(where: { $0.file == file }) {
                callers.accountKeys[index].appids.insert(account.appid)
                continue
            }
            let value = try await readKey(file, key: key, source: values.source(of: key))
            if value == callers.key {
                throw ConfigError(key: key, source: values.source(of: key),
                    message: "\(file) holds the key of auth.key_file, which may use every account; give this account its own key")
            }
            callers.accountKeys.append(AccountKey(value: value, file: file, appids: [account.appid]))
        }
        callers.keyHeader = try values.value("auth.header", default: "x-wxsidecar-key",
            expected: "must be a header name of letters, digits and dashes") { text in
                let lower = text.lowercased()
                return !lower.isEmpty && lower.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) ? lower : nil
            }
        callers.allowCIDRs = try loadCIDRs(values)
        callers.socketMode = try values.value("listen_socket_mode", default: UInt32(0o660),
            expected: "must be octal permission bits that let the owner read and write and do not let others write, e.g. \"0660\"",
            FileModeParser.parse)
        callers.allowInsecureListen = try values.value("allow_insecure_listen", default: false,
            expected: "must be true or false") { Bool($0.lowercased()) }
        if !listen.isLoopback, !callers.requiresKey, callers.allowCIDRs.isEmpty, !callers.allowInsecureListen {
            throw ConfigError(
                key: "listen", source: values.source(of: "listen"),
                message: "\(listen) accepts callers from other machines, which would let anyone who can reach it spend this account's quota; set auth.key_file or allow_cidrs, bind 127.0.0.1 or a unix: socket, or set allow_insecure_listen: true")
        }
        return callers
    }

    private static func loadCIDRs(_ values: ConfigValues) throws(ConfigError) -> [CIDRBlock] {
        var blocks: [CIDRBlock] = []
        for text in values.strings("allow_cidrs") {
            guard let block = CIDRBlock(parsing: text.trimmingWhitespace()) else {
                throw ConfigError(key: "allow_cidrs", source: values.source(of: "allow_cidrs"),
                    message: "\"\(text)\" is not an address block like 10.0.0.0/8, 192.168.1.10 or fd00::/8 (host bits must be zero)")
            }
            blocks.append(block)
        }
        return blocks
    }

    private static func readKey(_ path: String, key configKey: String, source: String) async throws(ConfigError) -> String {
        let result = (try? await BlockingIO.run { FileChecks.read(path, limit: 4096) })
            ?? .failure(SystemError(operation: "read", path: path, code: 5))
        guard case .success(let bytes) = result else {
            throw ConfigError(key: configKey, source: source, message: "cannot read the caller key: \(result)")
        }
        let key = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
        guard key.utf8.count >= 16, key.utf8.count <= 1024, key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw ConfigError(key: configKey, source: source,
                message: "\(path) must hold one key of 16 to 1024 printable ASCII characters (e.g. `openssl rand -hex 32`)")
        }
        return key
    }

    // MARK: Quota guard

    /// `rate_limits` (or an account's): `["/wxa/msg_sec_check 4000/minute", "/wxa/getwxacode 5000/day"]`.
    static func loadRateLimits(_ values: ConfigValues, key: String) throws(ConfigError) -> [RateLimitRule] {
        var rules: [RateLimitRule] = []
        for text in values.strings(key) {
            switch RateLimitRule.parse(text.trimmingWhitespace()) {
            case .success(let rule): rules.append(rule)
            case .failure(let error):
                throw ConfigError(key: key, source: values.source(of: key), message: error.message)
            }
        }
        return rules
    }
}
