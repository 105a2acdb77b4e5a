// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Logging
import Sidecar
import Synchronization
import TestSupport
import Testing
import WeChatEmulator

/// Many sidecars on one appid (one per pod), one emulator: tokens rotate every ~20 s and every token is invalidated
/// twice while apps call through every sidecar. No app sees a failed call; the fleet spends at most 1.5
/// `force_refresh` calls per invalidation (each sidecar waits a random moment after its probe and fetches
/// normally first, so the first to wake forces for all); each sidecar fetches at most 1.5 tokens per token issued.
@Suite struct FleetTests {
    static let sidecars = 20
    static let invalidations = 2

    @Test func twentySidecarsOnOneAppidSurviveTwoInvalidationsWithFewForcedRefreshes() async throws {
        let tls = try TestTLS.shared()
        // Lifetime 320 s with the platform's 300 s rotation window: a new stable token every ~20 s.
        let emulator = WeChatEmulator(
            configuration: EmulatorConfiguration(
                tls: .init(certificatePath: tls.certificatePath, privateKeyPath: tls.privateKeyPath),
                secret: SidecarHarness.secret, tokenLifetime: 320, overlap: 300),
            logger: Logger(label: "fleet-emulator") { _ in SwiftLogNoOpLogHandler() })
        let emulatorTask = Task { try await emulator.run() }
        defer { emulatorTask.cancel() }
        _ = try await emulator.waitUntilListening()
        var fleet: [SidecarHarness] = []
        do {
            for _ in 0..<Self.sidecars {
                fleet.append(try await SidecarHarness.start(SidecarHarness.Options(), sharing: emulator))
            }
            try await exercise(fleet, emulator: emulator)
        } catch {
            for sidecar in fleet { await sidecar.stop() }
            emulatorTask.cancel()
            _ = await emulatorTask.result
            throw error
        }
        for sidecar in fleet { await sidecar.stop() }
        emulatorTask.cancel()
        _ = await emulatorTask.result
    }

    private func exercise(_ fleet: [SidecarHarness], emulator: WeChatEmulator) async throws {
        let statsBefore = emulator.knobs.stats
        let tally = Tally()
        let clock = ContinuousClock()
        let started = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Apps: each sidecar serves a caller that calls msg_sec_check every 100 ms.
            for sidecar in fleet {
                group.addTask {
                    while tally.running {
                        let answer = try await sidecar.send("POST", "/wxa/msg_sec_check", body: msgSecCheckBody)
                        tally.count(failure: answer.status != 200 || answer.errcode != 0
                            ? "\(answer.status) \(answer.text.prefix(160))" : nil)
                        try await Task.sleep(for: .milliseconds(100))  // the app's pace, not a wait for an event
                    }
                }
            }
            // Two invalidations of every token, 25 s apart, then 20 s more of rotations.
            for _ in 0..<Self.invalidations {
                try await Task.sleep(for: .seconds(25))  // the scenario's timeline: rotations happen meanwhile
                // The worst case: normal fetches keep returning the dead token, only a force_refresh helps.
                emulator.knobs.invalidateAllTokensUntilForced()
            }
            try await Task.sleep(for: .seconds(20))  // the scenario's timeline
            tally.stop()
            try await group.waitForAll()
        }
        let elapsed = clock.now - started
        let stats = emulator.knobs.stats
        let forces = stats.forceRefreshRequests - statsBefore.forceRefreshRequests
        let fetches = stats.stableTokenGrants - statsBefore.stableTokenGrants
        let issued = stats.stableTokensIssued - statsBefore.stableTokensIssued
        let forcesPerInvalidation = Double(forces) / Double(Self.invalidations)
        let fetchesPerSidecarPerToken = Double(fetches) / Double(Self.sidecars) / Double(max(issued, 1))
        let failed = tally.failures
        print("""
            FleetTests: \(Self.sidecars) sidecars, \(elapsed), \(tally.calls) app calls, \
            \(failed.count) failed; \(Self.invalidations) invalidations: \(forces) force_refresh calls \
            (\(forcesPerInvalidation) per invalidation); \(issued) tokens issued, \(fetches) token fetches \
            (\(String(format: "%.2f", fetchesPerSidecarPerToken)) per sidecar per token issued)
            """)
        #expect(failed.isEmpty, "\(failed.prefix(5))")
        #expect(forcesPerInvalidation <= 1.5)
        #expect(fetchesPerSidecarPerToken <= 1.5)
        #expect(issued >= 3, "tokens rotated during the run")
        #expect(tally.calls > Self.sidecars * 100)
    }
}

/// What the apps saw.
private final class Tally: Sendable {
    private struct State {
        var running = true
        var calls = 0
        var failures: [String] = []
    }

    private let state = Mutex(State())

    var running: Bool { state.withLock { $0.running } }
    var calls: Int { state.withLock { $0.calls } }
    var failures: [String] { state.withLock { $0.failures } }

    func stop() { state.withLock { $0.running = false } }

    func count(failure: String?) {
        state.withLock { state in
            state.calls += 1
            if let failure { state.failures.append(failure) }
        }
    }
}
