// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// A fault injected into the requests whose path starts with `pathPrefix`.
///
/// The first fault in the table that matches a request and has uses left is applied to it: the emulator waits
/// `delay`, then does what `action` says. Knob endpoints (`/-/emulator/...`) are never faulted. A request that
/// hits a fault is still counted in the stats.
public struct EmulatorFault: Sendable, Hashable {
    /// What the emulator does instead of (or on top of) its normal answer.
    public enum Action: Sendable, Hashable {
        /// Answer normally (useful with a delay).
        case none
        /// Answer with this HTTP status and body; a body starting with `{` is sent as JSON, others as text.
        case httpStatus(Int, body: String)
        /// Answer HTTP 200 `{"errcode":N,"errmsg":..}`; a `nil` message takes the catalogue's (with ` rid: ..`;
        /// for 40164 it names the caller's IP).
        case errcode(Int, errmsg: String?)
        /// Close the TCP connection without answering (the client sees an empty reply).
        case dropConnection
        /// Produce the normal answer, send its headers and the first half of its body, then reset the
        /// connection (TCP RST).
        case resetMidBody
    }

    /// The fault applies to requests whose raw path starts with this prefix (`"/"` matches everything).
    public var pathPrefix: String
    /// How many requests it applies to; `nil` means until cleared.
    public var count: Int?
    /// Time to wait before answering (slept with `Task.sleep`, no thread is blocked).
    public var delay: Duration
    /// What to do after the delay.
    public var action: Action

    /// Creates a fault.
    public init(pathPrefix: String, action: Action, count: Int? = nil, delay: Duration = .zero) {
        self.pathPrefix = pathPrefix
        self.action = action
        self.count = count
        self.delay = delay
    }

    /// Whether the fault applies to `path`.
    func matches(_ path: String) -> Bool {
        path.hasPrefix(pathPrefix)
    }
}
