// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import SidecarCore
import Testing

/// The one-pass errcode scanner answers what a full JSON parse (`JSONSerialization`, what the proxy used before)
/// answers: the top-level numeric `errcode` of a valid JSON object, else nothing.
@Suite("Errcode scanner")
struct ErrcodeScannerTests {
    /// What the proxy did before the scanner: parse the whole answer, read `errcode` as an NSNumber.
    static func fullParse(_ text: String) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let number = object["errcode"] as? NSNumber
        else { return nil }
        return number.intValue
    }

    static let cases: [(String, Int?)] = [
        (#"{"errcode":40001,"errmsg":"invalid credential"}"#, 40001),
        (#"{"errcode":0,"errmsg":"ok","result":{"suggest":"pass","label":100}}"#, 0),
        (#"  {"errmsg":"x", "errcode" : -1 }  "#, -1),
        (#"{"result":{"errcode":40001}}"#, nil),
        (#"{"detail":[{"errcode":40001}],"errcode":0}"#, 0),
        (#"{"errcode":"40001"}"#, nil),
        (#"{"errcode":null}"#, nil),
        (#"{"errcode":[40001]}"#, nil),
        (#"{"errcode":40001.9}"#, 40001),
        (#"{"errcode":4.2001e4}"#, 42001),
        (#"{"err\u0063ode":40014}"#, 40014),
        (#"{"errcode":1,"errcode":42001}"#, 42001),
        (#"{"errcodex":40001}"#, nil),
        (#"{"errcod":40001}"#, nil),
        (#"{"errcode":40001"#, nil),
        (#"{"errcode":40001,}"#, 40001),
        (#"{"a":[1,2,],"errcode":3}"#, 3),
        (#"{"errcode":1,,}"#, nil),
        (#"{,"errcode":1}"#, nil),
        (#"{"a":[,1],"errcode":5}"#, nil),
        (#"{"errcode":1e5}"#, 100000),
        (#"{"errcode":true}"#, 1),
        (#"{"errcode":+1}"#, nil),
        (#"{"errcode":.5}"#, nil),
        ("\u{FEFF}{\"errcode\":2}", 2),
        (#"{"errcode":40001} x"#, nil),
        (#"{"errcode":01}"#, nil),
        (#"{"errcode":-}"#, nil),
        (#"{"errcode":1.}"#, nil),
        (#"{"a":"\x"}"#, nil),
        (#"{"a":"\ud800"}"#, nil),
        (#"{"a":"\ud83d\ude00","errcode":7}"#, 7),
        (#"{"a":"中文","errcode":8}"#, 8),
        (#"{"a":tru,"errcode":1}"#, nil),
        (#"{"a":[1,2,{"b":[null,true,false]}],"errcode":9}"#, 9),
        (#"[{"errcode":40001}]"#, nil),
        ("40001", nil),
        ("", nil),
        ("not json", nil),
        ("{\"a\":\"line\nbreak\",\"errcode\":3}", nil),
        (#"{}"#, nil),
    ]

    @Test("matches a full JSON parse", arguments: cases)
    func matchesFullParse(_ text: String, _ expected: Int?) {
        #expect(ErrcodeScanner.topLevelErrcode(Array(text.utf8)) == expected)
        #expect(Self.fullParse(text) == expected)
    }

    @Test("nesting deeper than the limit is not an answer")
    func deepNesting() {
        let deep = "{\"a\":" + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + ",\"errcode\":1}"
        #expect(ErrcodeScanner.topLevelErrcode(Array(deep.utf8)) == nil)
        #expect(Self.fullParse(deep) == nil)
        let shallow = "{\"a\":" + String(repeating: "[", count: 510) + String(repeating: "]", count: 510) + ",\"errcode\":1}"
        #expect(ErrcodeScanner.topLevelErrcode(Array(shallow.utf8)) == 1)
        #expect(Self.fullParse(shallow) == 1)
    }

    @Test("invalid UTF-8 in a string is not JSON")
    func invalidUTF8() {
        var bytes = Array(#"{"a":"x","errcode":5}"#.utf8)
        #expect(ErrcodeScanner.topLevelErrcode(bytes) == 5)
        bytes[6] = 0xC0
        #expect(ErrcodeScanner.topLevelErrcode(bytes) == nil)
    }
}
