// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The limits on forced token refreshes: WeChat rotates a stable token on `force_refresh:true` at most
/// 20 times a day and ignores forces closer than 30 s apart, so the sidecar never asks more often.
///
/// Times are seconds on any monotonic-enough scale (the refresher uses wall-clock seconds since 1970).
public struct ForceRefreshBudget: Sendable, Equatable {
    /// Forces allowed in any rolling `window` seconds.
    public var dailyLimit: Int
    /// The shortest gap between two forces, in seconds.
    public var minimumGap: Double
    /// The rolling window the daily limit applies to, in seconds.
    public var window: Double
    /// When recent forces happened, oldest first (only those inside the window are kept).
    public private(set) var recentForces: [Double] = []

    public init(dailyLimit: Int = 20, minimumGap: Double = 30, window: Double = 86_400) {
        self.dailyLimit = dailyLimit
        self.minimumGap = minimumGap
        self.window = window
    }

    /// Why a force is not allowed now.
    public enum Refusal: String, Sendable, Equatable {
        /// The previous force was less than `minimumGap` seconds ago.
        case tooSoon = "too_soon"
        /// `dailyLimit` forces already happened inside the window.
        case dailyLimitReached = "daily_limit"
    }

    /// Whether a force may happen at `now`; `nil` means yes.
    public func refusal(at now: Double) -> Refusal? {
        let inWindow = recentForces.filter { now - $0 < window }
        if let last = inWindow.last, now - last < minimumGap { return .tooSoon }
        if inWindow.count >= dailyLimit { return .dailyLimitReached }
        return nil
    }

    /// Records a force made at `now`, forgetting those that left the window.
    public mutating func record(at now: Double) {
        recentForces.removeAll { now - $0 >= window }
        recentForces.append(now)
    }

    /// Forces counted in the window ending at `now`.
    public func used(at now: Double) -> Int {
        recentForces.filter { now - $0 < window }.count
    }
}
