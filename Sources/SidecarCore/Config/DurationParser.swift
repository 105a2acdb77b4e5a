// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Parses durations in configuration values.
///
/// Accepted:
/// - a bare number of seconds: `600`, `1.5`;
/// - one or more `<number><unit>` components with units `h`, `m`, `s`, `ms`, largest unit first, each unit at
///   most once: `600s`, `10m`, `1h`, `1h30m`, `1m30s`, `1s500ms`, `1.5s`, `0.25h`.
///
/// A number is digits with an optional fraction (`1.5`; not `.5` or `5.`). Precision is 1 ns: fraction
/// digits past the ninth are ignored. Refused: empty text, whitespace, signs (no negative durations),
/// unknown units (`1d`, `1min`), a bare number followed by components (`1h30`), units out of order or
/// repeated (`30m1h`, `1m1m`), and totals beyond `Int64.max` nanoseconds (about 292 years).
public enum DurationParser {
    /// Parses `text` into a non-negative `Duration`.
    public static func parse(_ text: String) -> Result<Duration, DurationParseError> {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return .failure(DurationParseError(.empty, text)) }
        if bytes.first == 0x2D { return .failure(DurationParseError(.negative, text)) }
        if bytes.contains(where: { $0 == ByteClass.space || $0 == ByteClass.tab }) {
            return .failure(DurationParseError(.whitespace, text))
        }

        var index = 0
        var total: Int64 = 0
        var lastRank = -1
        while index < bytes.count {
            let componentStart = index
            guard let number = readNumber(bytes, at: &index) else {
                let byte = bytes[componentStart]
                let stray = lastRank >= 0 && !ByteClass.isDigit(byte) && byte != ByteClass.period
                return .failure(DurationParseError(stray ? .invalidCharacter : .invalidNumber, text))
            }
            let unit: Unit
            if index == bytes.count && lastRank == -1 {
                unit = .second  // a bare number
            } else {
                switch readUnit(bytes, at: &index) {
                case .unit(let found): unit = found
                case .reason(let reason): return .failure(DurationParseError(reason, text))
                }
            }
            guard unit.rank > lastRank else { return .failure(DurationParseError(.unitOrder, text)) }
            lastRank = unit.rank
            guard let nanoseconds = number.nanoseconds(per: unit.nanoseconds) else {
                return .failure(DurationParseError(.overflow, text))
            }
            let (sum, overflow) = total.addingReportingOverflow(nanoseconds)
            guard !overflow else { return .failure(DurationParseError(.overflow, text)) }
            total = sum
        }
        return .success(.nanoseconds(total))
    }

    // MARK: Units

    private enum UnitOrReason {
        case unit(Unit)
        case reason(DurationParseError.Reason)
    }

    enum Unit {
        case hour, minute, second, millisecond

        var rank: Int {
            switch self {
            case .hour: 0
            case .minute: 1
            case .second: 2
            case .millisecond: 3
            }
        }

        var nanoseconds: Int64 {
            switch self {
            case .hour: 3_600_000_000_000
            case .minute: 60_000_000_000
            case .second: 1_000_000_000
            case .millisecond: 1_000_000
            }
        }
    }

    private static func readUnit(_ bytes: [UInt8], at index: inout Int) -> UnitOrReason {
        let start = index
        while index < bytes.count && ByteClass.isAlpha(bytes[index]) { index += 1 }
        switch bytes[start..<index] {
        case [0x68]: return .unit(.hour)  // h
        case [0x6D]: return .unit(.minute)  // m
        case [0x73]: return .unit(.second)  // s
        case [0x6D, 0x73]: return .unit(.millisecond)  // ms
        case [] where index == bytes.count:
            return .reason(.missingUnit)
        case []:
            if ByteClass.isDigit(bytes[index]) || bytes[index] == ByteClass.period {
                return .reason(.missingUnit)
            }
            return .reason(.invalidCharacter)
        default:
            return .reason(.unknownUnit)
        }
    }

    // MARK: Numbers

    /// `whole.fraction`, the fraction as digits over `10^fractionDigits` (at most 9 digits kept).
    struct Number {
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0

        /// `self × unit` in nanoseconds, or `nil` on overflow.
        func nanoseconds(per unit: Int64) -> Int64? {
            let (wholePart, overflow) = whole.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            var scale: Int64 = 1
            for _ in 0..<fractionDigits { scale *= 10 }
            // fraction < scale ≤ 10^9, and unit ≤ 3.6e12: exact when scale divides unit, small otherwise.
            let fractionPart = unit % scale == 0 ? fraction * (unit / scale) : fraction * unit / scale
            let (sum, overflowSum) = wholePart.addingReportingOverflow(fractionPart)
            return overflowSum ? nil : sum
        }
    }

    private static func readNumber(_ bytes: [UInt8], at index: inout Int) -> Number? {
        var number = Number()
        let start = index
        while index < bytes.count && ByteClass.isDigit(bytes[index]) {
            let (times, overflowTimes) = number.whole.multipliedReportingOverflow(by: 10)
            let (plus, overflowPlus) = times.addingReportingOverflow(Int64(bytes[index] - 0x30))
            // Saturate: the multiplication by the unit reports the overflow.
            number.whole = (overflowTimes || overflowPlus) ? .max : plus
            index += 1
        }
        guard index > start else { return nil }
        guard index < bytes.count && bytes[index] == ByteClass.period else { return number }
        index += 1
        let fractionStart = index
        while index < bytes.count && ByteClass.isDigit(bytes[index]) {
            if number.fractionDigits < 9 {
                number.fraction = number.fraction * 10 + Int64(bytes[index] - 0x30)
                number.fractionDigits += 1
            }
            index += 1
        }
        return index > fractionStart ? number : nil
    }
}
