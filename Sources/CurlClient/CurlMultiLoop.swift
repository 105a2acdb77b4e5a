// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CCurl
import Logging
import NIOCore
import Synchronization

// MARK: - CurlMultiLoop

/// The driver thread's run loop and everything it alone touches: the multi handle, the easy handles and the
/// transfers in flight.
///
/// Each turn takes the inbox, adds and removes transfers, lets libcurl move data (`curl_multi_perform`), completes the
/// finished transfers (`curl_multi_info_read`) and waits in `curl_multi_poll` for socket activity, a libcurl timer
/// or a wakeup from another thread.
final class CurlMultiLoop {
    private let multi: UnsafeMutableRawPointer
    private let driver: CurlMultiDriver
    private let configuration: CurlClient.Configuration
    private let logger: Logger
    /// The transfers in flight by easy handle; holding them here keeps the callbacks' unretained pointers valid.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    /// The streams among ``active``, whose pause state the loop watches.
    private var streams: [UnsafeMutableRawPointer: CurlStream] = [:]
    /// Easy handles kept for reuse, with their shared options set: they keep their TLS session cache.
    private var idleHandles: [UnsafeMutableRawPointer] = []
    /// Submissions beyond ``CurlClient/Configuration/maxActiveTransfers``, in arrival order, with when they
    /// arrived (their timeout runs while they wait).
    private var waiting = CircularBuffer<(submission: CurlMultiDriver.Submission, since: ContinuousClock.Instant)>()

    /// The time of the current turn, for the streams' clocks.
    private let clock = TurnClock()

    /// The longest `curl_multi_poll` wait when libcurl has no earlier timer.
    private static let pollTimeoutMilliseconds: Int32 = 1000

    init(
        multi: UnsafeMutableRawPointer,
        driver: CurlMultiDriver,
        configuration: CurlClient.Configuration,
        logger: Logger
    ) {
        self.multi = multi
        self.driver = driver
        self.configuration = configuration
        self.logger = logger
    }

    // MARK: Run loop

    /// Runs until shutdown, then fails what is left and frees every libcurl handle.
    func run() {
        logger.debug("curl driver thread started", metadata: ["wxsidecar.curl.version": "\(CurlGlobal.version)"])
        while true {
            switch driver.takeWork() {
            case .run(let submissions, let cancellations, let resumptions):
                submissions.forEach(attach)
                cancellations.forEach(cancel)
                resumptions.forEach(resume)
            case .stop(let submissions):
                stop(failing: submissions)
                return
            }
            clock.advance()
            var running: Int32 = 0
            let performed = curl_multi_perform(multi, &running)
            if performed != CURLM_OK {
                logger.error("curl_multi_perform failed", metadata: ["wxsidecar.curl.code": "\(performed.rawValue)"])
            }
            finishCompleted()
            samplePausedStreams()
            startWaiting()
            _ = curl_multi_poll(multi, nil, 0, Self.pollTimeoutMilliseconds, nil)
        }
    }

    // MARK: Transfers

    /// Starts a submission, or queues it behind others when libcurl already holds the most it may.
    private func attach(_ submission: CurlMultiDriver.Submission) {
        if waiting.isEmpty && active.count < configuration.maxActiveTransfers {
            start(submission)
        } else {
            waiting.append((submission, ContinuousClock.now))
        }
    }

    /// Starts queued submissions while libcurl holds fewer than the most it may.
    private func startWaiting() {
        while active.count < configuration.maxActiveTransfers, let next = waiting.popFirst() {
            start(next.submission, waited: ContinuousClock.now - next.since)
        }
    }

    private func start(_ submission: CurlMultiDriver.Submission, waited: Duration = .zero) {
        let (transfer, completion) = submission
        guard !transfer.cancelRequested.load(ordering: .acquiring) else {
            driver.record(connectionsOpened: 0, succeeded: false)
            completion(.failure(Self.cancelledError))
            return
        }
        let timeout = transfer.request.timeout - waited
        guard timeout > .zero else {
            driver.record(connectionsOpened: 0, succeeded: false)
            completion(.failure(CurlError(.timeout, message: "the transfer waited its whole timeout for its turn")))
            return
        }
        let recycled = idleHandles.popLast()
        guard let easy = recycled ?? curl_easy_init() else {
            driver.record(connectionsOpened: 0, succeeded: false)
            completion(.failure(CurlError(.setup, message: "curl_easy_init failed")))
            return
        }
        transfer.completion = completion
        do {
            try transfer.attach(to: easy, fresh: recycled == nil, configuration: configuration, timeout: timeout, clock: clock)
        } catch {
            finish(transfer, outcome: .failure(error), added: false, reusable: false)
            return
        }
        let added = curl_multi_add_handle(multi, easy)
        guard added == CURLM_OK else {
            let text = String(cString: curl_multi_strerror(added))
            finish(transfer, outcome: .failure(CurlError(.other, message: "curl_multi_add_handle: \(text)")), added: false)
            return
        }
        active[easy] = transfer
        if let stream = transfer.stream { streams[easy] = stream }
    }

