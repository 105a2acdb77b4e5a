// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

#if os(Linux)
import Foundation
import Sidecar
import SidecarCore
import Testing

/// Letting go of startup's code pages, in this test process: what is released is resident before and not after,
/// and the code keeps running from it.
@Suite struct StartupPagesTests {
    /// The releasable mappings of this process and their resident KiB, by start address.
    static func releasable() throws -> [UInt: Int] {
        let text = try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8)
        var regions: [UInt: Int] = [:]
        for region in MappedRegion.parse(smaps: text) where region.isReleasable { regions[region.start] = region.residentKiB }
        return regions
    }

    @Test func releasedPagesLeaveTheProcessAndComeBackWhenUsed() throws {
        let kept = Array(0..<4096)
        let before = try Self.releasable()
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let text = try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8)
        let ownCode = MappedRegion.parse(smaps: text).filter { $0.path == executable && $0.permissions == "r-xp" }
        #expect(ownCode.contains { $0.isReleasable }, "the test executable's code is a releasable mapping")

        let released = StartupPages.release()
        #expect(released.mappings >= before.count / 2)
        #expect(released.kib >= 1024)

        // Whatever ran since (this test, the test runner, other suites) came back; startup's pages did not.
        let after = try Self.releasable()
        let residentBefore = before.values.reduce(0, +)
        let residentAfter = before.keys.reduce(0) { $0 + (after[$1] ?? 0) }
        #expect(residentAfter < residentBefore)
        // Code runs on from released pages, and memory of the process's own is untouched.
        #expect(TokenFingerprint.of("ACCESS_TOKEN_VALUE") == TokenFingerprint.of("ACCESS_TOKEN_VALUE"))
        #expect(kept.reduce(0, +) == 4095 * 4096 / 2)
        #expect(try JSONSerialization.jsonObject(with: Data(#"{"errcode":0}"#.utf8)) is [String: Any])
    }
}
#endif
