// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore

/// Reading ``PathWhitelist/match(_:)``'s answer in expectations.
extension Result where Success == String, Failure == PathRejection {
    /// The entry that allowed the path, or `nil` when it was refused.
    var entry: String? { try? get() }
    /// The rejection, or `nil` when the path was allowed.
    var rejection: PathRejection? {
        if case .failure(let rejection) = self { return rejection }
        return nil
    }
}
