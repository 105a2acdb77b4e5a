// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Logging
import NIOCore
import Prometheus
import SidecarCore
import Synchronization

/// The way to WeChat, one per sidecar: every call to WeChat (token fetches and probes, tickets, proxied API calls)
/// goes through it, and nothing else does (pushes forwarded to the local app connect directly).
///
/// It owns the ordered base URLs (`upstream.base_url`, then `upstream.fallback_urls`) and their health
/// (``UpstreamHealth``), and the proxy (`upstream.proxy`), set on every request it sends. A call goes to the first
/// URL not cooling down; when that attempt fails before any byte of the request was sent (libcurl's facts:
/// ``CurlError/requestSent``), it is tried once more on the next URL. A request that may have reached WeChat is
/// never sent again: its error goes to the caller.
final class UpstreamRoutes: Sendable {
    /// The base URLs, the primary first.
    let urls: [String]
    /// The forward proxy every request goes through; `nil` to connect directly.
    let proxy: UpstreamProxy?
    let client: CurlClient
    /// `upstream.timeout` and `upstream.connect_timeout`.
    let timeout: Duration
    let connectTimeout: Duration
    private let health: Mutex<UpstreamHealth>
    private let policy: UpstreamHealth.Policy
    private let metrics: UpstreamMetrics
    private let logger: Logger
    /// The health's clock: seconds since this instant.
    private let origin = ContinuousClock.now

    init(
        _ upstream: SidecarConfiguration.Upstream, client: CurlClient, metrics: SidecarMetrics, logger: Logger,
        policy: UpstreamHealth.Policy = UpstreamHealth.Policy()
    ) {
        self.urls = upstream.urls
        self.proxy = upstream.proxy.map { UpstreamProxy(url: $0, credentials: upstream.proxyCredentials?.value) }
        self.client = client
        self.timeout = .milliseconds(Int64(upstream.timeout * 1000))
        self.connectTimeout = .milliseconds(Int64(upstream.connectTimeout * 1000))
        self.health = Mutex(UpstreamHealth(count: urls.count, policy: policy))
        self.policy = policy
        self.metrics = metrics.upstream(urls: urls)
        self.logger = logger
    }

    /// The URLs for messages: `https://api.weixin.qq.com`, or with its fallbacks after it.
    var described: String {
        urls.joined(separator: " or ")
    }

    /// A request to `url` with the configured timeouts.
    func request(
        _ method: String, _ url: String, headers: [(name: String, value: String)] = [], body: ByteBuffer? = nil
    ) -> UpstreamRequest {
        UpstreamRequest(
            method: method, url: url, headers: headers, body: body, timeout: timeout, connectTimeout: connectTimeout)
    }

    // MARK: Calls

    /// Sends the request `build` makes for a base URL, on the first URL and, when that could not be reached, once
    /// on the next; the whole answer.
    /// - Throws: the error of the last attempt.
    func execute(_ build: (_ baseURL: String) -> UpstreamRequest) async throws(CurlError) -> UpstreamResponse {
        var index = first()
        var retried = false
        while true {
            do {
                let response = try await client.execute(prepared(build(urls[index])))
                learn(.reached, on: index)
                return response
            } catch {
                learn(Self.attempt(error), on: index)
                guard !retried, let next = fallback(after: index, for: error) else { throw error }
                recordFallback(from: index, to: next, after: error)
                (index, retried) = (next, true)
            }
        }
    }

    /// Streams the answer to the request `build` makes (see ``CurlClient/stream(_:consumer:)``), with the same
    /// fallback as ``execute(_:)``: `consumer` sees the head, parts and end of one transfer only, the last one.
    /// - Throws: what `build` throws for the first URL (nothing is sent then). When it throws for the next URL, the
    ///   call ends with the first URL's error.
    func stream<Failure: Error>(
        _ build: @escaping @Sendable (_ baseURL: String) throws(Failure) -> UpstreamRequest,
        consumer: any UpstreamResponseConsumer
    ) throws(Failure) -> UpstreamTransfer {
        let index = first()
        let request: UpstreamRequest
        do {
            request = try build(urls[index])
        } catch {
            learn(.inconclusive, on: index)  // a probe reserved for this call is released
            throw error
        }
        let transfer = UpstreamTransfer(routes: self, build: { try? build($0) }, consumer: consumer)
        transfer.start(request, on: index)
        return transfer
    }

    // MARK: Attempts

    /// `request` through the proxy.
    func prepared(_ request: UpstreamRequest) -> UpstreamRequest {
        var request = request
        request.proxy = proxy
        return request
    }

    /// The URL a new call tries first.
    func first() -> Int {
        health.withLock { $0.first(at: now) }
    }

    /// The URL to try after `error` on `index`; `nil` when the request may have been sent or no URL is left.
    func fallback(after index: Int, for error: CurlError) -> Int? {
        guard !error.requestSent else { return nil }
        return health.withLock { $0.fallback(after: index, at: now) }
    }

    /// Counts and logs a call sent on to `next` because `index` could not be reached.
    func recordFallback(from index: Int, to next: Int, after error: CurlError) {
        metrics.fallback(from: index, to: next)?.increment()
        logger.debug(
            "upstream unreachable before sending: trying the next URL",
            metadata: [
                "wxsidecar.upstream.from": "\(urls[index])", "wxsidecar.upstream.to": "\(urls[next])",
                "wxsidecar.curl.error": "\(error.label)",
            ])
    }

    /// Records what an attempt on `index` showed; logs a URL set aside and a change of the URL in use.
    func learn(_ attempt: UpstreamHealth.Attempt, on index: Int) {
        let now = self.now
        let (previous, current, cooled) = health.withLock { health in
            let wasCooling = health.state(of: index, at: now).isCoolingDown
            let previous = health.inUse
            health.record(attempt, on: index, at: now)
            let cooled = !wasCooling && health.state(of: index, at: now).isCoolingDown
            if health.inUse != previous { metrics.inUse(health.inUse, of: urls.count) }
            return (previous, health.inUse, cooled)
        }
        if cooled {
            logger.warning(
                "upstream unreachable: skipped for a while",
                metadata: [
                    "wxsidecar.upstream.url": "\(urls[index])",
                    "wxsidecar.upstream.cooldown": "\(policy.cooldown)s",
                ])
        }
        if current != previous {
            logger.notice("upstream in use changed", metadata: [
                "wxsidecar.upstream.from": "\(urls[previous])", "wxsidecar.upstream.in_use": "\(urls[current])",
            ])
        }
    }

    /// What a failed attempt showed: unreachable when nothing was sent, nothing when it never reached the
    /// network (cancelled, shut down, refused), else reached.
    static func attempt(_ error: CurlError) -> UpstreamHealth.Attempt {
        if !error.requestSent { return .unreachable }
        switch error.kind {
        case .cancelled, .shutdown, .invalidRequest, .setup: return .inconclusive
        default: return .reached
        }
    }

    // MARK: Status

    /// Each URL's state and the one in use, for `/-/status`.
    func snapshot() -> (inUse: String, states: [(url: String, state: UpstreamHealth.State)]) {
        let now = self.now
        return health.withLock { health in
            (urls[health.inUse], urls.indices.map { (urls[$0], health.state(of: $0, at: now)) })
        }
    }

    private var now: Double {
        let elapsed = ContinuousClock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
