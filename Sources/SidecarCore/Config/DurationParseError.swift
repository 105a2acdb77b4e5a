// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Why a duration could not be parsed; see ``DurationParser``. The configuration layer adds the key and source.
public struct DurationParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short, bounded label, e.g. `"unknown_unit"`.
    public let label: String
    /// What is wrong and what is accepted, echoing the value only if it is printable ASCII.
    public let message: String

    init(_ reason: Reason, _ text: String) {
        self.label = reason.rawValue
        self.message =
            "\(EchoText.quoted(text)) is not a duration: \(reason.explanation);"
            + " use e.g. 600 (seconds), 600s, 10m, 1h30m, 1.5s or 500ms"
    }

    public var description: String { message }

    /// The ways a duration can be wrong.
    enum Reason: String, Sendable, CaseIterable {
        case empty = "empty"
        case negative = "negative"
        case whitespace = "whitespace"
        case invalidNumber = "invalid_number"
        case invalidCharacter = "invalid_character"
        case missingUnit = "missing_unit"
        case unknownUnit = "unknown_unit"
        case unitOrder = "unit_order"
        case overflow = "overflow"

        var explanation: String {
            switch self {
            case .empty: "it is empty"
            case .negative: "durations cannot be negative"
            case .whitespace: "it contains whitespace"
            case .invalidNumber: "a number is missing or malformed"
            case .invalidCharacter: "it contains a character that is neither a digit nor a unit"
            case .missingUnit: "a number has no unit (only a single bare number means seconds)"
            case .unknownUnit: "the units are h, m, s and ms"
            case .unitOrder: "units must go from largest to smallest, each at most once"
            case .overflow: "it is too long (the limit is about 292 years)"
            }
        }
    }
}
