// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The unix socket listener is never reachable with a wider mode than `listen_socket_mode`: the built daemon is
/// started under umask 000 (so a socket bound in place would be 0777 until a chmod) while another user (nobody,
/// through `setpriv`) stats the path and connects in a tight loop. Every socket it ever sees has the configured
/// mode on its first stat, and none of its connects succeeds; once the test opens the mode to 0666 the same
/// probe connects at once, so it would have caught a window.
@Suite(.serialized) struct UnixSocketModeTests {
    /// Runs as nobody: stats and connects until the stop file appears; prints what it saw as JSON.
    static let probe = #"""
        import json, os, socket, sys
        path, stop = sys.argv[1], sys.argv[2]
        attempts = connected = 0
        first_modes = {}
        errors = {}
        print("probing", flush=True)
        while True:
            if attempts % 200 == 0 and os.path.exists(stop):
                break
            try:
                info = os.lstat(path)
                first_modes.setdefault(info.st_ino, info.st_mode)
            except OSError:
                pass
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                connected += 1
                if connected == 1:
                    print("first connect", flush=True)
            except OSError as e:
                errors[e.strerror] = errors.get(e.strerror, 0) + 1
            finally:
                s.close()
            attempts += 1
        print(json.dumps({"attempts": attempts, "connected": connected,
                          "modes": sorted(set(oct(m) for m in first_modes.values())),
                          "sockets": len(first_modes), "errors": errors}), flush=True)
        """#

    struct Seen: Decodable {
        var attempts: Int
        var connected: Int
        var modes: [String]
        var sockets: Int
        var errors: [String: Int]
    }

    /// Probes `socket` as nobody while `body` runs (it gets a wait for the probe's first connect); returns what
    /// the probe saw.
    private func probing(
        _ socket: String, in folder: DaemonFolder, _ body: (_ firstConnect: @Sendable () async throws -> Void) async throws -> Void
    ) async throws -> Seen {
        let script = try folder.directory.write(Self.probe, to: "probe.py")
        chmod(folder.directory.path, 0o755)
        chmod(script, 0o644)
        let run = UUID().uuidString
        let stop = folder.directory.path("probe-\(run).stop")
        let log = folder.directory.path("probe-\(run).log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = try ChildProcess(
            "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", script, socket, stop],
            output: .file(log))
        let text: @Sendable () -> String = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        var failure: (any Error)?
        do {
            try await eventually("the probe to start") { text().contains("probing") || !process.isRunning }
            try await body { try await eventually("the probe's first connect") { text().contains("first connect") } }
        } catch {
            failure = error
        }
        _ = FileManager.default.createFile(atPath: stop, contents: nil)
        _ = try await process.exitStatus("the probe")
        if let failure { throw failure }
        guard let line = text().split(separator: "\n").last, let seen = try? JSONDecoder().decode(Seen.self, from: Data(line.utf8))
        else { throw TimedOut(what: "the probe's report; it wrote: \(text())") }
        return seen
    }

    /// Starts the daemon under umask 000 on `socket`, waits until it listens, runs `whileListening`, and stops it.
    private func runOnce(
        _ folder: DaemonFolder, socket: String, mode: String, round: Int,
        whileListening: () async throws -> Void = {}
    ) async throws {
        let config = try folder.config(
            token: folder.directory.path("wx/token"), listen: "unix:\(socket)", extra: "listen_socket_mode: \"\(mode)\"")
        try await withChildDaemon(["run", "--config", config], logPath: folder.directory.path("run-\(round).log"), umask: "000") { daemon in
            try await daemon.waitForOutput("wxsidecar.listen=unix:\(socket)")
            try await whileListening()
            daemon.signal(SIGTERM)
            #expect(await daemon.exitStatus(within: .seconds(15)) == 0)
        }
    }

    @Test func theSocketIsNeverReachableWithAWiderModeThanConfigured() async throws {
        let tools = try TemporaryDirectory(prefix: "wxsidecar-tools")
        defer { tools.remove() }
        try await StuckFileSystem.buildTools(into: tools.path)  // makes sure /usr/bin/python3 is there
        try await withDaemonFolder { folder in
            let socket = folder.directory.path("wxsidecar.sock")
            let rounds = 5
            let seen = try await probing(socket, in: folder) { _ in
                for round in 1...rounds { try await runOnce(folder, socket: socket, mode: "0600", round: round) }
            }
            print("UnixSocketModeTests: \(rounds) binds under umask 000, probe as nobody: \(seen.attempts) attempts, \(seen.connected) connected, \(seen.sockets) sockets seen, first-stat modes \(seen.modes), errors \(seen.errors)")
            #expect(seen.connected == 0)
            #expect(seen.modes == ["0o140600"])
            #expect(seen.sockets >= 1)  // an inode number may come back, so not always `rounds`
            #expect(seen.attempts > 1000)

            // The same probe connects as soon as the mode lets it: it would have caught a window.
            let open = try await probing(socket, in: folder) { firstConnect in
                try await runOnce(folder, socket: socket, mode: "0600", round: rounds + 1) {
                    chmod(socket, 0o666)
                    try await firstConnect()
                }
            }
            #expect(open.connected > 0)
        }
    }
}
