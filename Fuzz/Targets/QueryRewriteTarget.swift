// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// libFuzzer target `query_rewrite`: removing the caller's credentials from the query and appending the
// sidecar's token. Input: selector byte, query, NUL, token. Properties: no credential parameter survives (by
// its name percent-decoded once), every other non-empty parameter survives in order byte for byte, the token
// is the last parameter and percent-encoded outside unreserved, a caller token is reported iff one was sent
// and its description never shows its value.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQueryRewrite(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let queryText = String(decoding: input.part(0), as: UTF8.self)
    let query: Substring? = input.selector & 1 == 0 ? Substring(queryText) : nil
    let token = String(decoding: input.part(1), as: UTF8.self)

    let output = Array(QueryRewriter.rewrite(query: query, token: token).utf8)
    var parameters = output.split(separator: 0x26, omittingEmptySubsequences: false).map(Array.init)

    // The token last, encoded.
    let tokenParameter = parameters.removeLast()
    let unreserved = Array("-._~".utf8)
    func isUnreserved(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || unreserved.contains(byte)
    }
    guard tokenParameter.starts(with: Array("access_token=".utf8)) else { violated("the token parameter is last", queryText.debugDescription) }
    let encodedToken = tokenParameter.dropFirst(13)
    guard encodedToken.allSatisfy({ isUnreserved($0) || $0 == 0x25 }),
        Reference.percentDecoded(Array(encodedToken)) == Array(token.utf8)
    else { violated("the token is percent-encoded outside unreserved", token.debugDescription) }

    // The caller's parameters: non-empty, non-credential, in order, byte for byte.
    func isCredential(_ parameter: [UInt8]) -> Bool {
        let name = parameter.split(separator: 0x3D, maxSplits: 1, omittingEmptySubsequences: false).first.map(Array.init) ?? []
        let decoded = Reference.percentDecoded(name)
        return decoded == Array("access_token".utf8) || decoded == Array("cloudbase_access_token".utf8)
    }
    let sent = query.map { Array($0.utf8).split(separator: 0x26, omittingEmptySubsequences: true).map(Array.init) } ?? []
    let kept = sent.filter { !isCredential($0) }
    guard parameters == kept else { violated("other parameters survive in order", "\(queryText.debugDescription) → \(String(decoding: output, as: UTF8.self).debugDescription)") }
    guard !parameters.contains(where: isCredential) else { violated("no caller credential survives", queryText.debugDescription) }

    // The caller token is reported when sent, redacted.
    let reported = QueryRewriter.callerToken(in: query)
    guard (reported != nil) == sent.contains(where: isCredential) else {
        violated("a caller token is reported iff one was sent", queryText.debugDescription)
    }
    if let reported {
        let redacted = "\(reported.parameterName)=<redacted, \(reported.value.utf8.count) bytes>"
        guard reported.description == redacted, "\(reported)" == redacted, String(reflecting: reported) == redacted else {
            violated("a caller token's description never shows its value", queryText.debugDescription)
        }
    }
    return 0
}
