// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Query parameters that look like a credential but are not spelled exactly `access_token` or
/// `cloudbase_access_token`: `ACCESS_TOKEN=`, `Access_Token=`, `access_token[]=`, `a=1;access_token=`,
/// `access_token%20=`, `access_token+=`, `access%2575token=`. An upstream that reads names loosely (case-folding,
/// `;` as a separator, array syntax, trimming) could take one of them for the token, so a caller could place its own
/// value next to the sidecar's. The sidecar refuses such a request (400) instead of guessing.
///
/// The exact spellings (after one percent-decoding, as ``QueryRewriter`` compares them) are not refused: they are
/// what apps written for WeChat Cloud Hosting send, and the sidecar strips them.
public enum CredentialSpelling {
    /// The raw name of the first parameter in `query` that is a loose spelling of a credential name, or `nil`.
    ///
    /// A name is compared after: percent-decoding until it no longer changes (at most 4 rounds), `+` read as a
    /// space, every byte up to and including space, `[`, `]` and `+` removed, and ASCII letters lowercased.
    /// `&`-separated parameters are also split on `;`.
    public static func looseCredentialName(in query: Substring?) -> Substring? {
        guard let query else { return nil }
        for parameter in QueryRewriter.parameters(of: query) {
            if QueryRewriter.isCredentialParameter(parameter) { continue }
            for piece in parameter.utf8.split(separator: ByteClass.semicolon) {
                let name = piece[..<(piece.firstIndex(of: ByteClass.equals) ?? piece.endIndex)]
                if isCredentialName(normalized(Array(name))) { return Substring(name) }
            }
        }
        return nil
    }

    /// Whether `normalized` (see ``normalized(_:)``) is one of ``QueryRewriter/credentialParameterNames``.
    static func isCredentialName(_ normalized: [UInt8]) -> Bool {
        QueryRewriter.credentialParameterNames.contains { $0.utf8.elementsEqual(normalized) }
    }

    /// The comparison form of a raw parameter name.
    static func normalized(_ raw: [UInt8]) -> [UInt8] {
        var bytes = raw
        for _ in 0..<4 {
            let decoded = percentDecoded(bytes)
            if decoded == bytes { break }
            bytes = decoded
        }
        return bytes.compactMap { byte in
            switch byte {
            case 0...ByteClass.space, UInt8(ascii: "+"), UInt8(ascii: "["), UInt8(ascii: "]"), ByteClass.delete:
                nil
            default:
                ByteClass.lowercased(byte)
            }
        }
    }

    /// One round of percent-decoding; invalid escapes stand for themselves.
    static func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == ByteClass.percent, index + 2 < bytes.count,
                let high = ByteClass.hexValue(bytes[index + 1]), let low = ByteClass.hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }
}
