// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// What a request head must satisfy before anything else looks at it (RFC 9112), and what it asks of the
/// connection. Pure: the names and values as received, no NIO types.
public enum RequestHeadRules {
    /// The verdict on one head.
    public enum Verdict: Sendable, Equatable {
        /// Serve it; `expectsContinue`: answer `100 Continue` before reading the body once the call is admitted.
        case accept(expectsContinue: Bool)
        /// Refuse it with this status (400, 417, 501), a WeChat-style errcode, a message and a bounded label.
        case refuse(status: Int, errcode: Int, message: String, label: String)
    }

    /// Checks a head of HTTP/`major`.`minor`.
    ///
    /// - HTTP/1.1 needs exactly one `Host`; HTTP/1.0 at most one (400).
    /// - `Transfer-Encoding` may only be `chunked`, once (anything else, `gzip, chunked` included, is 501: the
    ///   sidecar would forward a body whose coding it cannot name).
    /// - `Expect` may only be `100-continue` (417 otherwise).
    ///
    /// Inlinable so the caller's header sequence is specialized: unspecialized, the generic walk over a lazy view of
    /// NIO's headers cost ~7k instructions per request (callgrind, BENCHMARKS.md session 8).
    @inlinable
    public static func check(major: Int, minor: Int, headers: some Sequence<(name: String, value: String)>) -> Verdict {
        var hosts = 0
        var transferCodings: [Substring] = []
        var expectsContinue = false
        for (name, value) in headers {
            if name.equalsIgnoringASCIICase("host") {
                hosts += 1
            } else if name.equalsIgnoringASCIICase("transfer-encoding") {
                transferCodings += value.split(separator: ",").map(trimmed)
            } else if name.equalsIgnoringASCIICase("expect") {
                guard String(trimmed(value[...])).equalsIgnoringASCIICase("100-continue") else {
                    return .refuse(
                        status: 417, errcode: -1, message: "unsupported Expect: only 100-continue is supported",
                        label: "expectation_failed")
                }
                expectsContinue = true
            }
        }
        if major == 1 && minor >= 1 && hosts != 1 {
            return .refuse(
                status: 400, errcode: -1,
                message: hosts == 0 ? "HTTP/1.1 request without a Host header" : "request with more than one Host header",
                label: hosts == 0 ? "missing_host" : "duplicate_host")
        }
        if hosts > 1 {
            return .refuse(
                status: 400, errcode: -1, message: "request with more than one Host header", label: "duplicate_host")
        }
        if !transferCodings.isEmpty
            && !(transferCodings.count == 1 && String(transferCodings[0]).equalsIgnoringASCIICase("chunked"))
        {
            return .refuse(
                status: 501, errcode: -1,
                message: "unsupported Transfer-Encoding: only chunked is supported (send the body as is)",
                label: "unsupported_transfer_coding")
        }
        return .accept(expectsContinue: expectsContinue)
    }

    @usableFromInline
    static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
