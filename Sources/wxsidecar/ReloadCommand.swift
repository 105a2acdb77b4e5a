// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `wxsidecar reload PID`: the unit's `ExecReload=`, so `systemctl reload` needs no `kill` binary.
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Ask a running daemon to re-read its whitelist now (sends it SIGHUP).",
        discussion: """
            The systemd unit runs `wxsidecar reload $MAINPID` for `systemctl reload wxsidecar`. The daemon \
            brackets the reload with RELOADING=1 / READY=1 and logs "whitelist reloaded" (or why it kept the \
            previous one). Exit status 1 when the process cannot be signalled.
            """)

    @Argument(help: ArgumentHelp("The daemon's process id ($MAINPID under systemd).", valueName: "pid"))
    var pid: Int32

    func validate() throws {
        guard pid > 1 else { throw ValidationError("pid must be a process id above 1, got \(pid)") }
    }

    func run() throws {
        guard kill(pid, SIGHUP) == 0 else {
            let reason = String(cString: strerror(errno))
            FileHandle.standardError.write(Data("wxsidecar: cannot signal process \(pid): \(reason)\n".utf8))
            throw ExitCode.failure
        }
    }
}
