// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

@Suite("Duration parsing")
struct DurationParserTests {
    @Test(
        "valid durations parse",
        arguments: [
            ("600", Duration.seconds(600)),
            ("600s", .seconds(600)),
            ("10m", .seconds(600)),
            ("1h", .seconds(3600)),
            ("1h30m", .seconds(5400)),
            ("1m30s", .seconds(90)),
            ("1h1m1s1ms", .milliseconds(3_661_001)),
            ("1.5s", .milliseconds(1500)),
            ("1.5", .milliseconds(1500)),
            ("0.25h", .seconds(900)),
            ("1.5ms", .microseconds(1500)),
            ("500ms", .milliseconds(500)),
            ("1s500ms", .milliseconds(1500)),
            ("0", .zero),
            ("0s", .zero),
            ("007s", .seconds(7)),
            ("1.0000000019s", .nanoseconds(1_000_000_001)),
            ("2562047h", .seconds(2_562_047 * 3600)),
        ])
    func durationParses(_ text: String, _ expected: Duration) throws {
        #expect(try DurationParser.parse(text).get() == expected)
    }

    @Test(
        "invalid durations are refused with their reason",
        arguments: [
            ("", "empty"),
            ("-5s", "negative"),
            ("-1", "negative"),
            (" 5s", "whitespace"),
            ("5 s", "whitespace"),
            ("5s\t", "whitespace"),
            ("abc", "invalid_number"),
            ("s", "invalid_number"),
            ("+5s", "invalid_number"),
            (".5s", "invalid_number"),
            ("5.s", "invalid_number"),
            ("1d", "unknown_unit"),
            ("1min", "unknown_unit"),
            ("1H", "unknown_unit"),
            ("1e3s", "unknown_unit"),
            ("1h30", "missing_unit"),
            ("1.2.3s", "missing_unit"),
            ("5s!", "invalid_character"),
            ("30m1h", "unit_order"),
            ("1m1m", "unit_order"),
            ("1s1m", "unit_order"),
            ("99999999999999999999s", "overflow"),
            ("2562048h", "overflow"),
            ("2562047h1000000h", "unit_order"),
            ("2562047h59m", "overflow"),
        ])
    func durationIsRefused(_ text: String, _ label: String) {
        guard case .failure(let error) = DurationParser.parse(text) else {
            Issue.record("accepted")
            return
        }
        #expect(error.label == label)
    }

    @Test("the error message quotes the value and shows the accepted forms")
    func errorMessage() {
        guard case .failure(let error) = DurationParser.parse("10 minutes") else {
            Issue.record("accepted")
            return
        }
        #expect(error.message.hasPrefix("'10 minutes' is not a duration"))
        #expect(error.message.contains("1h30m"))
    }
}
