// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// What every fuzz target shares: the trap that records a violated property, and the reading of an input.

/// Stops the fuzzer with a message: libFuzzer records the input as a crash artifact.
func violated(_ property: String, _ details: @autoclosure () -> String) -> Never {
    fatalError("property violated: \(property): \(details())")
}

/// Reads a fuzz input as: a selector byte, then parts separated by NUL bytes.
struct FuzzInput {
    var selector: UInt8
    /// Everything after the selector, NUL bytes included.
    var body: [UInt8]
    var parts: [[UInt8]]

    init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
        selector = bytes.first ?? 0
        body = Array(bytes.dropFirst())
        parts = body.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map(Array.init)
    }

    func part(_ index: Int) -> [UInt8] { index < parts.count ? parts[index] : [] }
}
