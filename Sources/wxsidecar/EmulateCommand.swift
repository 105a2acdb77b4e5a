// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import WeChatEmulator

/// `wxsidecar emulate`: the built-in WeChat API emulator on its own.
struct EmulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate",
        abstract: "Run the built-in WeChat API emulator (a fake api.weixin.qq.com) for tests and local development.",
        discussion: """
            Token endpoints, /wxa/msg_sec_check, /wxa/getwxacode, /tcb/invokecloudfunction and an echo for other
            paths, with WeChat's errcodes. Knobs for tests and demos live under /-/emulator/ (see docs/emulator.md).
            """)

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "host:port"))
    var listen = "127.0.0.1:8099"

    @Option(help: ArgumentHelp("PEM certificate chain: serve HTTPS (needs --tls-key).", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("PEM private key for --tls-cert.", valueName: "file"))
    var tlsKey: String?

    @Option(help: "The AppID the emulator accepts.")
    var appid = "wx0123456789abcdef"

    @Option(help: "The AppSecret the emulator accepts.")
    var secret = "emulator-secret"

    @Option(help: ArgumentHelp("Lifetime of each token, in seconds.", valueName: "seconds"))
    var tokenLifetime = 7200

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        guard HostPort(listen) != nil else {
            throw ValidationError("--listen must be host:port, got \"\(listen)\"")
        }
    }

    func run() async throws {
        let address = HostPort(listen)!
        var logger = Logger(label: "wxsidecar.emulator")
        logger.logLevel = .info
        let emulator = WeChatEmulator(
            configuration: EmulatorConfiguration(
                host: address.host, port: address.port,
                tls: tlsCert.map { EmulatorConfiguration.TLSFiles(certificatePath: $0, privateKeyPath: tlsKey!) },
                appid: appid, secret: secret, tokenLifetime: tokenLifetime),
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
