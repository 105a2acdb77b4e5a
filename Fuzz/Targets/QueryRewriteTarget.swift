// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// libFuzzer target `query_rewrite`: removing the caller's credentials from the query and putting the
// sidecar's token first; refusing loose spellings of the credential names. Input: selector byte, query, NUL,
// token. Properties: no credential parameter survives (by its name percent-decoded once), every other non-empty
// parameter survives in order byte for byte, the token is the first parameter and percent-encoded outside
// unreserved, a caller token is reported iff one was sent and its description never shows its value; and
// `CredentialSpelling` reports a name iff some `&`/`;` piece of a parameter the rewriter keeps has a name that,
// case-folded with blanks, `+` and brackets dropped and decoded up to four times, is a credential name; a name it
// reports is a slice of the query. So nothing forwarded after the check can be read as a second token.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQueryRewrite(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let queryText = String(decoding: input.part(0), as: UTF8.self)
    let query: Substring? = input.selector & 1 == 0 ? Substring(queryText) : nil
    let token = String(decoding: input.part(1), as: UTF8.self)

    let output = Array(QueryRewriter.rewrite(query: query, token: token).utf8)
    var parameters = output.split(separator: 0x26, omittingEmptySubsequences: false).map(Array.init)

    // The token first, encoded.
    let tokenParameter = parameters.removeFirst()
    let unreserved = Array("-._~".utf8)
    func isUnreserved(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || unreserved.contains(byte)
    }
    guard tokenParameter.starts(with: Array("access_token=".utf8)) else { violated("the token parameter is first", queryText.debugDescription) }
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
    // `from_appid` (the account) is the sidecar's too: read, never forwarded.
    func isAccount(_ parameter: [UInt8]) -> Bool {
        let name = parameter.split(separator: 0x3D, maxSplits: 1, omittingEmptySubsequences: false).first.map(Array.init) ?? []
        return Reference.percentDecoded(name) == Array("from_appid".utf8)
    }
    let sent = query.map { Array($0.utf8).split(separator: 0x26, omittingEmptySubsequences: true).map(Array.init) } ?? []
    let kept = sent.filter { !isCredential($0) && !isAccount($0) }
    guard parameters == kept else { violated("other parameters survive in order", "\(queryText.debugDescription) → \(String(decoding: output, as: UTF8.self).debugDescription)") }
    guard !parameters.contains(where: isCredential) else { violated("no caller credential survives", queryText.debugDescription) }
    guard !parameters.contains(where: isAccount) else { violated("no from_appid survives", queryText.debugDescription) }

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
    // Loose spellings: the check against a reference written apart from it.
    let found = CredentialSpelling.looseCredentialName(in: query)
    let expected = sent.filter { !isCredential($0) }.contains { parameter in
        parameter.split(separator: 0x3B, omittingEmptySubsequences: false).contains { piece in
            looksLikeCredential(Array(piece.prefix { $0 != 0x3D }))
        }
    }
    guard (found != nil) == expected else {
        violated("a loose credential spelling is reported iff a kept piece's name reads as one", queryText.debugDescription)
    }
    if let found {
        guard queryText.contains(found), looksLikeCredential(Array(found.utf8)) else {
            violated("the reported name is a slice of the query that reads as a credential", queryText.debugDescription)
        }
    }
    return 0
}

/// The reference reading of a parameter name: lowercase and drop blanks, `+`, brackets and DEL, then decode
/// percent escapes, up to four rounds of decoding, each round followed by the same folding; compared at the end.
private func looksLikeCredential(_ name: [UInt8]) -> Bool {
    func fold(_ bytes: [UInt8]) -> [UInt8] {
        bytes.filter { !($0 <= 0x20 || $0 == 0x2B || $0 == 0x5B || $0 == 0x5D || $0 == 0x7F) }
            .map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 + 0x20 : $0 }
    }
    var current = name
    for _ in 0..<4 {
        let next = Reference.percentDecoded(current)
        if next == current { break }
        current = next
    }
    let folded = fold(current)
    return folded == Array("access_token".utf8) || folded == Array("cloudbase_access_token".utf8)
}
