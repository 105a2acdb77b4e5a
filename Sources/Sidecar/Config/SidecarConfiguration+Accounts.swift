// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore

extension SidecarConfiguration {
    /// The token file of the default account, where WeChat Cloud Hosting's code reads it.
    public static let cloudHostingTokenFile = "/.tencentcloudbase/wx/cloudbase_access_token"

    /// The other accounts' default token file.
    public static func defaultTokenFile(appid: String) -> String {
        "/.tencentcloudbase/wx/\(appid)/cloudbase_access_token"
    }

    // MARK: Accounts

    /// `accounts.<name>.*` in file order, or the top-level `appid` (and its keys) as one account named `default`.
    /// Duplicate appids and two accounts writing one file are errors naming the later account's key.
    static func loadAccounts(
        _ values: ConfigValues, whitelist: Whitelist, rateLimits: [RateLimitRule]
    ) async throws(ConfigError) -> [Account] {
        let names = values.mappingKeys.keys(under: "accounts")
        guard !names.isEmpty else {
            if values.string("accounts") != nil {
                throw ConfigError(key: "accounts", source: values.source(of: "accounts"),
                    message: "must be a mapping of account names to settings, e.g. accounts: { shop: { appid: wx…, … } }")
            }
            return [try await loadAccount(values, name: "default", prefix: "", index: 0, whitelist: whitelist, rateLimits: rateLimits)]
        }
        if values.string("appid") != nil {
            throw ConfigError(key: "appid", source: values.source(of: "appid"),
                message: "set either a top-level appid (one account) or accounts (several), not both; move it under accounts")
        }
        var accounts: [Account] = []
        for (index, name) in names.enumerated() {
            guard Self.isAccountName(name) else {
                throw ConfigError(key: "accounts.\(name)", source: values.configPath,
                    message: "an account name must be 1 to 32 lowercase letters, digits or _, starting with a letter (it becomes a metric label and an environment variable name)")
            }
            let account = try await loadAccount(
                values, name: name, prefix: "accounts.\(name).", index: index, whitelist: whitelist, rateLimits: rateLimits)
            try checkDistinct(account, from: accounts, values: values)
            accounts.append(account)
        }
        return accounts
    }

