// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import SidecarCore

/// The JSON of `/-/status`: token fingerprint and lifetime, the last refresh and its error, the whitelist,
/// uptime and version. Never the AppSecret or a whole token.
struct StatusReporter: Sendable {
    let appid: String
    let mode: SidecarConfiguration.TokenMode
    let tokenFile: String
    let upstream: String
    let tokens: TokenState
    let whitelist: WhitelistStore
    let client: CurlClient
    /// The whole answer passes through it: an error message may quote WeChat or libcurl, which may echo a secret.
    let redactor: Redactor
    let startedAt: Double

    func json() -> String {
        let now = WallClock.now()
        let snapshot = tokens.current
        let loaded = whitelist.current
        var token: [String: Any] = [
            "mode": mode.rawValue, "file": tokenFile,
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
        let stats = client.stats
        let object: [String: Any] = [
            "version": SidecarVersion.current,
            "appid": appid,
            "uptime_seconds": Int(now - startedAt),
            "ready": tokens.validToken(at: now) != nil,
            "token": token,
            "whitelist": [
                "file": loaded.file, "entries": loaded.paths.entryCount, "loaded_at": Self.iso(loaded.loadedAt),
            ] as [String: Any],
            "upstream": [
                "base_url": upstream, "connections_opened": stats.connectionsOpened,
                "transfers_completed": stats.transfersCompleted, "transfers_failed": stats.transfersFailed,
            ] as [String: Any],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return redactor.redact(String(decoding: data, as: UTF8.self))
    }

    static func iso(_ seconds: Double) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
    }
}
