// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import WeChatEmulator

/// `wxsidecar emulate [serve]`: the built-in WeChat API emulator on its own.
struct EmulateServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the built-in WeChat API emulator (a fake api.weixin.qq.com) for tests and local development.",
        discussion: """
            Token endpoints for one or more accounts, /cgi-bin/ticket/getticket, /wxa/msg_sec_check,
            /wxa/getwxacode, /tcb/invokecloudfunction and an echo for other paths, with WeChat's errcodes. Knobs for tests and demos live under /-/emulator/ (see docs/emulator.md).
            """)

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "host:port"))
    var listen = "127.0.0.1:8099"

    @Option(help: ArgumentHelp("PEM certificate chain: serve HTTPS (needs --tls-key).", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("PEM private key for --tls-cert.", valueName: "file"))
    var tlsKey: String?

    @Option(help: "The primary account's AppID (the account the knobs mean when they name none).")
    var appid = "wx0123456789abcdef"

    @Option(help: "The primary account's AppSecret.")
    var secret = "emulator-secret"

    @Option(
        name: .customLong("account"),
        help: ArgumentHelp(
            "Another account to serve, with its own tokens and tickets (repeatable).", valueName: "appid:secret"))
    var accounts: [String] = []

    @Option(help: ArgumentHelp("Lifetime of each token, in seconds.", valueName: "seconds"))
    var tokenLifetime = 7200

    @Option(help: ArgumentHelp("Lifetime of each JS-SDK ticket, in seconds.", valueName: "seconds"))
    var ticketLifetime = 7200

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        guard HostPort(listen) != nil else {
            throw ValidationError("--listen must be host:port, got \"\(listen)\"")
        }
        for account in accounts where Self.account(account) == nil {
            throw ValidationError("--account must be appid:secret, both non-empty")
        }
    }

    /// `appid:secret` as `--account` takes it (the secret may contain colons).
    static func account(_ text: String) -> EmulatorAccount? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let appid = String(text[..<colon])
        let secret = String(text[text.index(after: colon)...])
        guard !appid.isEmpty, !secret.isEmpty else { return nil }
        return EmulatorAccount(appid: appid, secret: secret)
    }

    func run() async throws {
        let address = HostPort(listen)!
        var logger = Logger(label: "wxsidecar.emulator")
        logger.logLevel = .info
        let emulator = WeChatEmulator(
            configuration: EmulatorConfiguration(
                host: address.host, port: address.port,
                tls: tlsCert.map { EmulatorConfiguration.TLSFiles(certificatePath: $0, privateKeyPath: tlsKey!) },
                appid: appid, secret: secret, otherAccounts: accounts.compactMap(Self.account),
                tokenLifetime: tokenLifetime, ticketLifetime: ticketLifetime),
            logger: logger)
        let group = ServiceGroup(services: [emulator], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

/// `host:port` as the emulator options take it.
struct HostPort {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port)
        else { return nil }
        host = String(text[..<colon]).trimmingCharacters(in: ["[", "]"])
        self.port = port
        if host.isEmpty { return nil }
    }
}
