// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Prometheus

/// One account's series (every one labelled `appid`, bounded by the configuration): its token, tickets and quota.
/// Made once per account at start; every series it names exists from then on, at zero.
public struct AccountMetrics: Sendable {
    public let appid: String
    let metrics: SidecarMetrics
    /// `wxsidecar_token_expires_in_seconds{appid}`.
    public let tokenExpiresIn: Gauge
    /// `wxsidecar_token_recoveries_total{appid,result}`.
    public let tokenRecoveries: [TokenRecoveryOutcome: Counter]

    init(appid: String, metrics: SidecarMetrics) {
        self.appid = appid
        self.metrics = metrics
        tokenExpiresIn = metrics.tokenExpiresInGauges[appid]
        tokenRecoveries = Dictionary(uniqueKeysWithValues: TokenRecoveryOutcome.allCases.map {
            ($0, metrics.tokenRecoveryCounters[AccountLabel(appid: appid, value: $0.rawValue)])
        })
        tokenExpiresIn.set(Double(0))
        for result in ["success", "error", "config_error"] { tokenRefreshes(result).increment(by: Int64(0)) }
    }

    /// `wxsidecar_token_refreshes_total{appid,result}`: `success`, `error`, `config_error`.
    public func tokenRefreshes(_ result: String) -> Counter {
        metrics.tokenRefreshCounters[AccountLabel(appid: appid, value: result)]
    }

    /// `wxsidecar_token_file_writes_total{appid,result}`: `written`, `error`, `removed`.
    public func tokenFileWrites(_ result: String) -> Counter {
        metrics.tokenFileWriteCounters[AccountLabel(appid: appid, value: result)]
    }

    /// `wxsidecar_token_forced_refreshes_total{appid,result}`: `done`, `too_soon`, `daily_limit`.
    public func tokenForcedRefreshes(_ result: String) -> Counter {
        metrics.tokenForcedRefreshCounters[AccountLabel(appid: appid, value: result)]
    }

    /// `wxsidecar_ticket_refreshes_total{appid,ticket,result}`: `success`, `error`.
    public func ticketRefreshes(_ ticket: String, _ result: String) -> Counter {
        metrics.ticketRefreshCounters[[appid, ticket, result]]
    }

    /// `wxsidecar_ticket_expires_in_seconds{appid,ticket}`.
    public func ticketExpiresIn(_ ticket: String) -> Gauge {
        metrics.ticketExpiresInGauges[AccountLabel(appid: appid, value: ticket)]
    }

    /// `wxsidecar_rate_limited_total{appid,rule}`.
    public func rateLimited(_ rule: String) -> Counter {
        metrics.rateLimitedCounters[AccountLabel(appid: appid, value: rule)]
    }
}
