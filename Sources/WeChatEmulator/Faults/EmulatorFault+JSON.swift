// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The JSON form of a fault, as posted to `POST /-/emulator/fault`:
///
/// ```json
/// {"path": "/cgi-bin/", "count": 2, "delay_ms": 1500,
///  "action": "none" | "status" | "errcode" | "drop" | "reset",
///  "status": 500, "body": "...", "errcode": -1, "errmsg": "..."}
/// ```
///
/// `path` defaults to `/`, `count` to unlimited, `delay_ms` to 0, `action` to `none`, `status` to 500,
/// `body` to empty, `errmsg` to the catalogue message.
extension EmulatorFault: Codable {
    private enum CodingKeys: String, CodingKey {
        case path, count, action, status, body, errcode, errmsg
        case delayMilliseconds = "delay_ms"
    }

    /// Decodes the JSON form; an unknown `action`, or `errcode` without a code, is a decoding error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.pathPrefix = try container.decodeIfPresent(String.self, forKey: .path) ?? "/"
        self.count = try container.decodeIfPresent(Int.self, forKey: .count)
        let milliseconds = try container.decodeIfPresent(Int.self, forKey: .delayMilliseconds) ?? 0
        self.delay = .milliseconds(max(0, milliseconds))
        switch try container.decodeIfPresent(String.self, forKey: .action) ?? "none" {
        case "none":
            self.action = .none
        case "status":
            let status = try container.decodeIfPresent(Int.self, forKey: .status) ?? 500
            let body = try container.decodeIfPresent(String.self, forKey: .body) ?? ""
            self.action = .httpStatus(status, body: body)
        case "errcode":
            let code = try container.decode(Int.self, forKey: .errcode)
            self.action = .errcode(code, errmsg: try container.decodeIfPresent(String.self, forKey: .errmsg))
        case "drop":
            self.action = .dropConnection
        case "reset":
            self.action = .resetMidBody
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .action, in: container,
                debugDescription: "unknown action \(other); use none, status, errcode, drop or reset")
        }
    }

    /// Encodes the JSON form (what `GET /-/emulator/fault` lists; `count` is the number of uses left).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pathPrefix, forKey: .path)
        try container.encodeIfPresent(count, forKey: .count)
        let parts = delay.components
        try container.encode(
            parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000, forKey: .delayMilliseconds)
        switch action {
        case .none:
            try container.encode("none", forKey: .action)
        case .httpStatus(let status, let body):
            try container.encode("status", forKey: .action)
            try container.encode(status, forKey: .status)
            try container.encode(body, forKey: .body)
        case .errcode(let code, let message):
            try container.encode("errcode", forKey: .action)
            try container.encode(code, forKey: .errcode)
            try container.encodeIfPresent(message, forKey: .errmsg)
        case .dropConnection:
            try container.encode("drop", forKey: .action)
        case .resetMidBody:
            try container.encode("reset", forKey: .action)
        }
    }
}
