// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

extension Duration {
    /// The duration in whole nanoseconds (for histograms and log lines).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
