// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle

/// A fake `api.weixin.qq.com` on a real port: the token endpoints, `msg_sec_check`, `getwxacode`,
/// `invokecloudfunction`, an echo for every other path, and knobs (`knobs`, or HTTP under `/-/emulator/`) to
/// move its clock, invalidate tokens, inject faults and read counters.
///
/// Run it in a `ServiceGroup`, or in a task you cancel:
///
/// ```swift
/// let emulator = WeChatEmulator(configuration: .init(), logger: logger)
/// async let running: Void = emulator.run()
/// let port = try await emulator.waitUntilListening()
/// ```
public final class WeChatEmulator: Service, Sendable {
    /// How the emulator listens and which accounts it serves.
    public let configuration: EmulatorConfiguration
    /// The test controls.
    public let knobs: EmulatorKnobs

    private let logger: Logger
    private let listening = ListeningPort()

    /// Creates an emulator; nothing listens until `run()`.
    public init(configuration: EmulatorConfiguration = EmulatorConfiguration(), logger: Logger) {
        self.configuration = configuration
        self.knobs = EmulatorKnobs(settings: configuration.settings, appids: configuration.accounts.map(\.appid))
        self.logger = logger
    }

    // MARK: Service

    /// Serves until graceful shutdown or cancellation. Call it once.
    ///
    /// Throws when the TLS files cannot be loaded or the address cannot be bound; `waitUntilListening()`
    /// then throws the same error.
    public func run() async throws {
        do {
            let application = Application(
                responder: EmulatorResponder(knobs: knobs, configuration: configuration, logger: logger),
                server: try serverBuilder(),
                configuration: ApplicationConfiguration(
                    address: .hostname(configuration.host, port: configuration.port), serverName: nil),
                onServerRunning: { [listening, logger, configuration] channel in
                    let port = channel.localAddress?.port ?? configuration.port
                    logger.info(
                        "WeChat emulator listening",
                        metadata: ["wxsidecar.emulator.config": "\(configuration)", "server.port": "\(port)"])
                    listening.resolve(port)
                },
                logger: logger
            )
            try await application.run()
            listening.fail(EmulatorStopped())
        } catch {
            listening.fail(error)
            throw error
        }
    }

    /// The bound port, once the server listens. Throws if `run()` failed before listening.
    public func waitUntilListening() async throws -> Int {
        try await listening.wait()
    }

    // MARK: Server

    private func serverBuilder() throws -> HTTPServerBuilder {
        guard let files = configuration.tls else {
            return .http1()
        }
        let chain = try NIOSSLCertificate.fromPEMFile(files.certificatePath).map {
            NIOSSLCertificateSource.certificate($0)
        }
        let key = try NIOSSLPrivateKey(file: files.privateKeyPath, format: .pem)
        let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        return try .tls(.http1(), tlsConfiguration: tls)
    }
}

/// `waitUntilListening()` throws this when `run()` returned without ever listening.
public struct EmulatorStopped: Error, Sendable, CustomStringConvertible {
    /// A short explanation.
    public var description: String { "the WeChat emulator stopped before it was listening" }
}
