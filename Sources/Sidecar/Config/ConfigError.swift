// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// An invalid configuration value: names the key, where it came from, and what to do.
///
/// The CLI prints ``description`` and exits with status 78 (`EX_CONFIG`).
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The dotted key, e.g. `token.mode`; `config` for the file as a whole.
    public var key: String
    /// Where the value came from: the config file's path, `environment variable WXSIDECAR_…`, or `default`.
    public var source: String
    /// What is wrong and how to fix it. Never contains a secret.
    public var message: String

    public init(key: String, source: String, message: String) {
        self.key = key
        self.source = source
        self.message = message
    }

    /// `configuration error: token.mode (in /etc/wxsidecar/wxsidecar.yaml): must be "stable" or "classic", got "x"`
    public var description: String {
        "configuration error: \(key) (in \(source)): \(message)"
    }

    /// The process exit status for configuration errors (`EX_CONFIG` from sysexits.h).
    public static let exitStatus: Int32 = 78
}
