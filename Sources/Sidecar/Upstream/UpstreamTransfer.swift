// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import NIOCore
import SidecarCore
import Synchronization

/// A streamed call through ``UpstreamRoutes``: the transfer on the first URL and, when that one could not be
/// reached, the one on the next. It stands between libcurl and the call's consumer, which sees the head, parts and
/// end of the last transfer only (a transfer that failed before sending delivered nothing), and it owns whichever
/// transfer is live, so ``cancel()`` and ``resume()`` reach it from any thread.
final class UpstreamTransfer: UpstreamResponseConsumer, Sendable {
    private struct State {
        var live: CurlClient.PendingTransfer?
        /// Counts the transfers started: a transfer that ended before ``start(on:)`` stored it is not stored.
        var started = 0
        /// The URL of the live transfer.
        var index = 0
        var fellBack = false
        /// Whether the live transfer's head arrived (its URL was recorded as reached).
        var reached = false
        var cancelled = false
    }

    private let routes: UpstreamRoutes
    /// The request for a base URL; `nil` when it cannot be made (the call then ends with the error it has).
    private let build: @Sendable (String) -> UpstreamRequest?
    private let consumer: any UpstreamResponseConsumer
    private let state = Mutex(State())

    init(
        routes: UpstreamRoutes, build: @escaping @Sendable (String) -> UpstreamRequest?,
        consumer: any UpstreamResponseConsumer
    ) {
        self.routes = routes
        self.build = build
        self.consumer = consumer
    }

    /// The base URL of the live transfer (after its end: of the one that ended the call).
    var baseURL: String {
        routes.urls[state.withLock { $0.index }]
    }

    /// Starts `request`, made for URL `index`. libcurl may end it at once, on this thread (a request it refuses),
    /// so no lock is held while it starts.
    func start(_ request: UpstreamRequest, on index: Int) {
        let attempt = state.withLock { state in
            state.index = index
            state.started += 1
            return state.started
        }
        let live = routes.client.stream(routes.prepared(request), consumer: self)
        let cancelled = state.withLock { state in
            if state.started == attempt { state.live = live }
            return state.cancelled
        }
        if cancelled { live.cancel() }
    }

    // MARK: Any thread

    /// Cancels the live transfer (and any it would fall back to); the consumer's end is ``CurlError/Kind/cancelled``.
    func cancel() {
        let live = state.withLock { state in
            state.cancelled = true
            return state.live
        }
        live?.cancel()
    }

    /// Lets the live transfer's paused body flow again.
    func resume() {
        state.withLock { $0.live }?.resume()
    }

    // MARK: Driver thread

    func didReceiveHead(_ head: UpstreamResponseHead) -> UpstreamBodyMode {
        let index = state.withLock { state in
            state.reached = true
            return state.index
        }
        routes.learn(.reached, on: index)
        return consumer.didReceiveHead(head)
    }

    func didReceiveBodyPart(_ part: ByteBuffer) -> UpstreamBodyDemand {
        consumer.didReceiveBodyPart(part)
    }

    func didFinish(_ result: Result<UpstreamStreamEnd, CurlError>) {
        let (index, reached, retried, cancelled) = state.withLock { ($0.index, $0.reached, $0.fellBack, $0.cancelled) }
        if case .failure(let error) = result {
            if !reached { routes.learn(UpstreamRoutes.attempt(error), on: index) }
            if !retried, !cancelled, let next = routes.fallback(after: index, for: error) {
                if let request = build(routes.urls[next]) {
                    routes.recordFallback(from: index, to: next, after: error)
                    state.withLock { state in
                        state.fellBack = true
                        state.reached = false
                    }
                    return start(request, on: next)
                }
                routes.learn(.inconclusive, on: next)
            }
        } else if !reached {
            routes.learn(.reached, on: index)
        }
        consumer.didFinish(result)
    }
}
