// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

public import CurlClient
import Foundation
import Logging
import NIOCore
public import WeChatEmulator

/// An emulator serving on a real loopback port, and a `CurlClient` to call it with.
public struct RunningEmulator: Sendable {
    public let emulator: WeChatEmulator
    public let port: Int
    public let client: CurlClient
    public let scheme: String

    public init(emulator: WeChatEmulator, port: Int, client: CurlClient, scheme: String) {
        self.emulator = emulator
        self.port = port
        self.client = client
        self.scheme = scheme
    }

    /// The emulator's knobs.
    public var knobs: EmulatorKnobs { emulator.knobs }
    /// The configured credentials.
    public var configuration: EmulatorConfiguration { emulator.configuration }

    /// `scheme://127.0.0.1:port` + `target`.
    public func url(_ target: String) -> String {
        "\(scheme)://127.0.0.1:\(port)\(target)"
    }

    // MARK: Requests

    /// Sends a request and returns the response.
    public func send(
        _ method: String, _ target: String, body: String? = nil, headers: [(name: String, value: String)] = [],
        timeout: Duration = .seconds(10)
    ) async throws(CurlError) -> UpstreamResponse {
        try await client.execute(
            UpstreamRequest(
                method: method, url: url(target), headers: headers, body: body.map { ByteBuffer(string: $0) },
                timeout: timeout))
    }

    /// GETs `target`.
    public func get(_ target: String) async throws(CurlError) -> UpstreamResponse {
        try await send("GET", target)
    }

    /// POSTs a JSON body to `target`.
    public func post(_ target: String, json: String) async throws(CurlError) -> UpstreamResponse {
        try await send("POST", target, body: json, headers: [("Content-Type", "application/json")])
    }

    // MARK: Tokens

    /// Fetches a classic token of `account` (the primary account by default).
    public func classicToken(account: EmulatorAccount? = nil) async throws -> String {
        let account = account ?? primaryAccount
        let response = try await get(
            "/cgi-bin/token?grant_type=client_credential&appid=\(account.appid)&secret=\(account.secret)")
        return try requireString(response.json["access_token"])
    }

    /// Fetches the stable token of `account` (the primary account by default).
    public func stableToken(
        force: Bool = false, account: EmulatorAccount? = nil
    ) async throws -> (token: String, expiresIn: Int) {
        let response = try await post("/cgi-bin/stable_token", json: stableBody(force: force, account: account))
        let json = response.json
        return (try requireString(json["access_token"]), json["expires_in"] as? Int ?? -1)
    }

    /// A stable token request body with the credentials of `account` (the primary account by default).
    public func stableBody(force: Bool = false, account: EmulatorAccount? = nil) -> String {
        let account = account ?? primaryAccount
        return #"{"grant_type":"client_credential","appid":"\#(account.appid)","secret":"\#(account.secret)","force_refresh":\#(force)}"#
    }

    /// The primary account's credentials.
    public var primaryAccount: EmulatorAccount {
        EmulatorAccount(appid: configuration.appid, secret: configuration.secret)
    }

    // MARK: Tickets

    /// Fetches a ticket of `type` (`jsapi`, `wx_card`) with `token`; `nil` when the answer has none.
    public func ticket(_ type: String, token: String) async throws -> (ticket: String, expiresIn: Int)? {
        let json = try await get("/cgi-bin/ticket/getticket?access_token=\(token)&type=\(type)").json
        guard let ticket = json["ticket"] as? String else { return nil }
        return (ticket, json["expires_in"] as? Int ?? -1)
    }
}

// MARK: - Starting

/// Runs an emulator for the duration of `body`, with a client that trusts `caFile` when given; the emulator is
/// stopped and awaited before this returns, whether `body` returned or threw.
public func withEmulator<Result: Sendable>(
    _ configuration: EmulatorConfiguration = EmulatorConfiguration(),
    caFile: String? = nil,
    _ body: (RunningEmulator) async throws -> Result
) async throws -> Result {
    let logger = Logger(label: "wxsidecar.emulator.test") { _ in SwiftLogNoOpLogHandler() }
    let emulator = WeChatEmulator(configuration: configuration, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await emulator.run() }
        // Leaving the group, by a return or a throw, cancels the emulator's task and awaits it.
        defer { group.cancelAll() }
        let port = try await emulator.waitUntilListening()
        let client = try CurlClient(
            configuration: CurlClient.Configuration(caFile: caFile, maxResponseBytes: 64 << 20), logger: logger)
        defer { client.shutdown() }
        let running = RunningEmulator(
            emulator: emulator, port: port, client: client, scheme: configuration.tls == nil ? "http" : "https")
        return try await body(running)
    }
}

/// A value that must be a string.
public struct MissingString: Error {}

/// Returns `value` as a String or throws.
public func requireString(_ value: Any?) throws -> String {
    guard let string = value as? String else { throw MissingString() }
    return string
}
