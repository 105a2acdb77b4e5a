// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

/// The connection's life by tables: each scenario is a list of events with what the machine must answer.
@Suite("Connection state machine")
struct ConnectionStateMachineTests {
    typealias Machine = ConnectionStateMachine
    static let second: Int64 = 1_000_000_000
    static let limits = Machine.Limits(idleTimeout: 75 * second, headerTimeout: 10 * second)

    /// One event and the answer expected.
    enum Step: Sendable {
        case bytes(at: Int64)
        case part(Machine.Part, at: Int64 = 0, replayed: Bool = false, Machine.PartAction)
        case read(Machine.Action)
        case writable(Bool, Machine.Action)
        case written(close: Bool = false, keepAlive: Bool)
        case flushed(at: Int64 = 0, Machine.Action)
        case tick(at: Int64, Machine.Action)
        case deadline(Int64?)
        case quiesce(Machine.Action)
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [Step]
        var testDescription: String { name }
    }

    static let s = second
    static let scenarios: [Scenario] = [
        Scenario(name: "a kept-alive request, then the next", steps: [
            .part(.head(keepAlive: true), .handle), .part(.body, .handle), .part(.end, .handle),
            .written(keepAlive: true), .flushed(.nextRequest(read: false)), .read(.read),
        ]),
        Scenario(name: "reading goes on while the answer is awaited, so a hang-up is seen", steps: [
            .part(.head(keepAlive: true), .handle), .read(.read), .part(.body, .handle), .read(.read),
            .part(.end, .handle), .read(.read),
        ]),
        Scenario(name: "pipelined parts wait in the queue until the answer before them is flushed", steps: [
            .part(.head(keepAlive: true), .handle), .part(.end, .handle),
            .part(.head(keepAlive: true), .queue), .part(.end, .queue), .read(.none),
            .written(keepAlive: true), .read(.none), .flushed(.nextRequest(read: false)),
            .part(.head(keepAlive: true), replayed: true, .handle), .part(.end, replayed: true, .handle),
            .read(.read), .written(keepAlive: true), .flushed(.nextRequest(read: false)),
        ]),
        Scenario(name: "a read asked for while parts are queued happens after they are replayed", steps: [
            .part(.head(keepAlive: true), .handle), .part(.end, .handle), .part(.head(keepAlive: true), .queue),
            .read(.none), .written(keepAlive: true), .flushed(.nextRequest(read: false)),
            .part(.head(keepAlive: true), replayed: true, .handle), .read(.read),
        ]),
        Scenario(name: "a new part behind queued ones is queued too, in order", steps: [
            .part(.head(keepAlive: true), .handle), .part(.end, .handle), .part(.head(keepAlive: true), .queue),
            .written(keepAlive: true), .flushed(.nextRequest(read: false)),
            .part(.body, .queue), .part(.head(keepAlive: true), replayed: true, .handle),
            .part(.body, replayed: true, .handle),
        ]),
        Scenario(name: "Connection: close ends the connection once the answer is flushed", steps: [
            .part(.head(keepAlive: false), .handle), .part(.end, .handle),
            .written(keepAlive: false), .flushed(.close), .part(.head(keepAlive: true), .drop),
        ]),
        Scenario(name: "an answer that did not read the body closes the connection", steps: [
            .part(.head(keepAlive: true), .handle), .written(close: true, keepAlive: false), .flushed(.close),
        ]),
        Scenario(name: "an early answer on a kept-alive connection: the body is read, then the next request", steps: [
            .part(.head(keepAlive: true), .handle), .written(keepAlive: true), .flushed(.none),
            .read(.read), .part(.body, .handle), .part(.end, .handleThenNext(read: false)), .read(.read),
        ]),
        Scenario(name: "a head that stalls gets 408 after the header timeout", steps: [
            .bytes(at: 0), .deadline(10 * s), .tick(at: 10 * s - 1, .none), .tick(at: 10 * s, .requestTimeout(.head)),
            .deadline(nil),
        ]),
        Scenario(name: "a body that stalls gets 408; progress moves the deadline", steps: [
            .part(.head(keepAlive: true), at: 0, .handle), .part(.body, at: 4 * s, .handle), .deadline(14 * s),
            .tick(at: 13 * s, .none), .tick(at: 14 * s, .requestTimeout(.body)),
        ]),
        Scenario(name: "a body that stalls after an early answer: the connection closes without another answer", steps: [
            .part(.head(keepAlive: true), at: 0, .handle), .written(keepAlive: true), .flushed(.none),
            .tick(at: 10 * s, .close),
        ]),
        Scenario(name: "an idle connection closes after the idle timeout", steps: [
            .deadline(75 * s), .tick(at: 75 * s - 1, .none), .tick(at: 75 * s, .close),
        ]),
        Scenario(name: "the idle time starts when the answer is flushed, not when it is written", steps: [
            .part(.head(keepAlive: true), at: 0, .handle), .part(.end, at: 0, .handle), .written(keepAlive: true),
            .deadline(nil), .tick(at: 500 * s, .none), .flushed(at: 500 * s, .nextRequest(read: false)),
            .deadline(575 * s), .tick(at: 574 * s, .none), .tick(at: 575 * s, .close),
        ]),
        Scenario(name: "nothing times out while the upstream is being waited for", steps: [
            .part(.head(keepAlive: true), at: 0, .handle), .part(.end, at: 0, .handle), .deadline(nil),
            .tick(at: 1000 * s, .none),
        ]),
        Scenario(name: "reads pause while the channel is not writable", steps: [
            .writable(false, .none), .read(.none), .writable(true, .read), .read(.read),
        ]),
        Scenario(name: "a read held while unwritable happens when writability returns", steps: [
            .part(.head(keepAlive: true), .handle), .part(.end, .handle), .writable(false, .none), .read(.none),
            .written(keepAlive: true), .flushed(.nextRequest(read: false)), .writable(true, .read),
        ]),
        Scenario(name: "quiesce closes an idle connection at once", steps: [
            .quiesce(.close), .part(.head(keepAlive: true), .drop), .read(.none),
        ]),
        Scenario(name: "quiesce closes a head still arriving", steps: [.bytes(at: 0), .quiesce(.close)]),
        Scenario(name: "quiesce during a request closes after its answer", steps: [
            .part(.head(keepAlive: true), .handle), .part(.end, .handle), .quiesce(.none),
            .written(keepAlive: false), .flushed(.close),
        ]),
        Scenario(name: "quiesce after the answer was written closes when it is flushed", steps: [
            .part(.head(keepAlive: true), .handle), .part(.end, .handle), .written(keepAlive: true), .quiesce(.none),
            .flushed(.close),
        ]),
        Scenario(name: "a body or end without a head closes the connection", steps: [
            .part(.body, .drop), .read(.none), .deadline(nil),
        ]),
    ]

