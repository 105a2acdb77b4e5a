// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// `POST /wxa/getwxacode` with `{"path":..,"width":430}`: raw `image/jpeg` bytes on success, JSON on error.
///
/// The image is `WxaCodeImage.bytes(path:width:size:)` with `width` defaulting to 430 and `size` taken from the
/// emulator-only body field `"emulator_image_bytes"` when present, else from the `imageBytes` setting; the
/// emulator-only `"emulator_chunked": true` sends it in chunks, without a Content-Length.
/// Errors: non-POST → 43002; body not JSON → 47001; `path` missing, empty or over 1024 characters → 40159.
enum WxaCodeEndpoint {
    /// The path served.
    static let path = "/wxa/getwxacode"
    /// The width used when the request has none.
    static let defaultWidth = 430

    /// The request body (other WeChat fields such as `auto_color` are accepted and ignored).
    struct Body: Decodable {
        var path: String?
        var width: Int?
        var emulatorImageBytes: Int?
        var emulatorChunked: Bool?

        enum CodingKeys: String, CodingKey {
            case path, width
            case emulatorImageBytes = "emulator_image_bytes"
            case emulatorChunked = "emulator_chunked"
        }
    }

    /// Answers one request (after the token check).
    static func respond(to exchange: Exchange) -> Reply {
        guard exchange.request.method == "POST" else {
            return exchange.error(.requirePOST)
        }
        guard let body = exchange.request.decodeJSON(Body.self) else {
            return exchange.error(.dataFormat)
        }
        guard let path = body.path, !path.isEmpty, path.count <= 1024 else {
            return exchange.error(.invalidPath)
        }
        let size = body.emulatorImageBytes ?? exchange.knobs.settings.imageBytes
        let image = WxaCodeImage.bytes(path: path, width: body.width ?? defaultWidth, size: size)
        var reply = Reply.bytes(image, contentType: "image/jpeg")
        reply.chunked = body.emulatorChunked ?? false
        return reply
    }
}
