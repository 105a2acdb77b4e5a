// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Runs `body` against a started ``SidecarHarness`` and stops it (sidecar, emulator, files) before returning,
/// whether `body` returned or threw: the test never ends while its daemon still runs.
public func withSidecar<Result>(
    _ options: SidecarHarness.Options = SidecarHarness.Options(),
    _ body: (SidecarHarness) async throws -> Result
) async throws -> Result {
    let harness = try await SidecarHarness.start(options)
    let result: Result
    do {
        result = try await body(harness)
    } catch {
        await harness.stop()
        throw error
    }
    await harness.stop()
    return result
}
