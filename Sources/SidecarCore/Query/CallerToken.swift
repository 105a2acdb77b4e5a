// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// A credential the caller put in its query (`access_token=` or `cloudbase_access_token=`), which the sidecar
/// strips before forwarding. Its descriptions are redacted, so interpolating it into a log line is safe;
/// ``value`` itself is a secret and must never be logged.
public struct CallerToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The (decoded) parameter name: `"access_token"` or `"cloudbase_access_token"`.
    public let parameterName: String
    /// The raw value as sent, not decoded. Secret: never log it.
    public let value: Substring

    /// `cloudbase_access_token=<redacted, 136 bytes>`.
    public var description: String {
        "\(parameterName)=<redacted, \(value.utf8.count) bytes>"
    }

    public var debugDescription: String { description }

    /// Redacted too, so `dump(_:)` and reflection-based loggers do not reveal the value.
    public var customMirror: Mirror {
        Mirror(self, children: ["parameterName": parameterName, "value": "<redacted>"])
    }
}
