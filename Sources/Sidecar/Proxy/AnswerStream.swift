// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import NIOCore
import Synchronization

/// Receives one upstream answer on libcurl's driver thread and hands it to its ``ProxyCall`` on the event loop.
///
/// Binary answers (images: they never carry a token error and are never scrubbed) are streamed: each part is
/// written to the caller as it arrives, and the transfer is paused while more than ``highWater`` bytes are handed
/// over but not yet written to the caller's socket, resumed once they drain below ``lowWater``. Memory per call is
/// so bounded by these marks and libcurl's buffer, whatever the image size and however slowly the caller reads.
/// Every other answer is buffered whole (JSON may carry a token error and need a retry; text is scrubbed).
final class AnswerStream: UpstreamResponseConsumer {
    /// Pause the transfer above this many bytes handed over but not written. 64 KiB, like nginx's default
    /// `proxy_buffers`: at 256 KiB, 1,024 callers fetching 100 KB images at once took the daemon to 91–128 MiB (the
    /// shipped pod limit is 128 Mi); at 64 KiB, 50 MiB (BENCHMARKS.md, session 7).
    static let highWater = 64 << 10
    /// Resume it at or below this many.
    static let lowWater = 16 << 10

    private struct Flow {
        var pending = 0
        var paused = false
    }

    private let call: NIOLoopBound<ProxyCall>
    private let eventLoop: any EventLoop
    private let retry: Bool
    /// A signed call's answer is verified whole before any of it is passed on: never streamed.
    private let buffersAll: Bool
    private let flow = Mutex(Flow())

    init(call: ProxyCall, eventLoop: any EventLoop, retry: Bool, buffersAll: Bool = false) {
        self.call = NIOLoopBound(call, eventLoop: eventLoop)
        self.eventLoop = eventLoop
        self.retry = retry
        self.buffersAll = buffersAll
    }

    // MARK: Driver thread

    func didReceiveHead(_ head: UpstreamResponseHead) -> UpstreamBodyMode {
        let contentType = head.firstHeaderValue("content-type")
        guard !buffersAll, AnswerKind.isBinary(contentType: contentType) else { return .buffer(limit: .max) }
        let call = self.call
        eventLoop.execute { call.value.streamStarted(head) }
        return .stream
    }

    func didReceiveBodyPart(_ part: ByteBuffer) -> UpstreamBodyDemand {
        let bytes = part.readableBytes
        let pause = flow.withLock { flow in
            flow.pending += bytes
            if flow.pending > Self.highWater { flow.paused = true }
            return flow.paused
        }
        let call = self.call
        eventLoop.execute { call.value.streamPart(part) }
        return pause ? .pause : .more
    }

    func didFinish(_ result: Result<UpstreamStreamEnd, CurlError>) {
        let call = self.call
        let retry = self.retry
        eventLoop.execute { call.value.transferEnded(result, retry: retry) }
    }

    // MARK: Event loop

    /// `bytes` reached the caller's socket; whether the paused transfer should resume now.
    func written(_ bytes: Int) -> Bool {
        flow.withLock { flow in
            flow.pending -= bytes
            guard flow.paused, flow.pending <= Self.lowWater else { return false }
            flow.paused = false
            return true
        }
    }
}
