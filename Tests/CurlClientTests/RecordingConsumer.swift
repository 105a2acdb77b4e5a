// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import NIOCore

// MARK: - RecordingConsumer

/// A stream consumer that records what it gets, for tests to await and check: the heads, each part's size, a
/// checksum of the body in order, and the end.
final class RecordingConsumer: UpstreamResponseConsumer {
    /// What arrived so far.
    struct Record: Sendable {
        var statuses: [Int] = []
        var headers: [(name: String, value: String)] = []
        var parts = 0
        var bytes = 0
        var largestPart = 0
        var checksum = Checksum()
        var end: Result<UpstreamStreamEnd, CurlError>?
        var ends = 0
        /// When the latest part and the end came, on the driver thread.
        var lastPartAt: ContinuousClock.Instant?
        var endedAt: ContinuousClock.Instant?

        /// Whether the end has come.
        var hasEnded: Bool { ends > 0 }

        /// The end's error, if it failed.
        var error: CurlError? {
            guard case .failure(let error) = end else { return nil }
            return error
        }
    }

    /// What arrived so far; tests wait on it.
    let record = Observed(Record())
    private let mode: UpstreamBodyMode
    private let pauses: @Sendable (Int) -> Bool

    /// Creates a consumer.
    ///
    /// - Parameters:
    ///   - mode: The answer to every head.
    ///   - pauses: Given the number of parts so far, whether to answer the latest with `.pause`.
    init(mode: UpstreamBodyMode = .stream, pauses: @escaping @Sendable (Int) -> Bool = { _ in false }) {
        self.mode = mode
        self.pauses = pauses
    }

    func didReceiveHead(_ head: UpstreamResponseHead) -> UpstreamBodyMode {
        record.update {
            $0.statuses.append(head.status)
            $0.headers = head.headers
        }
        return mode
    }

    func didReceiveBodyPart(_ part: ByteBuffer) -> UpstreamBodyDemand {
        var parts = 0
        record.update {
            $0.parts += 1
            $0.bytes += part.readableBytes
            $0.largestPart = max($0.largestPart, part.readableBytes)
            $0.checksum.add(part)
            $0.lastPartAt = .now
            parts = $0.parts
        }
        return pauses(parts) ? .pause : .more
    }

    func didFinish(_ result: Result<UpstreamStreamEnd, CurlError>) {
        record.update {
            $0.end = result
            $0.ends += 1
            $0.endedAt = .now
        }
    }

    /// Waits until `condition` holds or the stream has ended (so a failed stream ends the wait too).
    func wait(until condition: @escaping @Sendable (Record) -> Bool) async {
        await record.wait { $0.hasEnded || condition($0) }
    }

    /// Waits for the end.
    func ended() async -> Record {
        await record.wait { $0.hasEnded }
        return record.value
    }
}

// MARK: - Checksum

/// FNV-1a over the body's 64-bit words (the last partial word and the length included): any changed, missing, extra
/// or reordered byte changes it, and it does not depend on where the parts split the body. Word by word, so that a
/// debug build hashes 32 MiB in a fraction of a second.
struct Checksum: Sendable, Equatable {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    private var pending: UInt64 = 0
    private var pendingCount = 0
    private var count = 0

    /// The checksum of nothing.
    init() {}

    /// The checksum of `buffer` alone.
    init(of buffer: ByteBuffer) {
        add(buffer)
    }

    /// Adds the readable bytes of `buffer`.
    mutating func add(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            var index = 0
            while pendingCount > 0, index < bytes.count {
                append(bytes[index])
                index += 1
            }
            while index + 8 <= bytes.count {
                mix(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
                index += 8
            }
            while index < bytes.count {
                append(bytes[index])
                index += 1
            }
            count += bytes.count
        }
    }

    /// The final value.
    var value: UInt64 {
        var copy = self
        if pendingCount > 0 { copy.mix(pending) }
        copy.mix(UInt64(count))
        return copy.hash
    }

    static func == (lhs: Checksum, rhs: Checksum) -> Bool {
        lhs.value == rhs.value
    }

    private mutating func append(_ byte: UInt8) {
        pending |= UInt64(byte) << (8 * pendingCount)
        pendingCount += 1
        if pendingCount == 8 {
            mix(pending)
            pending = 0
            pendingCount = 0
        }
    }

    private mutating func mix(_ word: UInt64) {
        hash = (hash ^ word) &* 0x0000_0100_0000_01b3
    }
}
