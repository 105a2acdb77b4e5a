// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

@testable import Sidecar
import Testing

/// Which directories on the way to the token file are accepted, accepted with a warning, or refused, for a
/// daemon running as uid 1000 (group 1000).
@Suite struct DirectoryPolicyTests {
    static let policy = DirectoryPolicy(user: 1000, group: 1000)

    enum Expected: Sendable { case accept, warn, refuse }

    static let cases: [(String, DirectoryPolicy.Entry, Expected)] = [
        ("root's directory", .init(path: "/run", owner: 0, mode: 0o755), .accept),
        ("the daemon's token directory", .init(path: "/run/wx", owner: 1000, mode: 0o750, isTokenDirectory: true), .accept),
        ("another user's token directory", .init(path: "/tmp/wx", owner: 1001, mode: 0o755, isTokenDirectory: true), .refuse),
        ("another user's setgid token directory", .init(path: "/tmp/wx", owner: 1001, mode: 0o2777, isTokenDirectory: true), .refuse),
        ("another user's directory above", .init(path: "/home/eve", owner: 1001, mode: 0o755), .refuse),
        ("a root 0777 token directory (emptyDir)", .init(path: "/data", owner: 0, mode: 0o777, isTokenDirectory: true), .warn),
        ("a root 1777 token directory", .init(path: "/tmp", owner: 0, mode: 0o1777, isTokenDirectory: true), .warn),
        ("a root 2777 token directory (emptyDir with fsGroup)", .init(path: "/data", owner: 0, mode: 0o2777, isTokenDirectory: true), .warn),
        ("the sticky /tmp above", .init(path: "/tmp", owner: 0, mode: 0o1777), .accept),
        ("a 0777 directory above", .init(path: "/shared", owner: 0, mode: 0o777), .warn),
        ("a symbolic link as the token directory, even root's",
         .init(path: "/run/wx", owner: 0, mode: 0o777, isSymbolicLink: true, isTokenDirectory: true), .refuse),
        ("root's link above (/var/run)", .init(path: "/var/run", owner: 0, mode: 0o777, isSymbolicLink: true), .accept),
        ("the daemon's link above", .init(path: "/srv/current", owner: 1000, mode: 0o777, isSymbolicLink: true), .accept),
        ("another user's link above", .init(path: "/tmp/link", owner: 1001, mode: 0o777, isSymbolicLink: true), .refuse),
    ]

    @Test(arguments: cases.indices)
    func verdict(_ index: Int) {
        let (name, entry, expected) = Self.cases[index]
        let verdict = Self.policy.verdict(for: entry)
        switch (verdict, expected) {
        case (.accept, .accept): break
        case (.warn(let message), .warn): #expect(message.contains(entry.path), "\(name)")
        case (.refuse(let message), .refuse): #expect(message.contains(entry.path), "\(name)")
        default: Issue.record("\(name): \(verdict), expected \(expected)")
        }
    }

    @Test func theTokenDirectoryWarningSaysWhatOtherUsersCanAndCannotDo() {
        guard case .warn(let open) = Self.policy.verdict(for: .init(path: "/data", owner: 0, mode: 0o777, isTokenDirectory: true)),
            case .warn(let sticky) = Self.policy.verdict(for: .init(path: "/tmp", owner: 0, mode: 0o1777, isTokenDirectory: true))
        else {
            Issue.record("no warning")
            return
        }
        #expect(open.contains("mode 0777") && open.contains("cannot read the token") && open.contains("delete or replace"))
        #expect(sticky.contains("create files beside the token file"))
    }
}
