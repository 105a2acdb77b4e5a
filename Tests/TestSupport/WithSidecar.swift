// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Runs `body` against a started ``SidecarHarness`` and stops it (sidecar, emulator, files) before returning,
/// whether `body` returned or threw: the test never ends while its daemon still runs.
public func withSidecar<Result>(
    _ options: SidecarHarness.Options = SidecarHarness.Options(),
    _ body: (SidecarHarness) async throws -> Result
) async throws -> Result {
    let harness = try await SidecarHarness.start(options)
    return try await withTeardown { try await body(harness) } teardown: { await harness.stop() }
}

/// Runs `body`, then `teardown`, whether `body` returned or threw: the shape of every scoped fixture here
/// (``withSidecar(_:_:)``, ``withDaemonProcess(arguments:environment:_:)``, …), so that a test never returns
/// while something it started still runs (a stop in an unawaited `Task` from a `defer` lets it).
public func withTeardown<Result>(
    _ body: () async throws -> Result, teardown: () async -> Void
) async throws -> Result {
    let result: Result
    do {
        result = try await body()
    } catch {
        await teardown()
        throw error
    }
    await teardown()
    return result
}
