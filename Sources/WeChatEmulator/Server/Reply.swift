// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A complete answer before it becomes a Hummingbird `Response`: keeping the body as one buffer lets a fault
/// send part of it and then break the connection.
struct Reply: Sendable {
    /// The HTTP status.
    var status: HTTPResponse.Status
    /// Header fields (Content-Length is added when the response is built).
    var headers: HTTPFields
    /// The whole body.
    var body: ByteBuffer
    /// The WeChat errcode carried by a JSON body (0 for success), `nil` for other bodies; counted in the stats.
    var errcode: Int?
    /// Whether the body goes in chunks, without a Content-Length (an emulator-only choice; WeChat sends lengths).
    var chunked = false

    /// The Content-Type WeChat sends with JSON.
    static let jsonContentType = "application/json; encoding=utf-8"

    // MARK: Builders

    /// A JSON body with status 200.
    static func json(_ value: some Encodable, errcode: Int? = 0, status: HTTPResponse.Status = .ok) -> Reply {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Reply(
            status: status,
            headers: [.contentType: jsonContentType],
            body: ByteBuffer(bytes: data),
            errcode: errcode
        )
    }

    /// A WeChat error: HTTP 200, `{"errcode":N,"errmsg":"... rid: ID"}`.
    static func error(_ error: EmulatorErrcode, requestID: String) -> Reply {
        json(ErrorBody(errcode: error.code, errmsg: "\(error.message) rid: \(requestID)"), errcode: error.code)
    }

    /// A WeChat error whose message is sent exactly as given.
    static func verbatimError(code: Int, message: String) -> Reply {
        json(ErrorBody(errcode: code, errmsg: message), errcode: code)
    }

    /// Raw bytes with a content type.
    static func bytes(_ bytes: [UInt8], contentType: String, status: HTTPResponse.Status = .ok) -> Reply {
        Reply(status: status, headers: [.contentType: contentType], body: ByteBuffer(bytes: bytes), errcode: nil)
    }

    // MARK: Response

    /// The Hummingbird response carrying this reply in full.
    func response(requestID: String) -> Response {
        var headers = self.headers
        headers[EmulatorHeaders.requestIDField] = requestID
        guard chunked else { return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body)) }
        let body = self.body
        return Response(status: status, headers: headers, body: ResponseBody { writer in
            try await writer.write(body)
            try await writer.finish(nil)
        })
    }
}

/// `{"errcode":N,"errmsg":"..."}`.
struct ErrorBody: Codable, Sendable {
    var errcode: Int
    var errmsg: String
}

/// Header names the emulator adds.
public enum EmulatorHeaders {
    /// Every response carries its request id in this header.
    public static let requestID = "x-emulator-request-id"

    /// Every answer past the `access_token` check carries the appid of the token's account in this header.
    public static let appID = "x-emulator-appid"

    static let requestIDField = HTTPField.Name(requestID)!
    static let appIDField = HTTPField.Name(appID)!
}
