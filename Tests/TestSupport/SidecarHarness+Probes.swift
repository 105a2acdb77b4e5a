// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation

/// A `msg_sec_check` body the emulator passes.
public let msgSecCheckBody = #"{"version":2,"openid":"o1","scene":1,"content":"hello"}"#

extension SidecarHarness {
    /// A proxied `msg_sec_check` that must pass: status 200 and errcode 0.
    public func checkPasses() async throws -> Bool {
        let response = try await send("POST", "/wxa/msg_sec_check", body: msgSecCheckBody)
        return response.status == 200 && response.errcode == 0
    }

    /// `GET /-/ready`'s status.
    public func readiness() async throws -> Int {
        try await send("GET", "/-/ready").status
    }

    /// The token file's content, if it exists.
    public var tokenFileContent: String? { try? String(contentsOfFile: tokenFile, encoding: .utf8) }
}
