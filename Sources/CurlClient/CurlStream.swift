// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CCurl
import NIOCore
import Synchronization

// MARK: - CurlStream

/// The streaming side of a transfer started with ``CurlClient/stream(_:consumer:)``: the consumer, the body mode it
/// chose, the pause state and the clock that replaces `CURLOPT_TIMEOUT_MS`.
///
/// `@unchecked Sendable`: every mutable property is touched only on the driver thread (in libcurl's callbacks and
/// the driver's loop), except ``peakHeldBytes``, which is atomic.
///
/// Pausing follows libcurl's rule that a write callback returning `CURL_WRITEFUNC_PAUSE` has taken none of the
/// bytes offered, which libcurl keeps and offers again on `curl_easy_pause(CURLPAUSE_CONT)`: a part the consumer
/// answered `.pause` to is its own, and the pause takes effect on the next part, which is refused whole. So no
/// byte is delivered twice or lost, and for a paused transfer libcurl holds what one read from the connection
/// brought (at most ``CurlTransfer/receiveBufferSize``; streams speak HTTP/1.1 for that) while the rest waits in
/// the socket buffers and the server.
final class CurlStream: @unchecked Sendable {
    /// Who gets the head, the parts and the end; `nil` once it has the end. A consumer may hold the transfer it
    /// consumes (to cancel or resume it): letting go of the consumer at the end keeps the two from holding each
    /// other alive.
    private(set) var consumer: (any UpstreamResponseConsumer)?
    /// The consumer's choice for the final response's body; `nil` until its head is delivered.
    var mode: UpstreamBodyMode?
    /// The status code of the latest status line.
    var status = 0
    /// Whether the consumer answered `.pause` and has not resumed since.
    var consumerPaused = false
    /// Whether the write callback refused a part (`CURL_WRITEFUNC_PAUSE`): libcurl holds it and reads nothing
    /// more until `curl_easy_pause(CURLPAUSE_CONT)`.
    var libcurlPaused = false
    /// The body bytes handed to the consumer.
    var deliveredBytes = 0
    /// Until the head arrives, and for a buffered body until its end: when the transfer times out.
    var deadline = ContinuousClock.now
    /// For a streamed body: how long the transfer may wait for the server without a byte, while not paused.
    var idleLimit = Duration.zero
    /// When the streamed body last made progress: a part arrived, or the consumer resumed.
    var lastActivity = ContinuousClock.now
    /// Why the clock aborted the transfer; `nil` while it has not.
    var timeoutDetail: String?
    /// The most body bytes libcurl had received but not delivered, sampled after each `curl_multi_perform` while
    /// the transfer was paused: what the client holds for a paused stream. Any thread may read it.
    let peakHeldBytes = Atomic<Int>(0)
    /// The driver's turn clock, which ``hasTimedOut()`` reads; set when the transfer starts.
    var clock: TurnClock?

    init(consumer: any UpstreamResponseConsumer) {
        self.consumer = consumer
    }

    /// Whether the body is being delivered in parts.
    var isStreaming: Bool {
        mode == .stream
    }

    /// Starts the clock: `timeout` (the request's, less its wait in the driver's queue) from now; later checks read
    /// the driver's `clock`.
    func start(timeout: Duration, idleLimit: Duration, clock: TurnClock) {
        self.clock = clock
        deadline = .now + timeout
        self.idleLimit = idleLimit
    }

    // MARK: Body parts

    /// Hands a part to the consumer, or refuses it while the consumer has paused.
    ///
    /// - Parameters:
    ///   - chunk: libcurl's bytes, valid during the call.
    ///   - cancelled: Whether the caller has cancelled the transfer.
    /// - Returns: The bytes taken: all of them, `CURL_WRITEFUNC_PAUSE`, or 0 to abort a cancelled transfer.
    func deliver(_ chunk: UnsafeRawBufferPointer, cancelled: Bool) -> Int {
        guard !cancelled else { return 0 }
        guard !consumerPaused else {
            libcurlPaused = true
            return Int(CURL_WRITEFUNC_PAUSE)
        }
        let part = ByteBuffer(bytes: chunk)
        deliveredBytes += chunk.count
        lastActivity = .now
        if consumer?.didReceiveBodyPart(part) == .pause {
            consumerPaused = true
        }
        return chunk.count
    }

    /// Records the consumer's resumption; returns whether libcurl itself is paused and must be told to continue.
    func resume() -> Bool {
        guard consumerPaused else { return false }  // libcurl pauses only while the consumer has
        consumerPaused = false
        lastActivity = .now
        defer { libcurlPaused = false }
        return libcurlPaused
    }

    /// Updates ``peakHeldBytes`` from libcurl's count of body bytes received (`CURLINFO_SIZE_DOWNLOAD_T`).
    func sampleHeldBytes(_ easy: UnsafeMutableRawPointer) {
        var received: curl_off_t = 0
        guard ccurl_easy_getinfo_off_t(easy, CURLINFO_SIZE_DOWNLOAD_T, &received) == CURLE_OK else { return }
        let held = Int(received) - deliveredBytes
        if held > peakHeldBytes.load(ordering: .relaxed) {
            peakHeldBytes.store(held, ordering: .relaxed)
        }
    }

    // MARK: Clock

    /// Called by libcurl's progress callback at least once per driver turn: whether the transfer has run out of
    /// time. Until the head and for a buffered body, the deadline counts; for a streamed body, only the time spent
    /// waiting for the server while the consumer has not paused, since the last part.
    func hasTimedOut() -> Bool {
        // Not `clock?.now ?? .now`: that goes through `Optional<Instant>`'s generic value witnesses, ~170
        // instructions on each of the ~11 progress callbacks of a call (callgrind, BENCHMARKS.md session 13).
        guard let clock else { return hasTimedOut(now: .now) }
        return hasTimedOut(now: clock.now)
    }

    /// ``hasTimedOut()`` at `now`.
    func hasTimedOut(now: ContinuousClock.Instant) -> Bool {
        if isStreaming {
            guard !consumerPaused, !libcurlPaused, now - lastActivity >= idleLimit else { return false }
            timeoutDetail = "no body bytes for \(CurlTransfer.milliseconds(idleLimit)) ms while not paused"
        } else {
            guard now >= deadline else { return false }
            timeoutDetail = mode == nil ? "no response head in time" : "the buffered body did not arrive in time"
        }
        return true
    }

    // MARK: End

    /// The error for a transfer this side aborted (`CURLE_ABORTED_BY_CALLBACK` from the clock, `CURLE_WRITE_ERROR`
    /// after a cancellation), or `nil` when libcurl's own code tells why it failed.
    func abortError(cancelled: Bool) -> CurlError? {
        if let timeoutDetail {
            return CurlError(curlCode: CURLE_OPERATION_TIMEDOUT, detail: timeoutDetail)
        }
        if cancelled {
            return CurlError(.cancelled, message: "the transfer was cancelled")
        }
        return nil
    }

    /// Calls the consumer's ``UpstreamResponseConsumer/didFinish(_:)`` with the transfer's outcome.
    func finish(_ outcome: Result<UpstreamResponse, CurlError>) {
        let end = outcome.map { response -> UpstreamStreamEnd in
            isStreaming ? .streamed(bodyBytes: deliveredBytes) : .buffered(response)
        }
        consumer?.didFinish(end)
        consumer = nil
    }
}
