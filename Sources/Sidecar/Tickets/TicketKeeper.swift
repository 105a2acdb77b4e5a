// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import Prometheus
import ServiceLifecycle
import SidecarCore

/// Keeps one account's JS-SDK tickets fresh: fetched with the account's token once it holds one, refreshed on the
/// token's schedule (a ticket, like a stable token, comes back unchanged until it nears expiry), the last good one
/// kept through failures until it truly expires, failures backed off like the token's. A ticket call WeChat
/// answers 40001/42001 goes through the token's recovery (the same single flight and force budget) and is tried
/// once more. Optional ticket files are written like the token file.
public actor TicketKeeper: Service {
    let kinds: [SidecarConfiguration.TicketKind]
    let endpoint: TicketEndpoint
    let tokens: TokenState
    let refresher: TokenRefresher
    let state: TicketState
    let files: [SidecarConfiguration.TicketKind: TokenFileWriter]
    let policy: RefreshPolicy
    let metrics: AccountMetrics
    let logger: Logger
    private var nextAt: [SidecarConfiguration.TicketKind: Double] = [:]

    init(
        kinds: [SidecarConfiguration.TicketKind], endpoint: TicketEndpoint, tokens: TokenState, refresher: TokenRefresher,
        state: TicketState, files: [SidecarConfiguration.TicketKind: TokenFileWriter], policy: RefreshPolicy,
        metrics: AccountMetrics, logger: Logger
    ) {
        self.kinds = kinds
        self.endpoint = endpoint
        self.tokens = tokens
        self.refresher = refresher
        self.state = state
        self.files = files
        self.policy = policy
        self.metrics = metrics
        self.logger = logger
        for kind in kinds {
            metrics.ticketRefreshes(kind.rawValue, "success").increment(by: Int64(0))
            metrics.ticketExpiresIn(kind.rawValue).set(Double(0))
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.loop()
        }
    }

    private func loop() async {
        await tokens.waitForToken()
        while !Task.isCancelled {
            let now = WallClock.now()
            for kind in kinds where now >= nextAt[kind, default: 0] {
                await refresh(kind)
            }
            let soonest = kinds.map { nextAt[$0, default: 0] }.min() ?? now + 1
            let wait = max(0.05, min(1.0, soonest - WallClock.now()))
            do {
                try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
            } catch {
                return
            }
        }
    }

    /// Fetches `kind` now; the result is in ``TicketState``.
    @discardableResult
    public func refresh(_ kind: SidecarConfiguration.TicketKind) async -> JSTicket? {
        guard let token = tokens.validToken() else {
            nextAt[kind] = WallClock.now() + 1
            return nil
        }
        var result = await endpoint.fetch(kind, token: token.value)
        if case .failure(.tokenRejected) = result, let fresh = await refresher.recover(from: token.value) {
            result = await endpoint.fetch(kind, token: fresh.value)
        }
        switch result {
        case .success(let (value, expiresIn)):
            let ticket = JSTicket(kind: kind, value: value, fetchedAt: WallClock.now(), expiresIn: expiresIn)
            await write(ticket)
            adopt(ticket, expiresIn: expiresIn)
            return ticket
        case .failure(let failure):
            recordFailure(kind, failure)
            return nil
        }
    }

    private func adopt(_ ticket: JSTicket, expiresIn: Int) {
        let previous = state.snapshot(ticket.kind).ticket
        state.update(ticket.kind) { snapshot in
            snapshot.ticket = ticket
            snapshot.lastResult = "success"
            snapshot.lastError = nil
            snapshot.consecutiveFailures = 0
        }
        nextAt[ticket.kind] = ticket.fetchedAt + Double(RefreshSchedule.delayAfterSuccess(expiresIn: expiresIn, policy: policy))
        metrics.ticketRefreshes(ticket.kind.rawValue, "success").increment()
        metrics.ticketExpiresIn(ticket.kind.rawValue).set(Double(expiresIn))
        if previous?.value != ticket.value {
            logger.info("ticket refreshed", metadata: [
                "wxsidecar.ticket": "\(ticket.kind.rawValue)", "wxsidecar.ticket.fingerprint": "\(ticket.fingerprint)",
                "wxsidecar.ticket.expires_in": "\(expiresIn)",
            ])
        }
    }

    private func recordFailure(_ kind: SidecarConfiguration.TicketKind, _ failure: TicketEndpoint.Failure) {
        let now = WallClock.now()
        var failures = 0
        state.update(kind) { snapshot in
            snapshot.consecutiveFailures += 1
            snapshot.lastResult = "error"
            switch failure {
            case .tokenRejected(let errcode): snapshot.lastError = "getticket rejected the access_token (errcode \(errcode))"
            case .failed(_, let message): snapshot.lastError = message
            }
            failures = snapshot.consecutiveFailures
        }
        let held = state.valid(kind, at: now)
        let delay = RefreshSchedule.delayAfterFailure(
            consecutiveFailures: failures, pace: .fast, policy: policy, jitter: Double.random(in: 0...1),
            heldTokenRemaining: held?.remaining(at: now))
        nextAt[kind] = now + delay
        metrics.ticketRefreshes(kind.rawValue, "error").increment()
        logger.log(
            level: held == nil ? .error : .warning, "ticket refresh failed",
            metadata: [
                "wxsidecar.ticket": "\(kind.rawValue)", "wxsidecar.error.label": "\(failure.label)",
                "wxsidecar.ticket.retry_in": "\(Int(delay.rounded(.up)))",
                "wxsidecar.ticket.held": "\(held.map { "\($0.fingerprint), \(Int($0.remaining(at: now)))s left" } ?? "none")",
            ])
    }

    private func write(_ ticket: JSTicket) async {
        guard let file = files[ticket.kind] else { return }
        do {
            let asFile = AccessToken(value: ticket.value, fetchedAt: ticket.fetchedAt, expiresIn: Int(ticket.remaining(at: ticket.fetchedAt)))
            if try await file.write(asFile) { metrics.tokenFileWrites("ticket_written").increment() }
        } catch {
            metrics.tokenFileWrites("ticket_error").increment()
            logger.error("cannot write the ticket file", metadata: [
                "wxsidecar.ticket": "\(ticket.kind.rawValue)", "wxsidecar.ticket.file": "\(file.path)", "wxsidecar.error": "\(error)",
            ])
        }
    }
}
