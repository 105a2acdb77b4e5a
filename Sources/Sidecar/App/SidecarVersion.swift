// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The release version, printed by `wxsidecar version` and `/-/status`.
public enum SidecarVersion {
    public static let current = "0.1.0"
}
