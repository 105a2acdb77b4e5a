// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The details WeChat keeps of a failed call, found by the `rid` its errmsg ends with.
struct RidRecord: Codable, Sendable, Hashable {
    var invokeTime: Int
    var costInMs: Int
    /// The call's raw query, exactly as received: with its `access_token`, as WeChat's own answer has it.
    var requestURL: String
    var requestBody: String
    var responseBody: String
    var clientIP: String

    enum CodingKeys: String, CodingKey {
        case invokeTime = "invoke_time"
        case costInMs = "cost_in_ms"
        case requestURL = "request_url"
        case requestBody = "request_body"
        case responseBody = "response_body"
        case clientIP = "client_ip"
    }
}

/// The last ``capacity`` failed calls, by rid.
struct RidLog: Sendable {
    static let capacity = 512
    private var records: [String: RidRecord] = [:]
    private var order: [String] = []

    mutating func record(_ rid: String, _ record: RidRecord) {
        if records.updateValue(record, forKey: rid) == nil { order.append(rid) }
        if order.count > Self.capacity { records.removeValue(forKey: order.removeFirst()) }
    }

    func find(_ rid: String) -> RidRecord? { records[rid] }
}
