// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Logging

/// `wxsidecar check-push`: each account's `message.forward_to` sent Cloud Hosting's setup probe
/// (`{"action":"CheckContainerPath"}`, with the headers every forwarded push carries), as the Cloud Hosting console
/// does when message push is configured. An app written for Cloud Hosting answers 200 `success`; anything else
/// means pushes would not reach it as they should. Run by hand while setting up: the daemon never sends it.
public struct PushPathCheck: Sendable {
    /// The account's name.
    public var account: String
    /// Its `message.forward_to`.
    public var forwardTo: String
    /// What was wrong; `nil` when the app answered `success` (or an empty 2xx body).
    public var problem: String?

    /// How long the app may take to answer the probe.
    static let timeout: Duration = .seconds(10)

    /// Probes every account with a `message` section, in order.
    /// - Throws: a libcurl setup error.
    public static func run(_ configuration: SidecarConfiguration, logger: Logger) async throws -> [PushPathCheck] {
        let client = try CurlClient(logger: logger)
        defer { client.shutdown() }
        var checks: [PushPathCheck] = []
        for account in configuration.accounts {
            guard let message = account.message else { continue }
            let forwarder = PushForwarder(client: client, url: message.forwardTo, appid: account.appid, timeout: timeout)
            let answer = await forwarder.checkPath(requestID: "check-push-\(account.name)")
            checks.append(PushPathCheck(account: account.name, forwardTo: message.forwardTo, problem: problem(answer)))
        }
        return checks
    }

    /// What an answer other than `success` says, for a person setting up the path.
    static func problem(_ answer: AppAnswer) -> String? {
        switch answer {
        case .noReply: nil
        case .reply(let body): "answered \(body.count) bytes other than \"success\" (a Cloud Hosting app answers success)"
        case .unreachable(let why): "unreachable (\(why)): is the app listening there?"
        case .failed(let why): "no success answer (\(why))"
        }
    }
}
