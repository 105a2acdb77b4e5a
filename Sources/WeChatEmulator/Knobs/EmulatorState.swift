// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Everything mutable in the emulator, kept behind the knobs' lock.
struct EmulatorState: Sendable {
    /// Token rules and every issued token.
    var tokens = TokenBook()
    /// Faults in force.
    var faults = FaultTable()
    /// Counters.
    var stats = EmulatorStats()
    /// Seconds added to the wall clock.
    var clockOffset: Double = 0
    /// Default `getwxacode` image size.
    var imageBytes = 2048
    /// Numbers request ids.
    var requestCounter = 0
    /// Recent failed calls by rid, for `POST /cgi-bin/openapi/rid/get`.
    var rids = RidLog()

    /// A fresh state using `settings`.
    init(settings: EmulatorSettings) {
        self.settings = settings
    }

    /// The settings, read from and written to their owners.
    var settings: EmulatorSettings {
        get {
            EmulatorSettings(
                tokenLifetime: Int(tokens.lifetime), overlap: Int(tokens.overlap), imageBytes: imageBytes)
        }
        set {
            tokens.lifetime = Double(newValue.tokenLifetime)
            tokens.overlap = Double(newValue.overlap)
            imageBytes = newValue.imageBytes
        }
    }

    /// Counts a request to `path`.
    mutating func count(path: String) {
        stats.requests += 1
        stats.requestsByPath[path, default: 0] += 1
    }

    /// Counts an errcode answered (0 and `nil` are not counted).
    mutating func count(errcode: Int?) {
        guard let errcode, errcode != 0 else { return }
        stats.errcodes[errcode, default: 0] += 1
    }
}
