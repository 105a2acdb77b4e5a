// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The settings a test may change while the emulator runs (`GET`/`POST /-/emulator/settings`).
///
/// JSON: `{"token_lifetime": 7200, "overlap": 300, "image_bytes": 2048}`; a POST may carry any subset.
public struct EmulatorSettings: Sendable, Hashable, Codable {
    /// Lifetime of newly issued tokens, in seconds.
    public var tokenLifetime: Int
    /// Seconds a superseded token keeps working; also how close to expiry the stable token rotates.
    public var overlap: Int
    /// Default size of a `getwxacode` image, in bytes.
    public var imageBytes: Int

    /// Creates settings.
    public init(tokenLifetime: Int = 7200, overlap: Int = 300, imageBytes: Int = 2048) {
        self.tokenLifetime = tokenLifetime
        self.overlap = overlap
        self.imageBytes = imageBytes
    }

    enum CodingKeys: String, CodingKey {
        case tokenLifetime = "token_lifetime"
        case overlap
        case imageBytes = "image_bytes"
    }
}

/// A partial settings change, as posted to `/-/emulator/settings`.
struct EmulatorSettingsUpdate: Sendable, Decodable {
    var tokenLifetime: Int?
    var overlap: Int?
    var imageBytes: Int?

    enum CodingKeys: String, CodingKey {
        case tokenLifetime = "token_lifetime"
        case overlap
        case imageBytes = "image_bytes"
    }

    /// Applies the present fields; values out of range are clamped (lifetime ≥ 1 s, overlap ≥ 0,
    /// image size within `WxaCodeImage.sizeRange`).
    func apply(to settings: inout EmulatorSettings) {
        if let tokenLifetime { settings.tokenLifetime = max(1, tokenLifetime) }
        if let overlap { settings.overlap = max(0, overlap) }
        if let imageBytes { settings.imageBytes = WxaCodeImage.clampedSize(imageBytes) }
    }
}
