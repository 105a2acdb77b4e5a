// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// The wall clock, in seconds since 1970. Token lifetimes are wall-clock facts: a host that was suspended
/// must see its token as older, which a monotonic clock would hide.
public enum WallClock {
    public static func now() -> Double {
        Date().timeIntervalSince1970
    }
}
