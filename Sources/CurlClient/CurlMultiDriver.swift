// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CCurl
import Logging
import Synchronization

// MARK: - CurlMultiDriver

/// The thread-safe front of the driver thread: a small locked inbox of submissions and cancellations, the
/// counters, and the thread itself.
///
/// Other threads only append to the inbox and call `curl_multi_wakeup`; the multi handle and every easy handle are
/// used by the driver thread alone (see ``CurlMultiLoop``).
final class CurlMultiDriver: Sendable {
    /// A transfer handed in by ``CurlClient/execute(_:)``, ``CurlClient/submit(_:completion:)`` or
    /// ``CurlClient/stream(_:consumer:)`` with who waits for its result.
    typealias Submission = (transfer: CurlTransfer, completion: CurlTransfer.Completion)

    /// What the driver thread picks up from the inbox on each turn.
    enum Work {
        /// Transfers to add, transfers to remove, and streams whose consumer resumed.
        case run(submissions: [Submission], cancellations: [CurlTransfer], resumptions: [CurlTransfer])
        /// Stop: fail these submissions and everything in flight.
        case stop(submissions: [Submission])
    }

    private enum State {
        case running
        case stopping
        case closed
    }

    private struct Inbox {
        var state = State.running
        var submissions: [Submission] = []
        var cancellations: [CurlTransfer] = []
        var resumptions: [CurlTransfer] = []

        var isEmpty: Bool { submissions.isEmpty && cancellations.isEmpty && resumptions.isEmpty }
    }

    private let inbox = Mutex(Inbox())
    private let multi: MultiHandle
    private let thread = Mutex<DriverThread?>(nil)
    private let counters = Mutex(CurlClient.Stats())

    // MARK: Life cycle

    /// Creates the multi handle and starts the driver thread.
    ///
    /// - Throws: ``CurlError/Kind/setup`` when libcurl or the thread cannot be set up.
    init(configuration: CurlClient.Configuration, logger: Logger) throws(CurlError) {
        guard let raw = curl_multi_init() else {
            throw CurlError(.setup, message: "curl_multi_init failed")
        }
        let handle = MultiHandle(raw: raw)
        do {
            try handle.configure(configuration)
        } catch {
            curl_multi_cleanup(raw)
            throw error
        }
        self.multi = handle
        let loopThread: DriverThread
        do {
            loopThread = try DriverThread(name: "wxsidecar-curl") { [self] in
                CurlMultiLoop(multi: handle.raw, driver: self, configuration: configuration, logger: logger).run()
            }
        } catch {
            // Fully initialised by now: deinit frees the multi handle.
            throw error
        }
        thread.withLock { $0 = loopThread }
    }

    deinit {
        curl_multi_cleanup(multi.raw)
    }

    /// Stops the driver thread: in-flight and queued transfers fail with ``CurlError/Kind/shutdown``. Returns once
    /// the thread has ended, also to concurrent callers; later calls return at once.
    func shutdown() {
        let wake = inbox.withLock { inbox in
            guard case .running = inbox.state else { return false }
            inbox.state = .stopping
            return true
        }
        if wake { curl_multi_wakeup(multi.raw) }
        thread.withLock { thread in
            thread?.join()
            thread = nil
        }
    }

    // MARK: Called from any thread

    /// Queues a transfer for the driver thread, or fails it at once if the driver has stopped.
    func submit(_ transfer: CurlTransfer, completion: @escaping CurlTransfer.Completion) {
        let accepted: Bool? = inbox.withLock { inbox in
            guard case .running = inbox.state else { return nil }
            return enqueue(&inbox) { $0.submissions.append((transfer, completion)) }
        }
        if accepted == true { curl_multi_wakeup(multi.raw) }
        if accepted == nil {
            record(connectionsOpened: 0, succeeded: false)
            completion(.failure(CurlError(.shutdown, message: "the client has shut down")))
        }
    }

