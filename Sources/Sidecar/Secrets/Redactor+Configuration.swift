// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

extension Redactor {
    /// A redactor for the configuration's secrets: the AppSecret and the caller key.
    public convenience init(_ configuration: SidecarConfiguration) {
        self.init(secrets: [configuration.secret.value] + (configuration.callers.key.map { [$0] } ?? []))
    }
}
