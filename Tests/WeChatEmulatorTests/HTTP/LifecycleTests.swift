// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Logging
import NIOCore
import TestSupport
import Testing
import WeChatEmulator

/// Starting, TLS, and failing to start.
@Suite("Emulator lifecycle and TLS")
struct LifecycleTests {
    static let quiet = Logger(label: "wxsidecar.emulator.test") { _ in SwiftLogNoOpLogHandler() }

    @Test("with a certificate and key the emulator speaks HTTPS to a client trusting the CA")
    func tls() async throws {
        let material = try TestTLS.shared()
        let configuration = EmulatorConfiguration(
            tls: .init(certificatePath: material.certificatePath, privateKeyPath: material.privateKeyPath))
        try await withEmulator(configuration, caFile: material.caPath) { emulator in
            #expect(emulator.url("/").hasPrefix("https://"))
            let token = try await emulator.classicToken()
            #expect(token.count == 136)
            let image = try await emulator.post(
                "/wxa/getwxacode?access_token=\(token)", json: #"{"path":"p","emulator_image_bytes":1048576}"#)
            #expect(Array(image.body.readableBytesView) == WxaCodeImage.bytes(path: "p", width: 430, size: 1 << 20))
        }
    }

    @Test("faults work over TLS too: a drop and a reset each fail the call")
    func tlsFaults() async throws {
        let material = try TestTLS.shared()
        let configuration = EmulatorConfiguration(
            tls: .init(certificatePath: material.certificatePath, privateKeyPath: material.privateKeyPath))
        try await withEmulator(configuration, caFile: material.caPath) { emulator in
            let token = try await emulator.classicToken()
            // Unlimited faults: libcurl retries once on a fresh connection when a reused one dies before answering.
            emulator.knobs.addFault(EmulatorFault(pathPrefix: "/x", action: .dropConnection))
            await #expect(throws: CurlError.self) { _ = try await emulator.get("/x") }
            emulator.knobs.clearFaults()
            emulator.knobs.addFault(EmulatorFault(pathPrefix: "/wxa/", action: .resetMidBody))
            await #expect(throws: CurlError.self) {
                _ = try await emulator.post(
                    "/wxa/getwxacode?access_token=\(token)", json: #"{"path":"p","emulator_image_bytes":1048576}"#)
            }
            emulator.knobs.clearFaults()
            #expect(try await emulator.get("/x").errcode == 41001)
        }
    }

    @Test("a plain HTTP client cannot talk to the TLS emulator")
    func plainToTLS() async throws {
        let material = try TestTLS.shared()
        let configuration = EmulatorConfiguration(
            tls: .init(certificatePath: material.certificatePath, privateKeyPath: material.privateKeyPath))
        try await withEmulator(configuration, caFile: material.caPath) { emulator in
            let plain = RunningEmulator(
                emulator: emulator.emulator, port: emulator.port, client: emulator.client, scheme: "http")
            await #expect(throws: CurlError.self) { _ = try await plain.get("/cgi-bin/token") }
        }
    }

    @Test("a port already taken makes run() and waitUntilListening() throw")
    func portTaken() async throws {
        try await withEmulator { emulator in
            let second = WeChatEmulator(configuration: .init(port: emulator.port), logger: Self.quiet)
            await #expect(throws: (any Error).self) { try await second.run() }
            await #expect(throws: (any Error).self) { _ = try await second.waitUntilListening() }
        }
    }

    @Test("missing TLS files make run() throw")
    func missingTLSFiles() async throws {
        let emulator = WeChatEmulator(
            configuration: .init(
                tls: .init(certificatePath: "/nonexistent/cert.pem", privateKeyPath: "/nonexistent/k")),
            logger: Self.quiet)
        await #expect(throws: (any Error).self) { try await emulator.run() }
        await #expect(throws: (any Error).self) { _ = try await emulator.waitUntilListening() }
    }

    @Test("the configuration's description never shows the secret")
    func redactedDescription() {
        let configuration = EmulatorConfiguration(secret: "very-secret-value")
        #expect(!configuration.description.contains("very-secret-value"))
        #expect(configuration.description.contains("wx0123456789abcdef"))
    }
}
