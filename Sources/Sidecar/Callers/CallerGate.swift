// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import SidecarCore

/// Who may call: callers from `allow_cidrs` (loopback and unix-socket callers always pass), and, when
/// `auth.key_file` is set, only callers that send the key in `auth.header` (compared in constant time).
/// The liveness and readiness probes need no key.
struct CallerGate: Sendable {
    let key: [UInt8]?
    /// `auth.header` as configured, and lowercase.
    let headerName: String
    let header: String
    let allowCIDRs: [CIDRBlock]

    init(_ callers: SidecarConfiguration.Callers) {
        key = callers.key.map { Array($0.utf8) }
        headerName = callers.keyHeader
        header = HeaderFilter.asciiLowercased(callers.keyHeader)
        allowCIDRs = callers.allowCIDRs
    }

    /// Whether the gate checks anything at all.
    var isOpen: Bool { key == nil && allowCIDRs.isEmpty }

    /// `nil` when the caller may proceed, else the answer.
    /// `sentKey` is the value of the caller's `auth.header`, if it sent one.
    func check(remote: SocketAddress?, sentKey: String?, rawTarget: String) -> SidecarAnswer? {
        if !allowCIDRs.isEmpty, let address = remote, let ip = address.ipAddress,
            let bytes = IPAddressBytes.parse(ip.split(separator: "%").first ?? ""),
            !IPAddressBytes.isLoopback(bytes), !allowCIDRs.contains(where: { $0.contains(bytes) })
        {
            return SidecarAnswer(
                status: 403, errcode: -1, errmsg: "caller \(ip) is not in allow_cidrs", label: "caller_not_allowed")
        }
        guard let key, !Self.isProbe(rawTarget) else { return nil }
        guard let sent = sentKey, Self.constantTimeEqual(Array(sent.utf8), key) else {
            return SidecarAnswer(
                status: 401, errcode: -1,
                errmsg: "missing or wrong caller key: send the key from auth.key_file in the \(headerName) header",
                label: "caller_key_missing")
        }
        return nil
    }

    static func isProbe(_ rawTarget: String) -> Bool {
        rawTarget == "/-/healthy" || rawTarget == "/-/ready"
    }

    /// Compares every byte whatever the first difference, so timing tells nothing about the key. The lengths are
    /// compared whole: keys whose lengths differ by a multiple of 256 are still different.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt(bitPattern: lhs.count ^ rhs.count)
        for index in 0..<max(lhs.count, rhs.count) {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= UInt(left ^ right)
        }
        return difference == 0
    }
}
