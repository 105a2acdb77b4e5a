// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import SidecarCore
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Something that is not a regular file where the whitelist belongs: a FIFO (whose blocking open used to hang
/// the daemon's file I/O for good: no reload, no token refresh, SIGTERM ignored), a directory, a character
/// device. At start it is a configuration error naming `whitelist.file`; as a reload it is a failed reload that
/// keeps the previous whitelist, while token refreshes go on.
@Suite struct WhitelistSpecialFileTests {
    enum Kind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case fifo = "a FIFO (named pipe)"
        case directory = "a directory"
        case device = "a character device"

        var testDescription: String { rawValue }

        /// Puts one at `path` (the device as a link to /dev/null, the way a mount or a mistaken path would).
        func make(at path: String) throws {
            switch self {
            case .fifo: guard mkfifo(path, 0o644) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
            case .directory: try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            case .device: try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/null")
            }
        }
    }

    @Test(arguments: Kind.allCases)
    func atStartItIsAConfigurationErrorNamingWhitelistFile(_ kind: Kind) async throws {
        try await withDaemonFolder { folder in
            let whitelist = folder.directory.path("special")
            try kind.make(at: whitelist)
            let config = try folder.config(token: folder.directory.path("wx/token"), whitelist: whitelist)
            for command in ["check-config", "run"] {
                let (status, output) = try await ChildDaemon.run(
                    [command, "--config", config], logPath: folder.directory.path("\(command).log"), timeout: .seconds(20))
                #expect(status == 78, "\(command): \(output)")
                #expect(output.contains("configuration error: whitelist.file"), "\(command): \(output)")
                #expect(output.contains("is \(kind.rawValue), not a regular file"), "\(command): \(output)")
            }
        }
    }

    @Test(arguments: Kind.allCases)
    func asAReloadItKeepsTheOldWhitelistAndTokenRefreshesGoOn(_ kind: Kind) async throws {
        var options = SidecarHarness.Options()
        options.tls = false
        options.whitelist = "/wxa/msg_sec_check\n/echo/*\n"
        try await withSidecar(options) { harness in
            let path = harness.directory.path("whitelist.txt")
            try FileManager.default.removeItem(atPath: path)
            try kind.make(at: path)
            try await eventually("the failed reload", timeout: .seconds(6)) {
                harness.logs.contains("is \(kind.rawValue), not a regular file")
            }
            #expect(harness.metric(#"wxsidecar_whitelist_reloads_total{result="error"}"#) >= 1)
            #expect(harness.app.whitelist.paths.entryCount == 2)
            #expect(try await harness.send("GET", "/echo/still-allowed").status == 200)
            #expect(try await harness.send("GET", "/cgi-bin/user/info").status == 403)
            // Token refreshes go on: a forced one is fetched, written and served.
            guard case .success(let token) = await harness.app.refresher.refresh(force: true) else {
                throw TimedOut(what: "a forced refresh")
            }
            try await eventually("the new token in the file") { harness.tokenFileContent == token.value }
            #expect(try await harness.send("POST", "/wxa/msg_sec_check", body: msgSecCheckBody).errcode == 0)
            // A good file is loaded again.
            if kind == .directory { try FileManager.default.removeItem(atPath: path) } else { unlink(path) }
            try harness.directory.write("/echo/*\n", to: "whitelist.txt")
            try await eventually("the good file", timeout: .seconds(6)) { harness.app.whitelist.paths.entryCount == 1 }
        }
    }
}
