// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// How a `WeChatEmulator` listens and which accounts (appid and secret) it serves.
public struct EmulatorConfiguration: Sendable, Hashable {
    /// PEM files for serving HTTPS.
    public struct TLSFiles: Sendable, Hashable {
        /// The server certificate chain (PEM), leaf first.
        public var certificatePath: String
        /// The private key (PEM).
        public var privateKeyPath: String

        /// Creates a pair of PEM paths.
        public init(certificatePath: String, privateKeyPath: String) {
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
        }
    }

    // MARK: Listening

    /// The address to bind.
    public var host: String
    /// The port to bind; 0 picks a free one (read it from `WeChatEmulator.waitUntilListening()`).
    public var port: Int
    /// When set, the emulator speaks HTTPS with these files; otherwise plain HTTP.
    public var tls: TLSFiles?

    // MARK: Accounts

    /// The primary account's appid: the account the knobs mean when they name none.
    public var appid: String
    /// The primary account's secret. Never logged.
    public var secret: String
    /// The other accounts served beside the primary one, each with its own tokens and tickets. An appid listed
    /// twice (or equal to the primary one) keeps its first secret.
    public var otherAccounts: [EmulatorAccount]

    // MARK: Initial settings

    /// Lifetime of issued tokens in seconds (knob: `setTokenLifetime`).
    public var tokenLifetime: Int
    /// Lifetime of issued JS-SDK tickets in seconds (knob: `setTicketLifetime`).
    public var ticketLifetime: Int
    /// Seconds a superseded token keeps working, and the stable rotation window (knob: `setOverlap`).
    public var overlap: Int
    /// Default size in bytes of a `getwxacode` image (knob: `setImageBytes`).
    public var imageBytes: Int
    /// Accounts whose calls are signed and encrypted (WeChat's API security), by appid.
    public var apiSecurity: [EmulatorApiSecurity] = []

    /// Creates a configuration; every parameter has the emulator's default.
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        tls: TLSFiles? = nil,
        appid: String = "wx0123456789abcdef",
        secret: String = "emulator-secret",
        otherAccounts: [EmulatorAccount] = [],
        tokenLifetime: Int = 7200,
        ticketLifetime: Int = 7200,
        overlap: Int = 300,
        imageBytes: Int = 2048
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.appid = appid
        self.secret = secret
        self.otherAccounts = otherAccounts
        self.tokenLifetime = tokenLifetime
        self.ticketLifetime = ticketLifetime
        self.overlap = overlap
        self.imageBytes = imageBytes
    }

    /// Every account served, the primary one first, each appid once.
    public var accounts: [EmulatorAccount] {
        var seen: Set<String> = []
        return ([EmulatorAccount(appid: appid, secret: secret)] + otherAccounts).filter { seen.insert($0.appid).inserted }
    }

    /// The knob settings this configuration starts with.
    var settings: EmulatorSettings {
        var settings = EmulatorSettings()
        EmulatorSettingsUpdate(
            tokenLifetime: tokenLifetime, overlap: overlap, imageBytes: imageBytes, ticketLifetime: ticketLifetime
        ).apply(to: &settings)
        return settings
    }
}

// MARK: - Description

extension EmulatorConfiguration: CustomStringConvertible {
    /// A one-line summary with the secret redacted.
    public var description: String {
        let scheme = tls == nil ? "http" : "https"
        let appids = accounts.map(\.appid).joined(separator: ",")
        return "\(scheme)://\(host):\(port) appids=\(appids) secrets=<redacted> lifetime=\(tokenLifetime)s "
            + "ticket_lifetime=\(ticketLifetime)s overlap=\(overlap)s image=\(imageBytes)B"
    }
}
