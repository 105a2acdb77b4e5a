// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// libFuzzer target `request_path`: request-target validation and whitelist matching, the check that decides
// what is forwarded. Input: a method selector byte, a whitelist file, NUL, a request target, NUL, a caller
// query token. Property: whatever passes validation and the whitelist is byte-identical to an exact entry or
// strictly below a prefix entry, canonical (nothing further on decodes or normalises it into another path),
// never a token endpoint, a slice of what the caller sent, and forwarded with an upstream URL that holds no
// byte that could split it.

let methods = ["GET", "POST", "CONNECT", "OPTIONS", "PUT", "DELETE", "HEAD", "get"]
let fallbackWhitelist = "/wxa/msg_sec_check\n/wxa/getwxacode\n/tcb/invokecloudfunction\n/echo/*\n/cgi-bin/token\n"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestPath(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let method = methods[Int(input.selector) % methods.count]
    let whitelistText = String(decoding: input.part(0), as: UTF8.self)
    let whitelist = (try? PathWhitelist.parse(whitelistText).get().whitelist)
        ?? (try! PathWhitelist.parse(fallbackWhitelist).get().whitelist)
    let target = String(decoding: input.part(1), as: UTF8.self)
    // A token as WeChat issues them: [A-Za-z0-9_-].
    let token = "TOKEN_" + String(decoding: input.part(2).filter(Reference.isTokenByte), as: UTF8.self)

    guard case .success(let parsed) = RequestTarget.parse(method: method, target: target) else { return 0 }
    if method == "CONNECT" { violated("CONNECT is always refused", target.debugDescription) }
    let path = Array(parsed.path.utf8)
    let targetBytes = Array(target.utf8)

    // Validation alone: canonical, and a slice of the target (nothing rebuilt, decoded or normalised).
    guard Reference.isCanonicalPath(path) else { violated("a validated path is canonical", target.debugDescription) }
    guard parsed.path.utf8.elementsEqual(path), Reference.containsSubsequence(targetBytes, path) || path == [0x2F] else {
        violated("the path is a slice of the target", target.debugDescription)
    }
    if let query = parsed.query {
        let queryBytes = Array(query.utf8)
        guard !queryBytes.contains(where: { $0 < 0x21 || $0 >= 0x7F || $0 == 0x23 }) else {
            violated("a validated query holds no space, control, non-ASCII or #", target.debugDescription)
        }
        guard targetBytes.suffix(queryBytes.count + 1).elementsEqual([0x3F] + queryBytes) else {
            violated("the query is the end of the target", target.debugDescription)
        }
    }
    if parsed.form == .origin {
        guard targetBytes == path + (parsed.query.map { [0x3F] + Array($0.utf8) } ?? []) else {
            violated("origin-form: the target is exactly path?query", target.debugDescription)
        }
    }

    // The whitelist's decision against the reference matcher.
    let match = whitelist.match(parsed.path)
    let allowed = (try? match.get()) != nil
    let referenceAllowed = whitelist.entries.contains { Reference.allows(entry: Array($0.utf8), path: path) }
    guard allowed == referenceAllowed else {
        violated("whitelist matching agrees with the reference (\(allowed) vs \(referenceAllowed))", "\(target.debugDescription) against \(whitelist.entries)")
    }
    guard allowed else { return 0 }
    if Reference.isTokenEndpoint(path) { violated("a token endpoint is never forwarded", target.debugDescription) }
    guard let entry = try? match.get(), whitelist.entries.contains(entry),
        Reference.allows(entry: Array(entry.utf8), path: path)
    else { violated("an allowed path names the entry that allows it", target.debugDescription) }

    // The upstream URL: the path unchanged, then the rewritten query; nothing that could split the URL.
    let upstream = Array(QueryRewriter.upstreamPathAndQuery(for: parsed, token: token).utf8)
    guard upstream.starts(with: path + [0x3F]) else { violated("the path is forwarded byte for byte", target.debugDescription) }
    guard !upstream.contains(where: { $0 < 0x21 || $0 >= 0x7F || $0 == 0x23 }) else {
        violated("the upstream URL holds no space, control, non-ASCII or #", target.debugDescription)
    }
    guard upstream.split(separator: 0x3F, maxSplits: 1).dropFirst().first.map({ Array($0).split(separator: 0x26).first.map(Array.init) == Array("access_token=\(token)".utf8) }) == true else {
        violated("the sidecar's token is the first parameter", target.debugDescription)
    }
    return 0
}