    private func cancel(_ transfer: CurlTransfer) {
        if transfer.easy == nil, let index = waiting.firstIndex(where: { $0.submission.transfer === transfer }) {
            let (_, completion) = waiting.remove(at: index).submission
            driver.record(connectionsOpened: 0, succeeded: false)
            completion(.failure(Self.cancelledError))
            return
        }
        guard let easy = transfer.easy, active[easy] === transfer else { return }
        finish(transfer, outcome: .failure(Self.cancelledError))
    }

    /// Lets a stream's body flow again after its consumer paused it. Unpausing libcurl may deliver the part it held
    /// at once, inside `curl_easy_pause`, and the consumer may pause again there.
    private func resume(_ transfer: CurlTransfer) {
        guard let easy = transfer.easy, active[easy] === transfer, let stream = transfer.stream, stream.resume()
        else { return }
        let code = curl_easy_pause(easy, CURLPAUSE_CONT)
        if code != CURLE_OK {
            finish(transfer, outcome: transfer.outcome(for: code))
        }
    }

    /// Records how much each paused stream holds (see ``CurlStream/peakHeldBytes``).
    private func samplePausedStreams() {
        for (easy, stream) in streams where stream.libcurlPaused {
            stream.sampleHeldBytes(easy)
        }
    }

    /// Resumes every transfer libcurl reports done.
    private func finishCompleted() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                let transfer = active[easy]
            else { continue }
            // Read the result before removing the handle: that frees the message.
            let code = message.pointee.data.result
            finish(transfer, outcome: transfer.outcome(for: code))
        }
    }

    /// Removes the transfer's handle, counts it, recycles the handle and resumes the waiting task.
    private func finish(
        _ transfer: CurlTransfer, outcome: Result<UpstreamResponse, CurlError>, added: Bool = true, reusable: Bool = true
    ) {
        guard let easy = transfer.easy else { return }
        if added {
            active[easy] = nil
            streams[easy] = nil
            curl_multi_remove_handle(multi, easy)
        }
        driver.record(connectionsOpened: transfer.connectionsOpened, succeeded: (try? outcome.get()) != nil)
        transfer.detach()
        // A handle removed while paused may keep the part libcurl held for it (over HTTP/2, when other streams
        // still use the connection), which the next transfer would receive: it is not reused.
        if reusable && transfer.stream?.libcurlPaused != true {
            recycle(easy)
        } else {
            curl_easy_cleanup(easy)  // its shared options may be half set
        }
        if case .failure(let error) = outcome {
            logger.debug(
                "upstream transfer failed",
                metadata: ["wxsidecar.curl.error": "\(error.label)", "wxsidecar.curl.detail": "\(error)"]
            )
        }
        let completion = transfer.completion
        transfer.completion = nil
        completion?(outcome)
    }

    /// Keeps a handle for reuse, options and all (see ``CurlTransfer/attach(to:fresh:configuration:timeout:clock:)``),
    /// or frees it when enough are idle.
    private func recycle(_ easy: UnsafeMutableRawPointer) {
        if idleHandles.count < configuration.maxTotalConnections {
            idleHandles.append(easy)
        } else {
            curl_easy_cleanup(easy)
        }
    }

    // MARK: Shutdown

    private func stop(failing submissions: [CurlMultiDriver.Submission]) {
        let error = CurlError(.shutdown, message: "the client shut down while the transfer ran")
        for (_, completion) in submissions + waiting.map(\.submission) {
            driver.record(connectionsOpened: 0, succeeded: false)
            completion(.failure(error))
        }
        waiting.removeAll()
        for transfer in Array(active.values) {
            finish(transfer, outcome: .failure(error))
        }
        // The multi handle itself is freed by the driver's deinit (late wakeups may still reach it).
        idleHandles.forEach(curl_easy_cleanup)
        idleHandles = []
        logger.debug("curl driver thread stopped")
    }

    private static let cancelledError = CurlError(.cancelled, message: "the calling task was cancelled")
}
