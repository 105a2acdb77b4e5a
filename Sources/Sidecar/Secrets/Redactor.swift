// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import Synchronization

/// The one redaction function. Everything the sidecar writes out of the process (log lines, `/-/status`, its own
/// error answers, and every header and text body of an upstream answer handed to a caller) passes through it, so
/// none of them carries:
/// - a secret fixed at start (the AppSecret, the caller key), replaced by ``secretPlaceholder``;
/// - the current or a recent access_token, replaced by ``tokenPlaceholder``: WeChat's answers can echo the request
///   URL (`/cgi-bin/openapi/rid/get` returns the failed call's `request_url`, a redirect's `Location` may carry the
///   query), and the sidecar appended the token to that URL.
///
/// Searches are `memmem` over the bytes: no allocation and no Foundation when nothing is found (the usual case).
public final class Redactor: Sendable {
    /// What a secret is replaced by.
    public static let secretPlaceholder = "[redacted]"
    /// What a token is replaced by: safe inside JSON strings, URLs and header values.
    public static let tokenPlaceholder = "ACCESS_TOKEN_REDACTED"
    /// How many of the latest tokens are remembered (the current one, the one it replaced while both are valid,
    /// and older ones an upstream might still echo).
    public static let recentTokenLimit = 8

    private let secrets: [[UInt8]]
    private let tokens = Mutex<[[UInt8]]>([])

    /// - Parameter secrets: values that never leave the process; those under 4 bytes are ignored (they would
    ///   match everywhere and protect nothing).
    public init(secrets: [String]) {
        self.secrets = secrets.filter { $0.utf8.count >= 4 }.map { Array($0.utf8) }
    }

    /// Adds `token` as the newest token to scrub (called before the token is used or announced).
    public func remember(token: String) {
        let bytes = Array(token.utf8)
        guard bytes.count >= 8 else { return }
        tokens.withLock { list in
            list.removeAll { $0 == bytes }
            list.insert(bytes, at: 0)
            if list.count > Self.recentTokenLimit { list.removeLast(list.count - Self.recentTokenLimit) }
        }
    }

    /// How many tokens are remembered.
    public var rememberedTokens: Int { tokens.withLock { $0.count } }

    // MARK: Redacting

    /// `text` with every secret and remembered token replaced.
    public func redact(_ text: String) -> String { needles().redact(text) }

    /// `buffer` with every secret and remembered token replaced, or `nil` when it holds none (nothing copied).
    public func scrub(_ buffer: ByteBuffer) -> ByteBuffer? { needles().scrub(buffer) }

    /// Whether `text` holds a secret or a remembered token.
    public func exposes(_ text: String) -> Bool { needles().exposes(text) }

    /// What to search for now: take it once to redact several values (an answer's headers and body).
    public func needles() -> Needles {
        let held = tokens.withLock { $0 }
        var pairs: [(needle: [UInt8], replacement: [UInt8])] = []
        pairs.reserveCapacity(secrets.count + held.count)
        for secret in secrets { pairs.append((secret, Self.secretBytes)) }
        for token in held { pairs.append((token, Self.tokenBytes)) }
        return Needles(pairs: pairs)
    }

    private static let secretBytes = Array(secretPlaceholder.utf8)
    private static let tokenBytes = Array(tokenPlaceholder.utf8)

    /// The secrets and tokens at one moment, with what replaces each.
    public struct Needles: Sendable {
        let pairs: [(needle: [UInt8], replacement: [UInt8])]

        /// `text` with every needle replaced.
        public func redact(_ text: String) -> String {
            guard !pairs.isEmpty else { return text }
            var text = text
            let replaced = text.withUTF8 { Redactor.replacingAll(in: UnsafeRawBufferPointer($0), pairs) }
            return replaced.map { String(decoding: $0, as: UTF8.self) } ?? text
        }

        /// `buffer` with every needle replaced, or `nil` when it holds none.
        public func scrub(_ buffer: ByteBuffer) -> ByteBuffer? {
            guard !pairs.isEmpty else { return nil }
            return buffer.withUnsafeReadableBytes { Redactor.replacingAll(in: $0, pairs) }.map { ByteBuffer(bytes: $0) }
        }

        /// Whether `text` holds a needle.
        public func exposes(_ text: String) -> Bool {
            var text = text
            return text.withUTF8 { bytes in
                pairs.contains { ByteSearch.firstMatch(of: $0.needle, in: UnsafeRawBufferPointer(bytes), from: 0) != nil }
            }
        }
    }

    // MARK: Byte search

    /// `bytes` with every needle replaced (leftmost match first; at one position the longest needle wins), or
    /// `nil` when no needle occurs.
    static func replacingAll(
        in bytes: UnsafeRawBufferPointer, _ pairs: [(needle: [UInt8], replacement: [UInt8])]
    ) -> [UInt8]? {
        guard !pairs.isEmpty, pairs.contains(where: { ByteSearch.firstMatch(of: $0.needle, in: bytes, from: 0) != nil }) else {
            return nil
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var position = 0
        while position < bytes.count {
            var best: (offset: Int, pair: Int)?
            for (index, pair) in pairs.enumerated() {
                guard let offset = ByteSearch.firstMatch(of: pair.needle, in: bytes, from: position) else { continue }
                if best == nil || offset < best!.offset
                    || (offset == best!.offset && pair.needle.count > pairs[best!.pair].needle.count)
                {
                    best = (offset, index)
                }
            }
            guard let best else {
                out.append(contentsOf: bytes[position...])
                break
            }
            out.append(contentsOf: bytes[position..<best.offset])
            out.append(contentsOf: pairs[best.pair].replacement)
            position = best.offset + pairs[best.pair].needle.count
        }
        return out
    }
}
