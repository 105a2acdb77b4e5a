// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

public import Foundation

// MARK: - TemporaryDirectory

/// A fresh directory under the system temporary directory, removed with everything in it when the value is
/// released (or by ``remove()``).
public final class TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// The directory as a file URL.
    public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

    /// Creates an empty directory.
    ///
    /// - Parameter prefix: The start of the directory's name, to tell whose it is.
    /// - Throws: When the directory cannot be created.
    public init(prefix: String = "wxsidecar-test") throws {
        let base = FileManager.default.temporaryDirectory
        let directory = base.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.path = directory.path
    }

    deinit {
        remove()
    }

    /// The absolute path of `name` inside the directory (nothing is created).
    public func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Writes `contents` to `name` inside the directory and returns its path.
    @discardableResult
    public func write(_ contents: String, to name: String) throws -> String {
        let file = path(name)
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Removes the directory and its contents now; releasing the value later does nothing more.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
