// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

public import NIOCore

// MARK: - UpstreamResponse

/// The answer to an ``UpstreamRequest``: whatever status the server sent, 4xx and 5xx included.
public struct UpstreamResponse: Sendable {
    /// The status code of the final response.
    public var status: Int
    /// The header lines of the final response as received (`Name: value` CRLF each; no status line, no
    /// interim 1xx responses, no trailers). Kept raw on the driver thread; ``headers`` parses them.
    public var headerBlock: ByteBuffer
    /// The response content as received (no content decoding).
    public var body: ByteBuffer

    /// Creates a response.
    ///
    /// - Parameters:
    ///   - status: The status code.
    ///   - headers: The header fields in order.
    ///   - body: The content.
    public init(status: Int, headers: [(name: String, value: String)], body: ByteBuffer) {
        var block = ByteBuffer()
        for (name, value) in headers {
            block.writeString("\(name): \(value)\r\n")
        }
        self.init(status: status, headerBlock: block, body: body)
    }

    init(status: Int, headerBlock: ByteBuffer, body: ByteBuffer) {
        self.status = status
        self.headerBlock = headerBlock
        self.body = body
    }

    /// The header fields in the order received, parsed from ``headerBlock`` on each access (an obsolete folded
    /// line continues the previous field's value; a line without a colon is skipped).
    public var headers: [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        headerBlock.withUnsafeReadableBytes { block in
            var start = 0
            while start < block.count {
                var end = start
                while end < block.count, block[end] != UInt8(ascii: "\n") { end += 1 }
                var lineEnd = end
                while lineEnd > start, block[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: block[start..<lineEnd])
                start = end + 1
                if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
                    if !fields.isEmpty { fields[fields.count - 1].value += " " + Self.trimmed(line) }
                    continue
                }
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[..<colon]), as: UTF8.self)
                fields.append((name, Self.trimmed(UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]))))
            }
        }
        return fields
    }

    /// The values of every header field with this name, compared case-insensitively, in order.
    ///
    /// - Parameter name: The field name.
    /// - Returns: The values; empty when there is no such field.
    public func headerValues(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer) -> String {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[first...last]), as: UTF8.self)
    }
}
