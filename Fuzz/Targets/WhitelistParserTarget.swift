// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// libFuzzer target `whitelist_parser`: the whitelist file parser. Input: a whitelist file (the selector byte
// picks probe paths). Properties: an accepted file's entries are exactly its entry lines, each valid on its
// own; a refused file has a line the reference refuses, and the error names a line that exists; parsing the
// entries again gives the same whitelist; matching agrees with the reference for paths near each entry.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWhitelistParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    // The daemon refuses a file that is not UTF-8 before parsing (WhitelistFile.load).
    guard let text = String(validating: bytes, as: UTF8.self) else { return 0 }
    let lines = Reference.entryLines(bytes)
    let referenceValid = lines.allSatisfy(Reference.isValidEntry)

    switch PathWhitelist.parse(text) {
    case .failure(let error):
        guard !referenceValid else { violated("a file of valid lines is accepted", "\(text.debugDescription): \(error)") }
        let lineCount = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count
        guard (1...max(lineCount, 1)).contains(error.line) else {
            violated("the error names an existing line", "\(error.line) of \(lineCount)")
        }
    case .success(let parsed):
        guard referenceValid else { violated("a file with an invalid line is refused", text.debugDescription) }
        let whitelist = parsed.whitelist
        let entries = Set(whitelist.entries.map { Array($0.utf8) })
        guard entries == Set(lines) else {
            violated("the entries are exactly the entry lines", "\(whitelist.entries) vs \(lines.count) lines")
        }
        guard case .success(let again) = PathWhitelist.parse(whitelist.entries.joined(separator: "\n")),
            again.whitelist == whitelist
        else { violated("parsing the entries again gives the same whitelist", text.debugDescription) }
        // Probe paths near every entry.
        for entry in whitelist.entries.prefix(32) {
            let base = Array(entry.utf8.filter { $0 != 0x2A })
            for probe in [base, base + Array("x".utf8), Array(base.dropLast()), base + Array("/y".utf8), Array(base.prefix(Int(size % 7)))] {
                guard Reference.isCanonicalPath(probe) else { continue }
                let path = String(decoding: probe, as: UTF8.self)
                let expected = whitelist.entries.contains { Reference.allows(entry: Array($0.utf8), path: probe) }
                guard ((try? whitelist.match(path[...]).get()) != nil) == expected else {
                    violated("matching agrees with the reference", "\(path) against \(whitelist.entries)")
                }
            }
        }
    }
    return 0
}
