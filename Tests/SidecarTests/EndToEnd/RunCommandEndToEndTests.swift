// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import NIOCore
import TestSupport
import Testing
import WeChatEmulator

#if canImport(Glibc)
import Glibc
#endif

/// `wxsidecar run` end to end, as deployed: the built binary as a child process (``withSidecarProcess``), so every
/// call, the token recovery's task and the shutdown run under the executor `run` installs first thing
/// (`EventLoopExecutor.install()`: Swift's global executor on the NIO event loops), against the emulator over TLS.
/// The in-process suites run the same code on Swift's default executor.
///
/// Why the binary and not `install()` in this process: the executor can only be installed before the first task
/// runs, and a test process has run many by the time a test starts (so `install()` would do nothing); the
/// binary also runs the real bootstrap (configuration, logging, signals) with nothing copied.
@Suite struct RunCommandEndToEndTests {
    static let whitelist = "/wxa/msg_sec_check\n/wxa/getwxacode\n/echo/*\n"

    /// The emulator over HTTPS with the process's test CA, and `wxsidecar run` trusting it.
    private func withDaemon(_ body: (RunningEmulator, SidecarProcess) async throws -> Void) async throws {
        let tls = try TestTLS.shared()
        let configuration = EmulatorConfiguration(
            tls: .init(certificatePath: tls.certificatePath, privateKeyPath: tls.privateKeyPath))
        try await withEmulator(configuration, caFile: tls.caPath) { emulator in
            try await withSidecarProcess(upstream: emulator, whitelist: Self.whitelist, configure: { $0.caFile = tls.caPath }) {
                try await body(emulator, $0)
            }
        }
    }

    /// A call to the daemon (plain HTTP) through the emulator's client.
    private func call(
        _ sidecar: SidecarProcess, via emulator: RunningEmulator, _ method: String, _ target: String, body: String? = nil
    ) async throws -> UpstreamResponse {
        try await emulator.client.execute(
            UpstreamRequest(
                method: method, url: sidecar.baseURL + target, body: body.map { ByteBuffer(string: $0) },
                timeout: .seconds(20)))
    }

    @Test func apisAndTheEchoAreForwardedWithTheToken() async throws {
        try await withDaemon { emulator, sidecar in
            let check = try await call(
                sidecar, via: emulator, "POST", "/wxa/msg_sec_check",
                body: #"{"version":2,"openid":"o1","scene":1,"content":"hello"}"#)
            #expect(check.status == 200)
            #expect(check.errcode == 0)
            #expect(check.header("x-openapi-seqid")?.isEmpty == false)
            let image = try await call(
                sidecar, via: emulator, "POST", "/wxa/getwxacode", body: #"{"path":"p","emulator_image_bytes":65536}"#)
            #expect(Array(buffer: image.body) == WxaCodeImage.bytes(path: "p", width: 430, size: 65536))
            let echo = try await call(sidecar, via: emulator, "GET", "/echo/x?a=1&access_token=stale")
            #expect(echo.errcode == 0, "the emulator accepted the daemon's token: \(echo.text)")
            #expect((echo.json["query"] as? String)?.hasSuffix("&a=1") == true)
            let token = try String(contentsOfFile: sidecar.tokenFile, encoding: .utf8)
            #expect(emulator.knobs.check(token: token) == .valid)
        }
    }

    @Test func aCallWhoseTokenWeChatRejectsIsRetriedOnceWithANewToken() async throws {
        try await withDaemon { emulator, sidecar in
            let before = try String(contentsOfFile: sidecar.tokenFile, encoding: .utf8)
            emulator.knobs.invalidateAllTokens()
            let response = try await call(
                sidecar, via: emulator, "POST", "/wxa/msg_sec_check",
                body: #"{"version":2,"openid":"o","scene":1,"content":"hi"}"#)
            #expect(response.status == 200)
            #expect(response.errcode == 0)
            #expect(emulator.knobs.stats.requests(to: "/wxa/msg_sec_check") == 2)
            try await eventually("the new token in the file") {
                (try? String(contentsOfFile: sidecar.tokenFile, encoding: .utf8)).map { $0 != before } ?? false
            }
            _ = try await sidecar.daemon.lines.first("the access log line of the retried call") {
                $0.contains("wxsidecar.token.retried=true")
            }
        }
    }

    @Test func twoHundredConcurrentCallsEachGetTheirOwnAnswer() async throws {
        try await withDaemon { emulator, sidecar in
            let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let response = try await call(sidecar, via: emulator, "POST", "/echo/item\(index)", body: "body-\(index)")
                        let ok = response.status == 200 && response.json["path"] as? String == "/echo/item\(index)"
                            && response.json["body"] as? String == "body-\(index)"
                        return ok ? 0 : 1
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(mismatches == 0)
        }
    }

    @Test func adminEndpointsReportTheTokenAndCountTheCalls() async throws {
        try await withDaemon { emulator, sidecar in
            #expect(try await call(sidecar, via: emulator, "GET", "/-/healthy").status == 200)
            #expect(try await call(sidecar, via: emulator, "GET", "/-/ready").status == 200)
            #expect(try await call(sidecar, via: emulator, "GET", "/cgi-bin/user/info").status == 403)
            let status = try await call(sidecar, via: emulator, "GET", "/-/status")
            #expect((status.json["token"] as? [String: Any])?["last_refresh_result"] as? String == "success")
            let metrics = try await call(sidecar, via: emulator, "GET", "/-/metrics").text
            #expect(MetricText.value(of: #"wxsidecar_requests_total{path="denied",status="403"}"#, in: metrics) == 1)
            #expect(MetricText.value(of: #"wxsidecar_token_refreshes_total{result="success"}"#, in: metrics) == 1)
        }
    }

    @Test func sighupReloadsTheWhitelistAndSigtermDrainsCallsInFlightThenExitsZero() async throws {
        try await withDaemon { emulator, sidecar in
            #expect(try await call(sidecar, via: emulator, "GET", "/tcb/invokecloudfunction?env=e&name=n").status == 403)
            try sidecar.directory.write(Self.whitelist + "/tcb/invokecloudfunction\n", to: "whitelist.txt")
            sidecar.daemon.send(SIGHUP)
            try await eventually("the reloaded whitelist to allow the call") {
                try await call(sidecar, via: emulator, "POST", "/tcb/invokecloudfunction?env=e&name=n", body: "{}").status == 200
            }
            emulator.knobs.addFault(EmulatorFault(pathPrefix: "/echo/slow", action: .none, delay: .seconds(1)))
            async let first = call(sidecar, via: emulator, "GET", "/echo/slow1")
            async let second = call(sidecar, via: emulator, "GET", "/echo/slow2")
            try await eventually("both slow calls to reach the upstream") {
                emulator.knobs.stats.requests(to: "/echo/slow1") + emulator.knobs.stats.requests(to: "/echo/slow2") == 2
            }
            sidecar.daemon.send(SIGTERM)
            #expect(try await first.status == 200)
            #expect(try await second.status == 200)
            #expect(try await sidecar.daemon.exitStatus() == 0)
        }
    }
}