    /// Asks the driver thread to remove a transfer; ``CurlTransfer/cancelRequested`` covers a transfer not yet
    /// added.
    func cancel(_ transfer: CurlTransfer) {
        transfer.cancelRequested.store(true, ordering: .releasing)
        let wake = inbox.withLock { inbox in
            guard case .running = inbox.state else { return false }
            return enqueue(&inbox) { $0.cancellations.append(transfer) }
        }
        if wake { curl_multi_wakeup(multi.raw) }
    }

    /// Asks the driver thread to continue a stream whose consumer paused it (`curl_easy_pause` may only be called
    /// there); does nothing for a transfer that is not a stream.
    func resume(_ transfer: CurlTransfer) {
        guard transfer.stream != nil else { return }
        let wake = inbox.withLock { inbox in
            guard case .running = inbox.state else { return false }
            return enqueue(&inbox) { $0.resumptions.append(transfer) }
        }
        if wake { curl_multi_wakeup(multi.raw) }
    }

    /// The counters so far.
    var stats: CurlClient.Stats {
        counters.withLock { $0 }
    }

    /// Appends to the inbox; returns whether the driver must be woken: only when the inbox was empty, since a
    /// non-empty inbox already has a wakeup pending that the driver has not consumed.
    ///
    /// The caller wakes the driver (`curl_multi_wakeup`, a write to libcurl's socket pair) after releasing the
    /// inbox lock: waking it under the lock made the woken driver spin on that lock while the writer was still in
    /// the system call. The multi handle stays valid for such late wakeups: it is freed in `deinit`, after the
    /// driver thread has ended and no caller holds the driver any more.
    private func enqueue(_ inbox: inout Inbox, _ append: (inout Inbox) -> Void) -> Bool {
        let wasEmpty = inbox.isEmpty
        append(&inbox)
        return wasEmpty
    }

    // MARK: Called from the driver thread

    /// Takes everything queued since the last turn; once shutdown was asked, closes the inbox for good.
    func takeWork() -> Work {
        inbox.withLock { inbox in
            defer {
                inbox.submissions = []
                inbox.cancellations = []
                inbox.resumptions = []
            }
            switch inbox.state {
            case .running:
                return .run(
                    submissions: inbox.submissions, cancellations: inbox.cancellations,
                    resumptions: inbox.resumptions)
            case .stopping, .closed:
                inbox.state = .closed
                return .stop(submissions: inbox.submissions)
            }
        }
    }

    /// Adds a finished transfer to the counters.
    func record(connectionsOpened: Int, succeeded: Bool) {
        counters.withLock { stats in
            stats.connectionsOpened += connectionsOpened
            if succeeded {
                stats.transfersCompleted += 1
            } else {
                stats.transfersFailed += 1
            }
        }
    }
}

// MARK: - MultiHandle

/// The `CURLM` pointer.
///
/// `@unchecked Sendable`: only the driver thread uses it, except `curl_multi_wakeup`, which libcurl allows from any
/// thread; ``CurlMultiDriver`` frees the handle in its `deinit`, so a wakeup never meets a freed handle.
struct MultiHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer

    /// Sets the connection limits; called before the driver thread starts.
    func configure(_ configuration: CurlClient.Configuration) throws(CurlError) {
        let options: [(CURLMoption, Int)] = [
            (CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxHostConnections),
            (CURLMOPT_MAX_TOTAL_CONNECTIONS, configuration.maxTotalConnections),
            (CURLMOPT_MAXCONNECTS, configuration.maxTotalConnections),
            (CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX)),
        ]
        for (option, value) in options {
            let code = ccurl_multi_setopt_long(raw, option, value)
            guard code == CURLM_OK else {
                let text = String(cString: curl_multi_strerror(code))
                throw CurlError(.setup, code: Int32(code.rawValue), message: "curl_multi_setopt: \(text)")
            }
        }
    }
}
