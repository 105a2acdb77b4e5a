// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Logging
import Prometheus
import WeChatPush

/// One account's push path, built once at start: its checks, its deliveries (one per message, shared by WeChat's
/// retries), the forwarder to the app, its metrics.
final class PushAccount: Sendable {
    let name: String
    let appid: String
    let path: String
    let intake: PushIntake
    let deliveries: PushDeliveries
    let forwarder: PushForwarder
    let metrics: PushMetrics
    let replyTimeout: Duration
    let logger: Logger

    /// How long a forwarded push may take in all; the answer is kept for WeChat's retries meanwhile.
    static let deliveryTimeout: Duration = .seconds(30)

    init(
        account: SidecarConfiguration.Account, message: SidecarConfiguration.Message,
        inbound: SidecarConfiguration.Inbound, client: CurlClient, registry: PrometheusCollectorRegistry,
        logger: Logger
    ) throws(PushRefusal) {
        name = account.name
        appid = account.appid
        path = message.path
        let cipher = try message.encodingAESKey.map { key throws(PushRefusal) in
            PushCipher(key: try EncodingAESKey(key.value), appID: account.appid)
        }
        intake = PushIntake(
            appid: account.appid, token: message.token.value, cipher: cipher, replayWindow: Int(inbound.replayWindow),
            maxBodyBytes: inbound.maxBodyBytes, format: message.format)
        deliveries = PushDeliveries()
        forwarder = PushForwarder(client: client, url: message.forwardTo, appid: account.appid, timeout: Self.deliveryTimeout)
        metrics = PushMetrics(appid: account.appid, registry: registry)
        replyTimeout = .milliseconds(Int64(message.replyTimeout * 1000))
        self.logger = logger
    }

    /// How an encrypted reply is sealed now: fresh timestamp and nonce.
    func seal(now: Int64) -> PushReply.Seal? {
        guard let cipher = intake.cipher else { return nil }
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let nonce = String((0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
        return PushReply.Seal(cipher: cipher, token: intake.token, timestamp: String(now), nonce: nonce)
    }
}
