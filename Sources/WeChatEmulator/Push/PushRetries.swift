// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// How often a push is sent again, and when. WeChat waits 5 s for an answer, then sends the same push again, up to
/// three more times: ``weChat``.
///
/// Send `k` (0 for the first) starts `k × interval` after the first, whether or not the earlier ones were answered
/// (WeChat gives up on a connection after 5 s and retries while the app may still be working on it). An interval
/// of zero sends them all at once, concurrently.
public struct PushRetries: Sendable, Hashable {
    /// Sends after the first.
    public var count: Int
    /// Between the starts of two sends.
    public var interval: Duration

    public init(count: Int, interval: Duration) {
        precondition(count >= 0, "a negative number of retries")
        precondition(interval >= .zero, "a negative retry interval")
        self.count = count
        self.interval = interval
    }

    /// No retry: one send.
    public static let none = PushRetries(count: 0, interval: .zero)

    /// WeChat's schedule: three retries, 5 s apart.
    public static let weChat = PushRetries(count: 3, interval: .seconds(5))

    /// When send `index` starts, after the first.
    func offset(of index: Int) -> Duration {
        interval * index
    }
}
