// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Sidecar
import TestSupport
import Testing
import WeChatEmulator

/// A query parameter that spells `access_token` loosely is refused before anything is forwarded; the exact
/// spellings Cloud Hosting apps send are stripped; the sidecar's own token is the first parameter upstream.
@Suite struct CredentialParameterTests {
    static let spellings = [
        "ACCESS_TOKEN=x", "Access_Token=x", "access_token[]=x", "a=1;access_token=x", "access_token%20=x",
        "access_token+=x", "CLOUDBASE_ACCESS_TOKEN=x", "cloudbase_access_token%5B%5D=x", "access%255Ftoken=x",
    ]

    @Test func everyLooseSpellingIsRefusedAndNothingIsForwarded() async throws {
        try await withSidecar { harness in
            for spelling in Self.spellings {
                let response = try await harness.send("GET", "/echo/spelling?\(spelling)&b=2")
                #expect(response.status == 400, "\(spelling)")
                #expect(response.errcode == 40097, "\(spelling)")
                let name = String(spelling.prefix { $0 != "=" }.split(separator: ";").last ?? "")
                #expect((response.json["errmsg"] as? String)?.contains(name) == true, "\(spelling)")
            }
            #expect(harness.emulator.knobs.stats.requests(to: "/echo/spelling") == 0)
        }
    }

    @Test func exactSpellingsAreStrippedAndTheSidecarsTokenComesFirst() async throws {
        try await withSidecar { harness in
            let response = try await harness.send("GET", "/echo/exact?b=2&cloudbase_access_token=APPTOKEN&access_token=OLD&c=3")
            #expect(response.status == 200)
            #expect(response.json["query"] as? String == "access_token=\(Redactor.tokenPlaceholder)&b=2&c=3")
        }
    }
}
