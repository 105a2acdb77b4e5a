// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Logging
import Prometheus
import ServiceLifecycle
import SidecarCore
import UnixSignals

/// Keeps ``WhitelistStore`` in step with `whitelist.file`: polls the file's inode, size and mtime every
/// ``pollInterval`` and reloads once a change has held still for one poll (so a file caught mid-write is
/// not loaded), and reloads at once on SIGHUP. An invalid, unreadable or empty (0-byte) file, or anything but a
/// regular file (a FIFO, a device, a directory), keeps the previous whitelist, logs the file and line, and counts
/// a failed reload. File work runs on ``FileIOPool/whitelist``: a file system that stops answering costs a
/// failed reload, never the watcher, the token refresher or shutdown.
public actor WhitelistWatcher: Service {
    let path: String
    let store: WhitelistStore
    let metrics: SidecarMetrics
    let logger: Logger
    let pollInterval: Duration
    /// Called around a SIGHUP reload (systemd's RELOADING=1 / READY=1).
    let onSignalReload: @Sendable (_ starting: Bool) -> Void

    private var loadedStamp: WhitelistFile.Stamp?
    private var lastSeenStamp: WhitelistFile.Stamp?
    private var reportedMissing = false

    public init(
        path: String, store: WhitelistStore, metrics: SidecarMetrics, logger: Logger,
        pollInterval: Duration = .milliseconds(500), onSignalReload: @escaping @Sendable (Bool) -> Void = { _ in }
    ) {
        self.path = path
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.pollInterval = pollInterval
        self.onSignalReload = onSignalReload
    }

    /// Loads the whitelist for the first time; the daemon refuses to start without a valid one.
    public static func initialLoad(path: String, logger: Logger) async throws(ConfigError) -> WhitelistStore.Loaded {
        switch await load(path, refuseEmpty: false) {
        case .success(let parsed):
            for warning in parsed.warnings {
                logger.warning("whitelist: \(path) \(warning)")
            }
            return .init(paths: parsed.whitelist, loadedAt: WallClock.now(), file: path)
        case .failure(let error):
            throw ConfigError(key: "whitelist.file", source: path, message: error.message)
        }
    }

    // MARK: Service

    public func run() async throws {
        loadedStamp = try? await stamp()
        lastSeenStamp = loadedStamp
        metrics.whitelistEntries.set(Double(store.paths.entryCount))
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in signals.cancelOnGracefulShutdown() {
                    await self.reloadOnSignal()
                }
            }
            group.addTask {
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    do {
                        try await Task.sleep(for: self.pollInterval)
                    } catch {
                        return
                    }
                    await self.poll()
                }
            }
            await gracefulShutdownOrCancellation()
            group.cancelAll()
        }
    }

    private func gracefulShutdownOrCancellation() async {
        try? await gracefulShutdown()
    }

    // MARK: Reloading

    private func poll() async {
        let current: WhitelistFile.Stamp?
        let problem: String
        do {
            current = try await stamp()
            problem = "missing or unreadable"
        } catch is CancellationError {
            return
        } catch {
            current = nil
            problem = "unreadable (\(error))"
        }
        defer { lastSeenStamp = current }
        guard let current else {
            if !reportedMissing {
                reportedMissing = true
                metrics.whitelistReloads("error").increment()
                logger.error("whitelist file \(path) is \(problem); keeping the previous whitelist")
            }
            return
        }
        reportedMissing = false
        guard current != loadedStamp, current == lastSeenStamp else { return }
        await reload(reason: "file changed")
    }

    private func reloadOnSignal() async {
        onSignalReload(true)
        await reload(reason: "SIGHUP")
        onSignalReload(false)
    }

    /// Reads and parses the file; swaps it in when valid, keeps the old one otherwise.
    func reload(reason: String) async {
        let stampBefore: WhitelistFile.Stamp?
        let result: Result<ParsedWhitelist, WhitelistFile.LoadError>
        do {
            stampBefore = try await stamp()
            result = await Self.load(path, refuseEmpty: true)
        } catch {
            // The file system did not answer the stat: the read would wait as long, so the reload fails now.
            stampBefore = nil
            result = .failure(.init(label: "stalled", message: "cannot read \(path): \(error)"))
        }
        if Task.isCancelled { return }
        loadedStamp = stampBefore
        switch result {
        case .success(let parsed):
            let previous = store.paths.entryCount
            store.replace(with: .init(paths: parsed.whitelist, loadedAt: WallClock.now(), file: path))
            metrics.whitelistReloads("success").increment()
            metrics.whitelistEntries.set(Double(parsed.whitelist.entryCount))
            for warning in parsed.warnings {
                logger.warning("whitelist: \(path) \(warning)")
            }
            logger.info(
                "whitelist reloaded",
                metadata: [
                    "wxsidecar.whitelist.file": "\(path)", "wxsidecar.whitelist.reason": "\(reason)",
                    "wxsidecar.whitelist.entries": "\(parsed.whitelist.entryCount)",
                    "wxsidecar.whitelist.previous_entries": "\(previous)",
                ])
        case .failure(let error):
            metrics.whitelistReloads("error").increment()
            logger.error(
                "whitelist reload failed, keeping the previous whitelist: \(error.message)",
                metadata: ["wxsidecar.whitelist.reason": "\(reason)", "wxsidecar.error.label": "\(error.label)"])
        }
    }

    /// The file's stamp; `nil` when it cannot be stat'ed. Throws ``FileIOStalled`` or `CancellationError`.
    private func stamp() async throws -> WhitelistFile.Stamp? {
        let path = self.path
        return try await BlockingIO.run(on: .whitelist) { WhitelistFile.stamp(path) }
    }

    /// Reads and parses on ``FileIOPool/whitelist``; a file system that does not answer is a failed load
    /// (label `stalled`), never a wait without end.
    private static func load(_ path: String, refuseEmpty: Bool) async -> Result<ParsedWhitelist, WhitelistFile.LoadError> {
        do {
            return try await BlockingIO.run(on: .whitelist) { WhitelistFile.load(path, refuseEmpty: refuseEmpty) }
        } catch {
            return .failure(
                .init(label: error is FileIOStalled ? "stalled" : "unreadable", message: "cannot read \(path): \(error)"))
        }
    }
}
