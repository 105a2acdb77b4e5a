// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

extension Redactor {
    /// A redactor for the configuration's secrets: every account's AppSecret, message Token and EncodingAESKey,
    /// and every caller key.
    public convenience init(_ configuration: SidecarConfiguration) {
        let messages = configuration.accounts.compactMap(\.message)
        self.init(
            secrets: configuration.accounts.map(\.secret.value) + configuration.callers.allKeys
                + messages.map(\.token.value) + messages.compactMap(\.encodingAESKey?.value)
                + configuration.accounts.compactMap(\.apiSecurity?.symmetricKeyText))
    }
}
