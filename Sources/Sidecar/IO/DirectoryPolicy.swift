// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Which directories the daemon writes its token into, decided from what `fstat` says about each directory on
/// the way (a pure function, tested by tables).
///
/// Whoever owns a directory on the path, or a symbolic link on it, decides where the path leads: they can put
/// their own directory in its place (setgid to their group, so they can read what is created in it) or a link to
/// anywhere. So every directory from `/` to the token's is owned by root or by the daemon's user, a link is
/// followed only when root or the daemon's user owns it, and the token's own directory is never a link. A
/// directory others may write to (a Kubernetes `emptyDir` is 0777) but root or the daemon owns is accepted: they
/// cannot read the token there, but they can delete or replace the file, which the daemon says at start.
struct DirectoryPolicy: Sendable {
    /// The daemon's effective user id.
    var user: UInt32
    /// The daemon's effective group id (the group the token file is given).
    var group: UInt32

    /// What `fstat` said about one directory or link on the path.
    struct Entry: Sendable, Equatable {
        var path: String
        var owner: UInt32
        /// Permission bits with setgid and sticky (`st_mode & 0o7777`).
        var mode: UInt32
        var isSymbolicLink = false
        /// The directory that will hold the token file (the last one on the path).
        var isTokenDirectory = false
    }

    enum Verdict: Sendable, Equatable {
        case accept
        /// Accepted; the message says what it exposes.
        case warn(String)
        /// Refused; the message says why and what to do.
        case refuse(String)
    }

    func verdict(for entry: Entry) -> Verdict {
        let trusted = entry.owner == 0 || entry.owner == user
        let owner = entry.owner == 0 ? "root" : "uid \(entry.owner)"
        if entry.isSymbolicLink {
            if entry.isTokenDirectory {
                return .refuse(
                    "\(entry.path) is a symbolic link; the token is only written into a real directory (a link can"
                        + " send it anywhere): point the setting at the directory itself")
            }
            return trusted
                ? .accept
                : .refuse(
                    "\(entry.path) is a symbolic link owned by \(owner), who could point it anywhere; only links"
                        + " owned by root or the daemon's user (uid \(user)) are followed")
        }
        guard trusted else {
            let what = entry.isTokenDirectory ? "the token directory" : "a directory above the token directory"
            return .refuse(
                "\(entry.path) (\(what)) is owned by \(owner), not by root or the daemon's user (uid \(user)): its"
                    + " owner could read the token or put another directory in its place; use a directory owned"
                    + " by root or uid \(user)")
        }
        let sticky = entry.mode & 0o1000 != 0
        guard entry.mode & 0o002 != 0 else { return .accept }
        if entry.isTokenDirectory {
            let reach = sticky
                ? "create files beside the token file (the sticky bit stops them deleting it)"
                : "delete or replace the token file, so an app may read a file the daemon did not write"
            return .warn(
                "the token directory \(entry.path) (mode \(octal(entry.mode)), owner \(owner)) can be written by"
                    + " every user: they cannot read the token (the file is mode-restricted and its group is set"
                    + " to gid \(group)), but they can \(reach); give the directory mode 0750 or 0755 if other"
                    + " users run on this host")
        }
        if sticky { return .accept }
        return .warn(
            "\(entry.path) (mode \(octal(entry.mode)), above the token directory) can be written by every user:"
                + " they can move the token directory away and put another in its place (the daemon then"
                + " refuses to write there until it is back)")
    }

    private func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
