// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

public import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - CurlClient

/// An HTTP client on libcurl: one multi handle driven by one dedicated thread, many transfers in flight.
///
/// Connections and TLS sessions are reused through the multi handle's connection cache, bounded by
/// ``Configuration/maxHostConnections`` and ``Configuration/maxTotalConnections``; HTTP/2 is used over TLS when the
/// server offers it. The driver thread never runs on the Swift concurrency pool, and callers wait without blocking
/// a thread.
///
/// ```swift
/// let client = try CurlClient(configuration: .init(), logger: logger)
/// defer { client.shutdown() }
/// let response = try await client.execute(UpstreamRequest(url: "https://api.weixin.qq.com/cgi-bin/token?..."))
/// ```
public final class CurlClient: Sendable {
    /// The configuration the client was created with.
    public let configuration: Configuration
    private let driver: CurlMultiDriver

    /// Initialises libcurl if needed and starts the driver thread.
    ///
    /// - Parameters:
    ///   - configuration: Connection limits, trusted CAs and the response size limit.
    ///   - logger: Receives the driver's start and stop and each failed transfer, at debug level.
    /// - Throws: ``CurlError/Kind/setup`` for a bad configuration (a limit below 1, an unreadable `caFile`) or when
    ///   libcurl or the thread cannot be set up.
    public init(configuration: Configuration = Configuration(), logger: Logger) throws(CurlError) {
        try configuration.validate()
        if let caFile = configuration.caFile, access(caFile, R_OK) != 0 {
            throw CurlError(.setup, message: "caFile \(caFile) cannot be read")
        }
        try CurlGlobal.initialize()
        self.configuration = configuration
        self.driver = try CurlMultiDriver(configuration: configuration, logger: logger)
    }

    deinit {
        driver.shutdown()
    }

    // MARK: Transfers

    /// Sends a request and waits for the whole response.
    ///
    /// Any status the server answers with is a response, 4xx and 5xx included. Cancelling the calling task removes
    /// the transfer (closing its connection if it was mid-way) and throws ``CurlError/Kind/cancelled``.
    ///
    /// - Parameter request: The request; see ``UpstreamRequest`` for the headers the client owns.
    /// - Returns: The final response.
    /// - Throws: ``CurlError`` with a bounded ``CurlError/kind``: `.timeout`, `.connect`, `.resolve`, `.tls`,
    ///   `.reset`, `.emptyReply`, `.tooLarge`, `.badResponse`, `.invalidRequest`, `.cancelled`, `.shutdown`, `.other`.
    public func execute(_ request: UpstreamRequest) async throws(CurlError) -> UpstreamResponse {
        let transfer = try CurlTransfer(request: request, maxResponseBytes: configuration.maxResponseBytes)
        let driver = self.driver
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                driver.submit(transfer) { continuation.resume(returning: $0) }
            }
        } onCancel: {
            driver.cancel(transfer)
        }
        return try outcome.get()
    }

    /// Sends a request and calls `completion` once with the whole response or the error, without a task: for
    /// callers on an event loop, which hop back to it in `completion`.
    ///
    /// `completion` runs on the driver thread (or on the calling thread, at once, for a request that fails
    /// validation or a client that has shut down): it must be short and must not block. The same errors as
    /// ``execute(_:)``.
    ///
    /// - Returns: A handle to cancel the transfer with (its completion then gets ``CurlError/Kind/cancelled``).
    @discardableResult
    public func submit(
        _ request: UpstreamRequest,
        completion: @escaping @Sendable (Result<UpstreamResponse, CurlError>) -> Void
    ) -> PendingTransfer {
        start(request, stream: nil, completion: completion)
    }

    /// Sends a request and hands the response to `consumer` as it arrives, without a task: the final head, then
    /// the body in parts (or whole, as the head's answer asks), then exactly one end.
    ///
    /// The consumer's methods run on the driver thread (``UpstreamResponseConsumer/didFinish(_:)`` runs on the
    /// calling thread, at once, for a request that fails validation or a client that has shut down). A streamed
    /// body has no size limit and is held in memory only one part at a time: a consumer that answers a part with
    /// ``UpstreamBodyDemand/pause`` gets no further part until ``PendingTransfer/resume()``, and meanwhile the
    /// client reads nothing from the connection and holds at most one receive buffer (16 KiB) of the body. To keep
    /// that bound a stream speaks HTTP/1.1, also to a server that offers HTTP/2 (where libcurl would hold up to
    /// 32 MiB for a paused stream sharing its connection).
    ///
    /// Timeout: the request's `timeout` bounds the time until the head arrives and, for a buffered body, the whole
    /// transfer, as for ``execute(_:)``. A streamed body has no overall limit: it fails with
    /// ``CurlError/Kind/timeout`` only when the server sends nothing for `timeout` while the consumer has not paused
    /// (time paused never counts). The stream's clock is checked at least once a second.
    ///
    /// - Parameters:
    ///   - request: The request; see ``UpstreamRequest`` for the headers the client owns.
    ///   - consumer: Receives the head, the body and the end.
    /// - Returns: A handle to resume a paused body or cancel the transfer (its end then gets
    ///   ``CurlError/Kind/cancelled``).
    @discardableResult
    public func stream(_ request: UpstreamRequest, consumer: any UpstreamResponseConsumer) -> PendingTransfer {
        let stream = CurlStream(consumer: consumer)
        return start(request, stream: stream) { stream.finish($0) }
    }

    /// Validates a request and hands its transfer to the driver, or fails it at once.
    private func start(
        _ request: UpstreamRequest, stream: CurlStream?, completion: @escaping CurlTransfer.Completion
    ) -> PendingTransfer {
        let transfer: CurlTransfer
        do {
            transfer = try CurlTransfer(
                request: request, maxResponseBytes: configuration.maxResponseBytes, stream: stream)
        } catch {
            completion(.failure(error))
            return PendingTransfer(driver: nil, transfer: nil)
        }
        driver.submit(transfer, completion: completion)
        return PendingTransfer(driver: driver, transfer: transfer)
    }

    // MARK: Life cycle

    /// Stops the client: transfers in flight or queued fail with ``CurlError/Kind/shutdown``, later calls to
    /// ``execute(_:)`` fail the same way at once. Returns when the driver thread has ended (a short wait: the
    /// thread only closes its connections). Calling it again does nothing.
    public func shutdown() {
        driver.shutdown()
    }

    /// The counters since the client started; safe to read from any thread.
    public var stats: Stats {
        driver.stats
    }
}
