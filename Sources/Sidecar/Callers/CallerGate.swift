// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import SidecarCore

/// Who may call: callers from `allow_cidrs` (loopback and unix-socket callers always pass), and, when
/// `auth.key_file` is set, only callers that send the key in `auth.header` (compared in constant time).
/// The liveness and readiness probes need no key.
struct CallerGate: Sendable {
    let key: [UInt8]?
    /// Keys bound to some accounts, with the appids each may use.
    let accountKeys: [(key: [UInt8], appids: Set<String>)]
    /// `auth.header` as configured, and lowercase.
    let headerName: String
    let header: String
    let allowCIDRs: [CIDRBlock]

    init(_ callers: SidecarConfiguration.Callers) {
        key = callers.key.map { Array($0.utf8) }
        accountKeys = callers.accountKeys.map { (Array($0.value.utf8), $0.appids) }
        headerName = callers.keyHeader
        header = HeaderFilter.asciiLowercased(callers.keyHeader)
        allowCIDRs = callers.allowCIDRs
    }

    /// Whether the gate checks anything at all.
    var isOpen: Bool { key == nil && accountKeys.isEmpty && allowCIDRs.isEmpty }

    /// What the gate says of a caller.
    enum Verdict: Sendable {
        /// It may proceed, with the appids its key may use (`nil`: every account).
        case admitted(grant: Set<String>?)
        case refused(SidecarAnswer)

        /// The answer when refused.
        var refusal: SidecarAnswer? {
            if case .refused(let answer) = self { return answer }
            return nil
        }
    }

    /// Whether the caller may proceed, and as which accounts.
    /// `sentKey` is the value of the caller's `auth.header`, if it sent one.
    func check(remote: SocketAddress?, sentKey: String?, rawTarget: String) -> Verdict {
        if !allowCIDRs.isEmpty, let address = remote, let ip = address.ipAddress,
            let bytes = IPAddressBytes.parse(ip.split(separator: "%").first ?? ""),
            !IPAddressBytes.isLoopback(bytes), !allowCIDRs.contains(where: { $0.contains(bytes) })
        {
            return .refused(SidecarAnswer(
                status: 403, errcode: -1, errmsg: "caller \(ip) is not in allow_cidrs", label: "caller_not_allowed"))
        }
        guard key != nil || !accountKeys.isEmpty, !Self.isProbe(rawTarget) else { return .admitted(grant: nil) }
        let sent = sentKey.map { Array($0.utf8) }
        // Every key is compared, whichever matches, so timing tells nothing about which one did.
        var grant: Set<String>?? = .none
        if let sent, let key, Self.constantTimeEqual(sent, key) { grant = .some(nil) }
        for (bound, appids) in accountKeys {
            if let sent, Self.constantTimeEqual(sent, bound), grant == nil { grant = .some(appids) }
        }
        guard let grant else {
            return .refused(SidecarAnswer(
                status: 401, errcode: -1,
                errmsg: "missing or wrong caller key: send the key from auth.key_file (or an account's auth.key_file) in the \(headerName) header",
                label: "caller_key_missing"))
        }
        return .admitted(grant: grant)
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
