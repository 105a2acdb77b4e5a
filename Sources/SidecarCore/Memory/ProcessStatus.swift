// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Fields of `/proc/self/status`.
public enum ProcessStatus {
    /// `RssAnon`: resident anonymous memory (the heap, stacks, buffers), in KiB; `nil` if the text has no such line.
    public static func anonymousKiB(status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix("RssAnon:") {
            let fields = line.dropFirst("RssAnon:".count).split { $0 == " " || $0 == "\t" }
            guard fields.count == 2, fields[1] == "kB" else { return nil }
            return Int(fields[0])
        }
        return nil
    }
}
