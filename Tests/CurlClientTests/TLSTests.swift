// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Logging
import Foundation
import NIOCore
import TestSupport
import Testing

// MARK: - TLS

@Suite("CurlClient TLS", .timeLimit(.minutes(1)))
struct TLSTests {
    @Test func httpsSucceedsWhenCAFileTrustsTheServer() async throws {
        let tls = try TestTLS.generate()
        try await FakeUpstream.with(tls: (tls.certificatePath, tls.privateKeyPath)) { upstream in
            try await withClient(.init(caFile: tls.caPath)) { client in
                let request = UpstreamRequest(method: "POST", url: upstream.url("/echo"), body: ByteBuffer(string: "x"))
                let response = try await client.execute(request)
                #expect(response.status == 200)
                #expect(String(buffer: response.body) == "x")
            }
        }
    }

    @Test func httpsFailsVerificationWithoutCAFile() async throws {
        let tls = try TestTLS.generate()
        try await FakeUpstream.with(tls: (tls.certificatePath, tls.privateKeyPath)) { upstream in
            try await withClient { client in
                let error = await #expect(throws: CurlError.self) {
                    try await client.execute(UpstreamRequest(url: upstream.url("/echo")))
                }
                #expect(error?.kind == .tls)
                #expect(error?.label == "tls")
                #expect(error?.code == 60)  // CURLE_PEER_FAILED_VERIFICATION
            }
        }
    }

    /// `caFile` must add to the system store, not replace it: a server signed by a CA found only in the system
    /// directory is trusted too. The system directory is stood in for by a hashed directory holding a second CA.
    @Test func caFileAndSystemDirectoryAreBothTrusted() async throws {
        let extra = try TestTLS.generate(caName: "extra CA")
        let system = try TestTLS.generate(caName: "system CA")
        let hashed = try TemporaryDirectory(prefix: "wxsidecar-capath")
        try FileManager.default.copyItem(atPath: system.caPath, toPath: hashed.path("system-ca.pem"))
        try TestTLS.runOpenSSL(["rehash", hashed.path])
        let empty = try TemporaryDirectory(prefix: "wxsidecar-capath-empty")

        try await FakeUpstream.with(tls: (extra.certificatePath, extra.privateKeyPath)) { extraServer in
            try await FakeUpstream.with(tls: (system.certificatePath, system.privateKeyPath)) { systemServer in
                let both = CurlClient.Configuration(caFile: extra.caPath, systemCertificateDirectory: hashed.path)
                try await withClient(both) { client in
                    let fromExtra = try await client.execute(UpstreamRequest(url: extraServer.url("/echo")))
                    let fromSystem = try await client.execute(UpstreamRequest(url: systemServer.url("/echo")))
                    #expect(fromExtra.status == 200)
                    #expect(fromSystem.status == 200)
                }
                // Control: without the second CA in the directory, its server is not trusted.
                let fileOnly = CurlClient.Configuration(caFile: extra.caPath, systemCertificateDirectory: empty.path)
                try await withClient(fileOnly) { client in
                    let error = await #expect(throws: CurlError.self) {
                        try await client.execute(UpstreamRequest(url: systemServer.url("/echo")))
                    }
                    #expect(error?.kind == .tls)
                }
            }
        }
    }

    @Test func defaultSystemDirectoryIsAHashedCertificateStore() throws {
        let directory = CurlClient.Configuration().systemCertificateDirectory
        #expect(directory == "/etc/ssl/certs")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(names.contains { $0.range(of: #"^[0-9a-f]{8}\.[0-9]+$"#, options: .regularExpression) != nil })
    }

    @Test func unreadableCAFileIsRejectedAtStart() throws {
        let directory = try TemporaryDirectory()
        let configuration = CurlClient.Configuration(caFile: directory.path("missing.pem"))
        let error = #expect(throws: CurlError.self) {
            _ = try CurlClient(configuration: configuration, logger: Logger(label: "curl-client-test"))
        }
        #expect(error?.kind == .setup)
    }
}