    @Test(arguments: scenarios)
    func scenario(_ scenario: Scenario) {
        var machine = Machine(limits: Self.limits, now: 0)
        for (index, step) in scenario.steps.enumerated() {
            let context = Comment(rawValue: "step \(index + 1): \(step)")
            switch step {
            case .bytes(let now):
                machine.bytesArrived(at: now)
            case .part(let part, let now, let replayed, let expected):
                #expect(machine.received(part, at: now, replayed: replayed) == expected, context)
            case .read(let expected):
                #expect(machine.readRequested() == expected, context)
            case .writable(let writable, let expected):
                #expect(machine.writabilityChanged(writable) == expected, context)
            case .written(let close, let keepAlive):
                #expect(machine.answerWritten(close: close) == keepAlive, context)
            case .flushed(let now, let expected):
                #expect(machine.answerFlushed(at: now) == expected, context)
            case .tick(let now, let expected):
                #expect(machine.tick(at: now) == expected, context)
            case .deadline(let expected):
                #expect(machine.deadline == expected, context)
            case .quiesce(let expected):
                #expect(machine.quiesce() == expected, context)
            }
        }
    }

    @Test func aClosedConnectionDropsEverythingAndNeverReads() {
        var machine = Machine(limits: Self.limits, now: 0)
        machine.closed()
        #expect(machine.received(.head(keepAlive: true), at: 0) == .drop)
        #expect(machine.readRequested() == .none)
        #expect(machine.writabilityChanged(true) == .none)
        #expect(machine.tick(at: 1000 * Self.second) == .none)
        #expect(!machine.isServingRequest)
    }
}