    static func isAccountName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first >= 0x61, first <= 0x7A, name.utf8.count <= 32 else { return false }
        return name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    private static func loadAccount(
        _ values: ConfigValues, name: String, prefix: String, index: Int, whitelist: Whitelist,
        rateLimits: [RateLimitRule]
    ) async throws(ConfigError) -> Account {
        let appidKey = prefix + "appid"
        let appid = try values.required(appidKey, hint: "the AppID of the mini program or official account, e.g. wx0123456789abcdef")
        guard appid.utf8.count <= 64, appid.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw ConfigError(key: appidKey, source: values.source(of: appidKey), message: "must be letters and digits, e.g. wx0123456789abcdef, got \"\(appid)\"")
        }
        let kind = try values.value(prefix + "kind", default: AccountKind.miniprogram,
            expected: "must be \"miniprogram\" or \"officialaccount\"") { AccountKind(rawValue: $0.lowercased()) }
        let defaultFile = index == 0 ? cloudHostingTokenFile : defaultTokenFile(appid: appid)
        let token = try loadToken(values, prefix: prefix, defaultFile: defaultFile)
        let ownWhitelist = prefix.isEmpty
            ? whitelist
            : Whitelist(file: try values.value(prefix + "whitelist.file", default: whitelist.file, expected: "must be a file path", nonEmpty))
        let ownRules = prefix.isEmpty ? [] : try loadRateLimits(values, key: prefix + "rate_limits")
        let tickets = try loadTickets(values, prefix: prefix, kind: kind)
        var ticketFiles: [TicketKind: String] = [:]
        for ticket in TicketKind.allCases {
            let file = try values.value(prefix + "ticket_files.\(ticket.rawValue)", default: "", expected: "must be a file path") { $0 }
            if !file.isEmpty { ticketFiles[ticket] = file }
        }
        let secret = try await loadSecret(values, prefix: prefix, name: name)
        let message = try await loadMessage(values, prefix: prefix, name: name, appid: appid)
        let apiSecurity = try await loadApiSecurity(values, prefix: prefix, name: name, appid: appid)
        return Account(
            name: name, appid: appid, kind: kind, secret: secret, token: token, whitelist: ownWhitelist,
            rateLimits: ownRules.isEmpty ? rateLimits : ownRules, tickets: tickets, ticketFiles: ticketFiles,
            keyPrefix: prefix, message: message, apiSecurity: apiSecurity)
    }

    /// Refuses an account whose appid or files another account already has.
    private static func checkDistinct(_ account: Account, from earlier: [Account], values: ConfigValues) throws(ConfigError) {
        let prefix = account.keyPrefix
        if let other = earlier.first(where: { $0.appid == account.appid }) {
            throw ConfigError(key: prefix + "appid", source: values.source(of: prefix + "appid"),
                message: "\(account.appid) is already account \(other.name)'s appid; each account must have its own")
        }
        let files = [("token.file", account.token.file)] + (account.token.metadataFile.map { [("token.metadata_file", $0)] } ?? [])
            + account.ticketFiles.sorted { $0.key < $1.key }.map { ("ticket_files.\($0.key.rawValue)", $0.value) }
        for (key, file) in files {
            for other in earlier where other.writtenFiles.contains(file) {
                throw ConfigError(key: prefix + key, source: values.source(of: prefix + key),
                    message: "\(file) is already written by account \(other.name); give each account its own file")
            }
        }
    }

    // MARK: Sections of an account

    /// `token.*` of an account; in `accounts.<name>.` the top-level `token.mode`, `token.file_mode` and
    /// `token.refresh_interval` are the defaults.
    private static func loadToken(_ values: ConfigValues, prefix: String, defaultFile: String) throws(ConfigError) -> Token {
        func key(_ suffix: String) -> String {
            prefix.isEmpty || values.string(prefix + suffix) != nil || values.string(suffix) == nil ? prefix + suffix : suffix
        }
        let mode = try values.value(key("token.mode"), default: TokenMode.stable,
            expected: "must be \"stable\" (POST /cgi-bin/stable_token, safe for many instances) or \"classic\" (GET /cgi-bin/token)") {
                TokenMode(rawValue: $0.lowercased())
            }
        let file = try values.value(prefix + "token.file", default: defaultFile, expected: "must be a file path", nonEmpty)
        let fileMode = try values.value(key("token.file_mode"), default: UInt32(0o640),
            expected: "must be octal permission bits that let the owner read and write and do not let others write, e.g. \"0640\"",
            FileModeParser.parse)
        let interval = try values.value(key("token.refresh_interval"), default: 600,
            expected: "must be a duration from 10 seconds to 2 hours, e.g. 600 or 10m") { text in
                Seconds.parse(text).flatMap { (10...7200).contains($0) ? Int($0) : nil }
            }
        let metadata = try values.value(prefix + "token.metadata_file", default: "", expected: "must be a file path") { $0 }
        return Token(mode: mode, file: file, fileMode: fileMode, refreshInterval: interval,
            metadataFile: metadata.isEmpty ? nil : metadata)
    }

    /// `tickets`: a list of `jsapi`, `wx_card`; official accounts keep both unless it says otherwise.
    private static func loadTickets(_ values: ConfigValues, prefix: String, kind: AccountKind) throws(ConfigError) -> [TicketKind] {
        let key = prefix + "tickets"
        guard values.string(key) != nil || !values.strings(key).isEmpty else {
            return kind == .officialaccount ? [.jsapi, .wxCard] : []
        }
        var tickets: [TicketKind] = []
        for text in values.strings(key) {
            let word = text.trimmingWhitespace().lowercased()
            if word == "none" { continue }
            guard let ticket = TicketKind(rawValue: word) else {
                throw ConfigError(key: key, source: values.source(of: key),
                    message: "\"\(text)\" is not a ticket: give a list of jsapi, wx_card (or none)")
            }
            if !tickets.contains(ticket) { tickets.append(ticket) }
        }
        return tickets
    }

    /// The AppSecret: the environment variable (`WXSIDECAR_SECRET`, or `WXSIDECAR_ACCOUNTS_<NAME>_SECRET`), else
    /// `secret_file`, whose default is the systemd credential when there is one (see ``SecretSource``).
    private static func loadSecret(_ values: ConfigValues, prefix: String, name: String) async throws(ConfigError) -> Secret {
        let secret = try await SecretSource.read(
            values, key: prefix + "secret", credential: prefix.isEmpty ? "appsecret" : "appsecret-\(name)",
            fallbackFile: prefix.isEmpty ? "/etc/wxsidecar/appsecret" : "/etc/wxsidecar/\(name).secret",
            what: "the AppSecret", required: true)
        guard let secret else { preconditionFailure("a required secret with a fallback file is read or refused") }
        return secret
    }
}

extension SidecarConfiguration.Account {
    /// Every file the sidecar writes for this account.
    var writtenFiles: [String] {
        [token.file] + (token.metadataFile.map { [$0] } ?? []) + ticketFiles.values.sorted()
    }
}
