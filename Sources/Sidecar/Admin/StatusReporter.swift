// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import SidecarCore

/// The JSON of `/-/status`: token fingerprint and lifetime, the last refresh and its error, the whitelist,
/// uptime and version. Never the AppSecret or a whole token.
struct StatusReporter: Sendable {
    let accounts: AccountDirectory
    /// The way to WeChat: its URLs, their states and the libcurl client's counters.
    let routes: UpstreamRoutes
    /// The whole answer passes through it: an error message may quote WeChat or libcurl, which may echo a secret.
    let redactor: Redactor
    let startedAt: Double

    /// The default account's fields at the top level (as with one account), and every account under `accounts`.
    func json() -> String {
        let now = WallClock.now()
        let described = accounts.all.map { describe($0, at: now) }
        let stats = routes.client.stats
        var object = described[0]
        object["version"] = SidecarVersion.current
        object["uptime_seconds"] = Int(now - startedAt)
        object["ready"] = accounts.allHoldTokens(at: now)
        object["accounts"] = described
        var upstream = upstreamRoutes()
        upstream["connections_opened"] = stats.connectionsOpened
        upstream["transfers_completed"] = stats.transfersCompleted
        upstream["transfers_failed"] = stats.transfersFailed
        object["upstream"] = upstream
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return redactor.redact(String(decoding: data, as: UTF8.self))
    }

    private func describe(_ account: ServedAccount, at now: Double) -> [String: Any] {
        let snapshot = account.tokens.current
        let loaded = account.whitelist.current
        var token: [String: Any] = [
            "mode": account.configuration.token.mode.rawValue, "file": account.configuration.token.file,
            "last_refresh_result": snapshot.lastResult,
            "consecutive_failures": snapshot.consecutiveFailures,
            "forced_refreshes_24h": snapshot.forcesUsed,
        ]
        // Redacted before encoding too: JSON escaping (`\/`) could hide a secret from the final pass.
        token["last_refresh_error"] = snapshot.lastError.map(redactor.redact) ?? NSNull()
        token["last_refresh_at"] = snapshot.lastAttemptAt.map(Self.iso) ?? NSNull()
        token["next_refresh_in"] = snapshot.nextRefreshAt.map { max(0, Int(($0 - now).rounded())) } ?? NSNull()
        if let held = snapshot.token {
            token["fingerprint"] = held.fingerprint
            token["expires_in"] = max(0, Int(held.remaining(at: now).rounded(.down)))
            token["expires_at"] = Self.iso(held.expiresAt)
            token["fetched_at"] = Self.iso(held.fetchedAt)
            token["valid"] = held.isValid(at: now)
        } else {
            token["valid"] = false
        }
        var tickets: [String: Any] = [:]
        for kind in account.tickets.kinds {
            let ticket = account.tickets.snapshot(kind)
            var entry: [String: Any] = [
                "last_refresh_result": ticket.lastResult, "consecutive_failures": ticket.consecutiveFailures,
                "last_refresh_error": ticket.lastError.map(redactor.redact) ?? NSNull(),
            ]
            if let held = ticket.ticket {
                entry["fingerprint"] = held.fingerprint
                entry["expires_in"] = max(0, Int(held.remaining(at: now).rounded(.down)))
                entry["expires_at"] = Self.iso(held.expiresAt)
                entry["valid"] = held.isValid(at: now)
            } else {
                entry["valid"] = false
            }
            tickets[kind.rawValue] = entry
        }
        return [
            "tickets": tickets,
            "name": account.name,
            "appid": account.appid,
            "kind": account.kind.rawValue,
            "ready": account.tokens.validToken(at: now) != nil,
            "token": token,
            "whitelist": [
                "file": loaded.file, "entries": loaded.paths.entryCount, "loaded_at": Self.iso(loaded.loadedAt),
            ] as [String: Any],
        ]
    }

    /// `base_url`, `in_use` (the URL reached last), each URL with its state (`up`, `failing`, `cooling_down`,
    /// `probe_due`, `probing`), and the proxy's URL (never its credentials).
    private func upstreamRoutes() -> [String: Any] {
        let (inUse, states) = routes.snapshot()
        let urls = states.map { url, state -> [String: Any] in
            var entry: [String: Any] = ["url": url, "state": state.label]
            switch state {
            case .failing(let failures): entry["consecutive_failures"] = failures
            case .coolingDown(let remaining): entry["cooldown_remaining_seconds"] = Int(remaining.rounded(.up))
            default: break
            }
            return entry
        }
        return ["base_url": routes.urls[0], "in_use": inUse, "urls": urls, "proxy": routes.proxy?.url ?? NSNull()]
    }

    static func iso(_ seconds: Double) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
    }
}
