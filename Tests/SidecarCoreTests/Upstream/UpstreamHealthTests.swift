// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

/// Which upstream URL a call tries, and what its attempts change: scenarios of events at given times (the clock
/// is the `at` argument; the policy is the default, 3 failures then 30 s).
@Suite struct UpstreamHealthTests {
    /// One event, and what the machine must answer.
    enum Step: Sendable, CustomStringConvertible {
        /// A new call starts at `at`: it must try `tries`.
        case call(at: Double, tries: Int)
        /// The attempt on `failed` did not reach it: the call must fall back to `to` (`nil`: no URL left).
        case fallback(after: Int, at: Double, to: Int?)
        /// An attempt on `url` ended.
        case attempt(UpstreamHealth.Attempt, on: Int, at: Double)
        /// `url` must be in `state` at `at`.
        case state(of: Int, at: Double, is: UpstreamHealth.State)
        /// The URL in use must be `url`.
        case inUse(Int)

        var description: String {
            switch self {
            case .call(let at, let tries): "call@\(at)→\(tries)"
            case .fallback(let failed, let at, let to): "fallback(\(failed))@\(at)→\(to.map(String.init) ?? "none")"
            case .attempt(let attempt, let url, let at): "\(attempt)(\(url))@\(at)"
            case .state(let url, let at, let state): "state(\(url))@\(at)=\(state)"
            case .inUse(let url): "inUse=\(url)"
            }
        }
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var urls: Int
        var steps: [Step]
        var testDescription: String { name }
    }

    /// Three failures to connect in a row on `url`, at `at`, `at + 1`, `at + 2`: it cools down until `at + 32`.
    static func threeFailures(on url: Int, from at: Double) -> [Step] {
        (0..<3).map { .attempt(.unreachable, on: url, at: at + Double($0)) }
    }

