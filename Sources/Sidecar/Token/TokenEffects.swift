// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// What the token refresher does to the world, injected so that its schedule, failure and recovery rules run in
/// memory in tests as they run against WeChat and the disk in the daemon.

/// Where tokens come from: WeChat's token endpoint (``TokenEndpoint``).
public protocol TokenSource: Sendable {
    /// `stable` or `classic`: whether a normal fetch returns the token others hold.
    var mode: SidecarConfiguration.TokenMode { get }
    /// Fetches a token; `forceRefresh` (stable mode) asks for a new one at once.
    func fetch(forceRefresh: Bool) async throws(TokenFetchError) -> TokenEndpoint.Answer
}

/// Asks WeChat whether a token works, on a call no caller shapes (``TokenProbe``).
public protocol TokenLiveness: Sendable {
    func check(_ token: String) async -> TokenProbe.Verdict
}

/// Where the token is published for apps that read it: the token file (``TokenFileWriter``).
public protocol TokenStore: Sendable {
    /// Where it is, for logs.
    var path: String { get }
    /// Whether the store does not hold exactly `token` (missing, altered); throws when it cannot tell.
    func needsRewrite(for token: AccessToken) async throws -> Bool
    /// Writes `token` unless the store already holds it; returns whether it wrote.
    func write(_ token: AccessToken) async throws -> Bool
    /// Removes the token (it expired with no replacement).
    func remove() async throws
}

extension TokenEndpoint: TokenSource {}
extension TokenProbe: TokenLiveness {}
extension TokenFileWriter: TokenStore {}
