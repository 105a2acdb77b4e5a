// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

/// When freed heap pages go back to the system: only after growth, only when nothing is in flight, and not again
/// for memory that is really in use.
@Suite struct HeapReleaseScheduleTests {
    /// One tick: the sample, the requests in flight, what the schedule says, and the anonymous KiB left after a
    /// release (when it says release).
    struct Tick: Sendable, CustomTestStringConvertible {
        let anonymousKiB: Int
        let inFlight: Int
        let release: Bool
        var after: Int? = nil
        var testDescription: String { "\(anonymousKiB) KiB, \(inFlight) in flight → \(release ? "release" : "wait")" }
    }

    static let cases: [(String, [Tick])] = [
        ("the first sample is the baseline, whatever it is", [
            Tick(anonymousKiB: 90_000, inFlight: 0, release: false),
            Tick(anonymousKiB: 90_000, inFlight: 0, release: false),
        ]),
        ("growth under the minimum waits", [
            Tick(anonymousKiB: 10_000, inFlight: 0, release: false),
            Tick(anonymousKiB: 14_095, inFlight: 0, release: false),
        ]),
        ("growth of the minimum, quiet: release", [
            Tick(anonymousKiB: 10_000, inFlight: 0, release: false),
            Tick(anonymousKiB: 14_096, inFlight: 0, release: true, after: 10_500),
        ]),
        ("a burst in flight waits until it is over", [
            Tick(anonymousKiB: 10_000, inFlight: 0, release: false),
            Tick(anonymousKiB: 110_000, inFlight: 1024, release: false),
            Tick(anonymousKiB: 110_000, inFlight: 1, release: false),
            Tick(anonymousKiB: 110_000, inFlight: 0, release: true, after: 12_000),
            Tick(anonymousKiB: 12_000, inFlight: 0, release: false),
        ]),
        ("memory really in use is not released again and again", [
            Tick(anonymousKiB: 10_000, inFlight: 0, release: false),
            Tick(anonymousKiB: 30_000, inFlight: 0, release: true, after: 29_000),
            Tick(anonymousKiB: 29_500, inFlight: 0, release: false),
            Tick(anonymousKiB: 33_000, inFlight: 0, release: false),
            Tick(anonymousKiB: 33_096, inFlight: 0, release: true, after: 32_000),
        ]),
        ("memory freed by itself lowers the baseline", [
            Tick(anonymousKiB: 20_000, inFlight: 0, release: false),
            Tick(anonymousKiB: 8_000, inFlight: 0, release: false),
            Tick(anonymousKiB: 12_096, inFlight: 0, release: true, after: 8_100),
        ]),
    ]

    @Test(arguments: cases)
    func schedule(_ name: String, _ ticks: [Tick]) {
        var schedule = HeapReleaseSchedule(minimumGrowthKiB: 4096)
        for (index, tick) in ticks.enumerated() {
            let release = schedule.shouldRelease(anonymousKiB: tick.anonymousKiB, requestsInFlight: tick.inFlight)
            #expect(release == tick.release, "\(name), tick \(index): \(tick.testDescription)")
            if release, let after = tick.after { schedule.released(anonymousKiBAfter: after) }
        }
    }

    @Test(arguments: [
        ("Name:\twxsidecar\nRssAnon:\t     156 kB\nRssFile:\t    4012 kB\n", 156 as Int?),
        ("RssAnon: 23800 kB", 23_800),
        ("RssFile:\t    4012 kB\n", nil),
        ("RssAnon:\t  many kB\n", nil),
        ("RssAnon:\t 156 MB\n", nil),
        ("", nil),
    ])
    func anonymousMemoryFromProcStatus(_ status: String, _ expected: Int?) {
        #expect(ProcessStatus.anonymousKiB(status: status) == expected)
    }
}
