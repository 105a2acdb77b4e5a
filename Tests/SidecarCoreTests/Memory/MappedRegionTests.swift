// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import Testing

/// Reading `/proc/self/smaps`, and which mappings can give their pages back without losing anything.
@Suite struct MappedRegionTests {
    /// An excerpt of a real smaps of the static daemon (fields trimmed), one mapping of each kind.
    static let smaps = """
        55d0c0000000-55d0c1200000 r--p 00000000 fd:01 1311 /usr/bin/wxsidecar
        Size:              18432 kB
        Rss:                4096 kB
        Anonymous:             0 kB
        55d0c1200000-55d0c3e00000 r-xp 01200000 fd:01 1311 /usr/bin/wxsidecar
        Size:              45056 kB
        Rss:               22616 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me
        55d0c3e00000-55d0c4000000 r--p 03e00000 fd:01 1311 /usr/bin/wxsidecar
        Rss:                1228 kB
        Anonymous:          1228 kB
        55d0c4000000-55d0c4200000 rw-p 04000000 fd:01 1311 /usr/bin/wxsidecar
        Rss:                3600 kB
        Anonymous:           210 kB
        55d0c5000000-55d0c5400000 rw-p 00000000 00:00 0 [heap]
        Rss:                4200 kB
        Anonymous:          4200 kB
        7f0000000000-7f0000100000 rw-p 00000000 00:00 0
        Rss:                  64 kB
        Anonymous:            64 kB
        7f0000200000-7f0000300000 r-xp 00000000 fd:01 77 /opt/a lib/with spaces.so
        Rss:                 128 kB
        Anonymous:             0 kB
        7f0000400000-7f0000500000 r--p 00000000 fd:01 78 /usr/lib/locale/C.utf8/LC_CTYPE
        Rss:                   0 kB
        Anonymous:             0 kB
        7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0 [vdso]
        Rss:                   8 kB
        Anonymous:             0 kB
        7f0000600000-7f0000700000 r-xs 00000000 fd:01 79 /dev/shm/shared
        Rss:                  16 kB
        Anonymous:             0 kB
        not a mapping line at all
        """

    struct Row: Sendable, CustomTestStringConvertible {
        var start: UInt
        var permissions: String
        var path: String
        var residentKiB: Int
        var anonymousKiB: Int
        var releasable: Bool
        var testDescription: String { "\(permissions) \(path.isEmpty ? "(anonymous)" : path) → \(releasable)" }
    }

    @Test(arguments: [
        // The executable's read-only headers and constants, and its code: copies of the file.
        Row(start: 0x55d0_c000_0000, permissions: "r--p", path: "/usr/bin/wxsidecar", residentKiB: 4096, anonymousKiB: 0, releasable: true),
        Row(start: 0x55d0_c120_0000, permissions: "r-xp", path: "/usr/bin/wxsidecar", residentKiB: 22616, anonymousKiB: 0, releasable: true),
        // Relocated, then made read-only: its pages were written, the file no longer has them.
        Row(start: 0x55d0_c3e0_0000, permissions: "r--p", path: "/usr/bin/wxsidecar", residentKiB: 1228, anonymousKiB: 1228, releasable: false),
        // Writable data, the heap, anonymous memory: never.
        Row(start: 0x55d0_c400_0000, permissions: "rw-p", path: "/usr/bin/wxsidecar", residentKiB: 3600, anonymousKiB: 210, releasable: false),
        Row(start: 0x55d0_c500_0000, permissions: "rw-p", path: "[heap]", residentKiB: 4200, anonymousKiB: 4200, releasable: false),
        Row(start: 0x7f00_0000_0000, permissions: "rw-p", path: "", residentKiB: 64, anonymousKiB: 64, releasable: false),
        // A shared library whose path holds spaces.
        Row(start: 0x7f00_0020_0000, permissions: "r-xp", path: "/opt/a lib/with spaces.so", residentKiB: 128, anonymousKiB: 0, releasable: true),
        // Nothing resident: nothing to give back.
        Row(start: 0x7f00_0040_0000, permissions: "r--p", path: "/usr/lib/locale/C.utf8/LC_CTYPE", residentKiB: 0, anonymousKiB: 0, releasable: false),
        // The kernel's page, and a shared mapping.
        Row(start: 0x7ffd_0000_0000, permissions: "r-xp", path: "[vdso]", residentKiB: 8, anonymousKiB: 0, releasable: false),
        Row(start: 0x7f00_0060_0000, permissions: "r-xs", path: "/dev/shm/shared", residentKiB: 16, anonymousKiB: 0, releasable: false),
    ])
    func eachMappingIsReadAndJudged(_ row: Row) throws {
        let region = try #require(MappedRegion.parse(smaps: Self.smaps).first { $0.start == row.start })
        #expect(region.permissions == row.permissions)
        #expect(region.path == row.path)
        #expect(region.residentKiB == row.residentKiB)
        #expect(region.anonymousKiB == row.anonymousKiB)
        #expect(region.isReleasable == row.releasable)
    }

    @Test func linesThatAreNotMappingsAreSkipped() {
        let regions = MappedRegion.parse(smaps: Self.smaps)
        #expect(regions.count == 10)
        #expect(regions[1].end == 0x55d0_c3e0_0000)
        #expect(MappedRegion.parse(smaps: "").isEmpty)
        #expect(MappedRegion.parse(smaps: "Rss: 4 kB\nzz-yy r-xp 0 0 0 /x\n7f-7e r-xp 0 0 0 /backwards").isEmpty)
    }

    @Test func aMappingWithoutSizeLinesHoldsNothing() throws {
        let region = try #require(MappedRegion.parse(smaps: "1000-2000 r-xp 00000000 fd:01 1 /bin/x").first)
        #expect(region.residentKiB == 0 && region.anonymousKiB == 0 && !region.isReleasable)
    }
}
