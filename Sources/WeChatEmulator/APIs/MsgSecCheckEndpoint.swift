// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// `POST /wxa/msg_sec_check` (content security v2): `{"version":2,"openid":..,"scene":1..4,"content":..}`.
///
/// The verdict is decided by marker words in `content` (case-insensitive):
/// - contains `risky` → `suggest: "risky"`, label 20001, plus a keyword detail naming the marker;
/// - else contains `review` → `suggest: "review"`, label 21000;
/// - else `suggest: "pass"`, label 100.
///
/// Errors: non-POST → 43002; body not JSON → 47001; `version` ≠ 2 or `scene` outside 1...4 or no `content`
/// → 40097; missing `openid` → 40003; `content` longer than 2500 characters → 45002.
enum MsgSecCheckEndpoint {
    /// The path served.
    static let path = "/wxa/msg_sec_check"
    /// The longest `content` accepted, in characters.
    static let maxContentLength = 2500

    /// The request body.
    struct Body: Decodable {
        var version: Int?
        var openid: String?
        var scene: Int?
        var content: String?
    }

    /// A verdict: suggest + label.
    struct Verdict: Codable, Sendable, Hashable {
        var suggest: String
        var label: Int
    }

    /// One entry of `detail`.
    struct Detail: Codable, Sendable {
        var strategy: String
        var errcode: Int
        var suggest: String
        var label: Int
        var prob: Int?
        var level: Int?
        var keyword: String?
    }

    /// The success answer.
    struct Answer: Codable, Sendable {
        var errcode = 0
        var errmsg = "ok"
        var traceID: String
        var result: Verdict
        var detail: [Detail]

        enum CodingKeys: String, CodingKey {
            case errcode, errmsg, result, detail
            case traceID = "trace_id"
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
        guard body.version == 2, let scene = body.scene, (1...4).contains(scene), let content = body.content else {
            return exchange.error(.invalidArgs)
        }
        guard let openid = body.openid, !openid.isEmpty else {
            return exchange.error(.invalidOpenID)
        }
        guard content.count <= maxContentLength else {
            return exchange.error(.contentTooLong)
        }
        let (verdict, marker) = judge(content)
        var detail = [
            Detail(strategy: "content_model", errcode: 0, suggest: verdict.suggest, label: verdict.label, prob: 90)
        ]
        if let marker {
            detail.append(
                Detail(
                    strategy: "keyword", errcode: 0, suggest: verdict.suggest, label: verdict.label, level: 20,
                    keyword: marker))
        }
        return Reply.json(Answer(traceID: "emulator-\(exchange.requestID)", result: verdict, detail: detail))
    }

    /// The verdict for `content` and the marker word that decided it, if any.
    static func judge(_ content: String) -> (Verdict, String?) {
        let lowered = content.lowercased()
        if lowered.contains("risky") {
            return (Verdict(suggest: "risky", label: 20001), "risky")
        }
        if lowered.contains("review") {
            return (Verdict(suggest: "review", label: 21000), "review")
        }
        return (Verdict(suggest: "pass", label: 100), nil)
    }
}
