// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// How a `WeChatEmulator` listens and which credentials it accepts.
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

    // MARK: Credentials

    /// The only appid the token endpoints accept.
    public var appid: String
    /// The only secret the token endpoints accept. Never logged.
    public var secret: String

    // MARK: Initial settings

    /// Lifetime of issued tokens in seconds (knob: `setTokenLifetime`).
    public var tokenLifetime: Int
    /// Seconds a superseded token keeps working, and the stable rotation window (knob: `setOverlap`).
    public var overlap: Int
    /// Default size in bytes of a `getwxacode` image (knob: `setImageBytes`).
    public var imageBytes: Int

    /// Creates a configuration; every parameter has the emulator's default.
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        tls: TLSFiles? = nil,
        appid: String = "wx0123456789abcdef",
        secret: String = "emulator-secret",
        tokenLifetime: Int = 7200,
        overlap: Int = 300,
        imageBytes: Int = 2048
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.appid = appid
        self.secret = secret
        self.tokenLifetime = tokenLifetime
        self.overlap = overlap
        self.imageBytes = imageBytes
    }

    /// The knob settings this configuration starts with.
    var settings: EmulatorSettings {
        EmulatorSettings(
            tokenLifetime: max(1, tokenLifetime), overlap: max(0, overlap),
            imageBytes: WxaCodeImage.clampedSize(imageBytes))
    }
}

// MARK: - Description

extension EmulatorConfiguration: CustomStringConvertible {
    /// A one-line summary with the secret redacted.
    public var description: String {
        let scheme = tls == nil ? "http" : "https"
        return "\(scheme)://\(host):\(port) appid=\(appid) secret=<redacted> lifetime=\(tokenLifetime)s "
            + "overlap=\(overlap)s image=\(imageBytes)B"
    }
}
