// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging

/// Builds every account's token owner, whitelist and quota from the configuration.
enum AccountAssembly {
    /// The accounts, with the warnings their token directories raised (logged by the caller).
    /// - Throws: ``ConfigError`` for an unsafe or unwritable token directory or an invalid whitelist.
    static func build(
        _ configuration: SidecarConfiguration, routes: UpstreamRoutes, metrics: SidecarMetrics, redactor: Redactor,
        logger: Logger
    ) async throws(ConfigError) -> AccountDirectory {
        var stores: [String: WhitelistStore] = [:]
        var accounts: [ServedAccount] = []
        for account in configuration.accounts {
            var accountLogger = logger
            accountLogger[metadataKey: "wxsidecar.appid"] = "\(account.appid)"
            let (tokenFile, warnings) = try await prepareTokenFile(account, configPath: configuration.configPath)
            for warning in warnings {
                accountLogger.warning("\(warning)", metadata: ["wxsidecar.token.file": "\(account.token.file)"])
            }
            let whitelist: WhitelistStore
            if let shared = stores[account.whitelist.file] {
                whitelist = shared
            } else {
                do {
                    whitelist = WhitelistStore(try await WhitelistWatcher.initialLoad(path: account.whitelist.file, logger: logger))
                } catch {
                    // An account's own file is named by the account's key.
                    throw account.whitelist.file == configuration.whitelist.file
                        ? error : ConfigError(key: account.keyPrefix + error.key, source: error.source, message: error.message)
                }
                stores[account.whitelist.file] = whitelist
            }
            let accountMetrics = metrics.account(account.appid)
            let tokens = TokenState()
            let endpoint = TokenEndpoint(
                mode: account.token.mode, appid: account.appid, secret: account.secret.value, routes: routes,
                redactor: redactor)
            let probe = TokenProbe(routes: routes)
            let refresher = TokenRefresher(
                endpoint: endpoint, probe: probe, state: tokens, file: tokenFile, policy: account.refreshPolicy,
                metrics: accountMetrics, redactor: redactor, logger: accountLogger)
            let tickets = TicketState(kinds: account.tickets)
            var keeper: TicketKeeper?
            if !account.tickets.isEmpty {
                keeper = TicketKeeper(
                    kinds: account.tickets,
                    endpoint: TicketEndpoint(routes: routes),
                    tokens: tokens, refresher: refresher, state: tickets,
                    files: try await prepareTicketFiles(account, configPath: configuration.configPath),
                    policy: account.refreshPolicy, metrics: accountMetrics, logger: accountLogger)
            }
            accounts.append(ServedAccount(
                name: account.name, appid: account.appid, kind: account.kind, tokens: tokens, refresher: refresher,
                whitelist: whitelist, metrics: accountMetrics, tickets: tickets, ticketKeeper: keeper,
                configuration: account, tokenFile: tokenFile,
                quota: QuotaGuard(rules: account.rateLimits, metrics: accountMetrics)))
        }
        return AccountDirectory(all: accounts)
    }

    /// The writers of the account's ticket files, their directories created (safely) and checked.
    static func prepareTicketFiles(
        _ account: SidecarConfiguration.Account, configPath: String
    ) async throws(ConfigError) -> [SidecarConfiguration.TicketKind: TokenFileWriter] {
        var writers: [SidecarConfiguration.TicketKind: TokenFileWriter] = [:]
        for (kind, path) in account.ticketFiles where account.tickets.contains(kind) {
            let key = account.keyPrefix + "ticket_files.\(kind.rawValue)"
            let writer = TokenFileWriter(path: path, mode: account.token.fileMode, metadataPath: nil, tokenMode: account.token.mode)
            do {
                _ = try await writer.prepare()
            } catch {
                throw ConfigError(key: key, source: configPath,
                    message: "the ticket file's directory is unsafe or not writable (\(error)); mount a writable volume there or change \(key)")
            }
            writers[kind] = writer
        }
        return writers
    }

    /// Creates (safely) and checks the account's token directory.
    static func prepareTokenFile(
        _ account: SidecarConfiguration.Account, configPath: String
    ) async throws(ConfigError) -> (TokenFileWriter, warnings: [String]) {
        let writer = TokenFileWriter(
            path: account.token.file, mode: account.token.fileMode, metadataPath: account.token.metadataFile,
            tokenMode: account.token.mode)
        do {
            return (writer, try await writer.prepare())
        } catch let problem as TokenFileWriter.DirectoryProblem {
            let key = account.keyPrefix + problem.key
            throw ConfigError(
                key: key, source: configPath,
                message: problem.refused
                    ? "unsafe token directory: \(problem.message)"
                    : "the token directory is not writable (\(problem.message)); mount a writable volume there or change \(key)")
        } catch {
            throw ConfigError(
                key: account.keyPrefix + "token.file", source: configPath,
                message: "the token directory could not be checked (\(error)); mount a working volume there or change \(account.keyPrefix)token.file")
        }
    }
}
