// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Renders WeChat-style error bodies, `{"errcode":85107,"errmsg":"..."}`, without Foundation.
public enum WeChatErrorBody {
    /// The JSON object `{"errcode":<errcode>,"errmsg":"<errmsg>"}` with `errmsg` escaped as a JSON string.
    public static func json(errcode: Int, errmsg: String) -> String {
        "{\"errcode\":\(errcode),\"errmsg\":" + jsonString(errmsg) + "}"
    }

    /// `text` as a JSON string literal, quotes included. `"` and `\` are escaped, control bytes become
    /// `\uXXXX` (or `\n`, `\r`, `\t`), everything else is copied as UTF-8.
    public static func jsonString(_ text: String) -> String {
        var out: [UInt8] = [0x22]
        out.reserveCapacity(text.utf8.count + 2)
        for byte in text.utf8 {
            switch byte {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0x00..<0x20, 0x7F:
                out += [0x5C, 0x75, 0x30, 0x30, ByteClass.hexDigit(byte >> 4), ByteClass.hexDigit(byte & 0x0F)]
            default: out.append(byte)
            }
        }
        out.append(0x22)
        return String(decoding: out, as: UTF8.self)
    }
}