    static let scenarios: [Scenario] = [
        Scenario(name: "a healthy primary takes every call", urls: 2, steps: [
            .call(at: 0, tries: 0), .attempt(.reached, on: 0, at: 0), .call(at: 1, tries: 0), .inUse(0),
            .state(of: 0, at: 1, is: .up), .state(of: 1, at: 1, is: .up),
        ]),
        Scenario(name: "a primary that could not be reached sends the call to the next URL, which is then in use", urls: 3, steps: [
            .call(at: 0, tries: 0), .attempt(.unreachable, on: 0, at: 0), .fallback(after: 0, at: 0, to: 1),
            .attempt(.reached, on: 1, at: 0), .inUse(1), .state(of: 0, at: 0, is: .failing(failures: 1)),
            .call(at: 1, tries: 0),
        ]),
        Scenario(name: "three failures in a row skip the primary for 30 s", urls: 2,
            steps: threeFailures(on: 0, from: 0) + [
                .state(of: 0, at: 2, is: .coolingDown(remaining: 30)), .call(at: 10, tries: 1),
                .state(of: 0, at: 31.5, is: .coolingDown(remaining: 0.5)), .call(at: 31.5, tries: 1),
            ]),
        Scenario(name: "after the cool-down the next call probes the primary; others skip it until the probe ends", urls: 2,
            steps: threeFailures(on: 0, from: 0) + [
                .state(of: 0, at: 32, is: .probeDue), .call(at: 33, tries: 0), .state(of: 0, at: 33, is: .probing),
                .call(at: 33.5, tries: 1), .attempt(.reached, on: 0, at: 34), .state(of: 0, at: 34, is: .up),
                .inUse(0), .call(at: 35, tries: 0),
            ]),
        Scenario(name: "a probe that fails cools the primary down again at once", urls: 2,
            steps: threeFailures(on: 0, from: 0) + [
                .call(at: 33, tries: 0), .attempt(.unreachable, on: 0, at: 33), .fallback(after: 0, at: 33, to: 1),
                .state(of: 0, at: 34, is: .coolingDown(remaining: 29)), .call(at: 34, tries: 1), .call(at: 63, tries: 0),
            ]),
        Scenario(name: "a cancelled probe leaves the primary to the next call", urls: 2,
            steps: threeFailures(on: 0, from: 0) + [
                .call(at: 33, tries: 0), .attempt(.inconclusive, on: 0, at: 33), .state(of: 0, at: 33, is: .probeDue),
                .call(at: 33.1, tries: 0),
            ]),
        Scenario(name: "a probe never answered stops holding the primary after one more cool-down", urls: 2,
            steps: threeFailures(on: 0, from: 0) + [
                .call(at: 33, tries: 0), .call(at: 62.9, tries: 1), .call(at: 63, tries: 0),
            ]),
        Scenario(name: "a success clears the failures, so failures must come in a row", urls: 2, steps: [
            .attempt(.unreachable, on: 0, at: 0), .attempt(.unreachable, on: 0, at: 1), .attempt(.reached, on: 0, at: 2),
            .attempt(.unreachable, on: 0, at: 3), .attempt(.unreachable, on: 0, at: 4),
            .state(of: 0, at: 4, is: .failing(failures: 2)), .call(at: 5, tries: 0),
        ]),
        Scenario(name: "an inconclusive attempt changes nothing", urls: 2, steps: [
            .attempt(.unreachable, on: 0, at: 0), .attempt(.inconclusive, on: 0, at: 1),
            .state(of: 0, at: 1, is: .failing(failures: 1)), .inUse(0),
        ]),
        Scenario(name: "the last URL has no fallback", urls: 2, steps: [
            .fallback(after: 1, at: 0, to: nil),
        ]),
        Scenario(name: "a single URL has no fallback", urls: 1, steps: [
            .call(at: 0, tries: 0), .attempt(.unreachable, on: 0, at: 0), .fallback(after: 0, at: 0, to: nil),
        ]),
        Scenario(name: "the fallback skips a URL that is cooling down", urls: 3,
            steps: threeFailures(on: 1, from: 0) + [
                .fallback(after: 0, at: 5, to: 2), .state(of: 1, at: 5, is: .coolingDown(remaining: 27)),
            ]),
        Scenario(name: "a call on the fallback never goes back to the primary", urls: 2,
            steps: threeFailures(on: 0, from: 0) + [
                .call(at: 5, tries: 1), .attempt(.unreachable, on: 1, at: 5), .fallback(after: 1, at: 5, to: nil),
            ]),
        Scenario(name: "when every URL is skipped, calls try the primary", urls: 2,
            steps: threeFailures(on: 0, from: 0) + threeFailures(on: 1, from: 0) + [
                .call(at: 5, tries: 0), .fallback(after: 0, at: 5, to: nil),
            ]),
        Scenario(name: "a fallback whose cool-down is over becomes the call's probe", urls: 3,
            steps: threeFailures(on: 1, from: 0) + [
                .fallback(after: 0, at: 40, to: 1), .state(of: 1, at: 40, is: .probing), .fallback(after: 0, at: 40, to: 2),
            ]),
    ]

    @Test(arguments: scenarios)
    func scenario(_ scenario: Scenario) {
        var health = UpstreamHealth(count: scenario.urls)
        for (index, step) in scenario.steps.enumerated() {
            let context = Comment(rawValue: "step \(index): \(step)")
            switch step {
            case .call(let at, let tries):
                #expect(health.first(at: at) == tries, context)
            case .fallback(let failed, let at, let to):
                #expect(health.fallback(after: failed, at: at) == to, context)
            case .attempt(let attempt, let url, let at):
                health.record(attempt, on: url, at: at)
            case .state(let url, let at, let state):
                #expect(health.state(of: url, at: at) == state, context)
            case .inUse(let url):
                #expect(health.inUse == url, context)
            }
        }
    }

    @Test(arguments: [
        (UpstreamHealth.State.up, "up"), (.failing(failures: 2), "failing"), (.coolingDown(remaining: 3), "cooling_down"),
        (.probeDue, "probe_due"), (.probing, "probing"),
    ])
    func statesHaveBoundedLabels(state: UpstreamHealth.State, label: String) {
        #expect(state.label == label)
    }

    @Test func aPolicyOfItsOwnChangesTheThresholdAndTheCooldown() {
        var health = UpstreamHealth(count: 2, policy: .init(failuresBeforeCooldown: 1, cooldown: 5))
        health.record(.unreachable, on: 0, at: 0)
        #expect(health.state(of: 0, at: 0) == .coolingDown(remaining: 5))
        #expect(health.first(at: 4) == 1)
        #expect(health.first(at: 5) == 0)
    }
}
