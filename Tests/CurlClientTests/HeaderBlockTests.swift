// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import Testing

@testable import CurlClient

// MARK: - Reading one field from a raw head

@Suite("A raw response head read one field at a time")
struct HeaderBlockTests {
    static let block = ByteBuffer(
        string: "Server: nginx\r\nCONTENT-TYPE: image/jpeg \r\nX-Folded: a\r\n  b\r\nContent-Type: text/plain\r\n"
            + "Spaced : no\r\nNoColon\r\n")

    @Test(arguments: [
        ("content-type", "image/jpeg"),  // case ignored, the first of two, trimmed
        ("server", "nginx"),
        ("x-folded", "a b"),  // an obsolete folded line continues the value
        ("content-length", nil),
        ("spaced", nil),  // a name followed by a space is not that name, as in `headers`
        ("nocolon", nil),
    ] as [(String, String?)])
    func firstHeaderValueGivesWhatTheParsedFieldsGive(name: String, expected: String?) {
        let head = UpstreamResponseHead(status: 200, headerBlock: Self.block)
        #expect(head.firstHeaderValue(name) == expected)
        let parsed = head.headers.first { $0.name.lowercased() == name }?.value
        #expect(parsed == expected)
    }
}
