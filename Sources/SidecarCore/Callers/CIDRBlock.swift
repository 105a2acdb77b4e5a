// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// An IPv4 or IPv6 address block (`10.0.0.0/8`, `fd00::/8`, or a single address) that callers may come from.
public struct CIDRBlock: Sendable, Hashable, CustomStringConvertible {
    /// The network address, 4 or 16 bytes.
    public let network: [UInt8]
    /// Leading bits that must match.
    public let prefixLength: Int

    /// Parses `a.b.c.d[/n]` or `v6[/n]`; `nil` if malformed or host bits are set.
    public init?(parsing text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddressBytes.parse(parts[0]) else { return nil }
        let bits = address.count * 8
        let length: Int
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...bits).contains(parsed), parts[1].allSatisfy(\.isASCII) else { return nil }
            length = parsed
        } else {
            length = bits
        }
        guard Self.hostBitsAreZero(address, prefixLength: length) else { return nil }
        network = address
        prefixLength = length
    }

    /// Whether `address` (4 or 16 bytes; an IPv4-mapped IPv6 address counts as IPv4) lies in the block.
    public func contains(_ address: [UInt8]) -> Bool {
        let candidate = IPAddressBytes.unmapped(address)
        guard candidate.count == network.count else { return false }
        var remaining = prefixLength
        for index in 0..<network.count where remaining > 0 {
            let take = min(8, remaining)
            let mask: UInt8 = take == 8 ? 0xFF : ~(0xFF >> UInt8(take))
            if candidate[index] & mask != network[index] & mask { return false }
            remaining -= take
        }
        return true
    }

    public var description: String {
        network.count == 4
            ? network.map(String.init).joined(separator: ".") + "/\(prefixLength)"
            : stride(from: 0, to: 16, by: 2).map { String(UInt16(network[$0]) << 8 | UInt16(network[$0 + 1]), radix: 16) }
                .joined(separator: ":") + "/\(prefixLength)"
    }

    private static func hostBitsAreZero(_ address: [UInt8], prefixLength: Int) -> Bool {
        var remaining = prefixLength
        for byte in address {
            let keep = min(8, max(0, remaining))
            let mask: UInt8 = keep == 8 ? 0xFF : ~(0xFF >> UInt8(keep))
            if byte & ~mask != 0 { return false }
            remaining -= 8
        }
        return true
    }
}

/// Textual IP addresses to bytes, without Foundation or the C library.
public enum IPAddressBytes {
    /// 4 bytes for dotted IPv4, 16 for IPv6 (with `::` compression and an optional dotted tail).
    public static func parse(_ text: some StringProtocol) -> [UInt8]? {
        text.contains(":") ? parseV6(Substring(text)) : parseV4(Substring(text))
    }

    /// Whether `address` (4 or 16 bytes, IPv4-mapped included) is a loopback address: 127.0.0.0/8 or `::1`.
    public static func isLoopback(_ address: [UInt8]) -> Bool {
        let address = unmapped(address)
        return (address.count == 4 && address[0] == 127) || address == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as its 4 IPv4 bytes; anything else unchanged.
    public static func unmapped(_ address: [UInt8]) -> [UInt8] {
        guard address.count == 16, address[0..<10].allSatisfy({ $0 == 0 }), address[10] == 0xFF, address[11] == 0xFF
        else { return address }
        return Array(address[12..<16])
    }

    static func parseV4(_ text: Substring) -> [UInt8]? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = UInt8(octet), !(octet.count > 1 && octet.first == "0")
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func parseV6(_ text: Substring) -> [UInt8]? {
        let halves = text.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if index == fields.count - 1, field.contains(".") {
                    guard let v4 = parseV4(field) else { return nil }
                    bytes += v4
                    continue
                }
                guard (1...4).contains(field.count), let value = UInt16(field, radix: 16) else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return bytes
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

extension Substring {
    /// Splits at `::` (at most once meaningful); used for IPv6 compression.
    fileprivate func components(separatedByDoubleColon: ()) -> [Substring] {
        var parts: [Substring] = []
        var start = startIndex
        var index = startIndex
        while index < endIndex {
            let next = self.index(after: index)
            if self[index] == ":", next < endIndex, self[next] == ":" {
                parts.append(self[start..<index])
                start = self.index(after: next)
                index = start
                continue
            }
            index = next
        }
        parts.append(self[start..<endIndex])
        return parts
    }
}
