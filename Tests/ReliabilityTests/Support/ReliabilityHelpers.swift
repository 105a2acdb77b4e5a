// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Logging
import Sidecar
import Synchronization
import TestSupport
import WeChatEmulator

/// A `msg_sec_check` body the emulator passes.
let msgSecCheckBody = #"{"version":2,"openid":"o1","scene":1,"content":"hello"}"#

/// A logger that drops everything (for emulators the tests start themselves).
let silentLogger = Logger(label: "reliability") { _ in SwiftLogNoOpLogHandler() }

extension SidecarHarness {
    /// A proxied `msg_sec_check` that must pass: status 200 and errcode 0.
    func checkPasses() async throws -> Bool {
        let response = try await send("POST", "/wxa/msg_sec_check", body: msgSecCheckBody)
        return response.status == 200 && response.errcode == 0
    }

    /// `GET /-/ready`'s status.
    func readiness() async throws -> Int {
        try await send("GET", "/-/ready").status
    }

    /// The token file's content, if it exists.
    var tokenFileContent: String? { try? String(contentsOfFile: tokenFile, encoding: .utf8) }
}

/// Runs a plain-HTTP emulator on `port` until the returned task is cancelled.
func startEmulator(port: Int, secret: String = SidecarHarness.secret) async throws -> (WeChatEmulator, Task<Void, any Error>) {
    let emulator = WeChatEmulator(configuration: EmulatorConfiguration(port: port, secret: secret), logger: silentLogger)
    let task = Task { try await emulator.run() }
    _ = try await emulator.waitUntilListening()
    return (emulator, task)
}

/// A Boolean shared between tasks.
final class Flag: Sendable {
    private let state: Mutex<Bool>
    init(_ initial: Bool = false) { state = Mutex(initial) }
    var value: Bool {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
