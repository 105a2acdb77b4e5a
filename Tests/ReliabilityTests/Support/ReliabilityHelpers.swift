// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Logging
import Sidecar
import Synchronization
import TestSupport
import WeChatEmulator

/// A logger that drops everything (for emulators the tests start themselves).
let silentLogger = Logger(label: "reliability") { _ in SwiftLogNoOpLogHandler() }

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
