// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

extension Redactor {
    /// A redactor for the configuration's secrets: every account's AppSecret, message Token and EncodingAESKey,
    /// every caller key, every API security symmetric key, and the proxy's credentials (whole, and the password
    /// alone).
    public convenience init(_ configuration: SidecarConfiguration) {
        let messages = configuration.accounts.compactMap(\.message)
        self.init(
            secrets: configuration.accounts.map(\.secret.value) + configuration.callers.allKeys
                + messages.map(\.token.value) + messages.compactMap(\.encodingAESKey?.value)
                + configuration.accounts.compactMap(\.apiSecurity?.symmetricKeyText)
                + Self.proxySecrets(configuration.upstream.proxyCredentials))
    }

    /// `user:password` and the password alone.
    private static func proxySecrets(_ credentials: SidecarConfiguration.Secret?) -> [String] {
        guard let value = credentials?.value, let colon = value.firstIndex(of: ":") else { return [] }
        return [value, String(value[value.index(after: colon)...])]
    }
}
