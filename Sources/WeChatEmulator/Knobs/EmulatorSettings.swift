// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The settings a test may change while the emulator runs (`GET`/`POST /-/emulator/settings`). They apply to
/// every account.
///
/// JSON: `{"token_lifetime": 7200, "overlap": 300, "image_bytes": 2048, "ticket_lifetime": 7200}`; a POST may
/// carry any subset.
public struct EmulatorSettings: Sendable, Hashable, Codable {
    /// Lifetime of newly issued tokens, in seconds.
    public var tokenLifetime: Int
    /// Seconds a superseded token keeps working; also how close to expiry the stable token and a ticket rotate.
    public var overlap: Int
    /// Default size of a `getwxacode` image, in bytes.
    public var imageBytes: Int
    /// Lifetime of newly issued JS-SDK tickets, in seconds.
    public var ticketLifetime: Int

    /// Creates settings.
    public init(tokenLifetime: Int = 7200, overlap: Int = 300, imageBytes: Int = 2048, ticketLifetime: Int = 7200) {
        self.tokenLifetime = tokenLifetime
        self.overlap = overlap
        self.imageBytes = imageBytes
        self.ticketLifetime = ticketLifetime
    }

    enum CodingKeys: String, CodingKey {
        case tokenLifetime = "token_lifetime"
        case overlap
        case imageBytes = "image_bytes"
        case ticketLifetime = "ticket_lifetime"
    }
}

/// A partial settings change, as posted to `/-/emulator/settings`.
struct EmulatorSettingsUpdate: Sendable, Decodable {
    var tokenLifetime: Int?
    var overlap: Int?
    var imageBytes: Int?
    var ticketLifetime: Int?

    typealias CodingKeys = EmulatorSettings.CodingKeys

    /// Applies the present fields; values out of range are clamped (lifetimes ≥ 1 s, overlap ≥ 0,
    /// image size within `WxaCodeImage.sizeRange`).
    func apply(to settings: inout EmulatorSettings) {
        if let tokenLifetime { settings.tokenLifetime = max(1, tokenLifetime) }
        if let overlap { settings.overlap = max(0, overlap) }
        if let imageBytes { settings.imageBytes = WxaCodeImage.clampedSize(imageBytes) }
        if let ticketLifetime { settings.ticketLifetime = max(1, ticketLifetime) }
    }
}
