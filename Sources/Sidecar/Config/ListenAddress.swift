// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore

/// Where the HTTP front listens: `host:port`, `[v6]:port`, or `unix:/path/to.sock`.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    /// 0 asks the kernel for a free port (tests, `wxsidecar dev`).
    public var port: Int
    /// Set for a unix domain socket; `host` and `port` are then unused.
    public var unixSocketPath: String?

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// A unix domain socket at `path`.
    public init(unixSocketPath path: String) {
        self.host = ""
        self.port = 0
        self.unixSocketPath = path
    }

    /// Parses `127.0.0.1:8098`, `localhost:8098`, `[::1]:8098`, `unix:/run/wxsidecar.sock`; `nil` if malformed.
    public init?(parsing text: String) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard path.hasPrefix("/"), path.utf8.count < 108, !path.hasSuffix("/") else { return nil }
            self.init(unixSocketPath: path)
            return
        }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return nil
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { return nil }  // bare IPv6 needs brackets
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }),
            let port = Int(portText), (0...65_535).contains(port)
        else { return nil }
        self.init(host: String(host), port: port)
    }

    /// Whether the address only accepts connections from this machine: a unix socket, `localhost` (which
    /// RFC 6761 reserves for loopback), or a literal loopback address (127.0.0.0/8, `::1`, `::ffff:127.x.y.z`).
    /// A name such as `127.example.com` is not loopback, whatever it resolves to.
    public var isLoopback: Bool {
        if unixSocketPath != nil || host.lowercased() == "localhost" { return true }
        return IPAddressBytes.parse(host).map(IPAddressBytes.isLoopback) ?? false
    }

    public var description: String {
        if let unixSocketPath { return "unix:\(unixSocketPath)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
