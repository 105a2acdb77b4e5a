// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// MARK: - Configuration

extension CurlClient {
    /// How a ``CurlClient`` connects and what it accepts.
    public struct Configuration: Sendable, Hashable {
        /// An extra trusted CA bundle (PEM), trusted in addition to the system store; `nil` trusts the system
        /// store only.
        ///
        /// With libcurl's OpenSSL backend this sets `CURLOPT_CAINFO` to the file and `CURLOPT_CAPATH` to
        /// ``systemCertificateDirectory``, so certificates from either are accepted.
        public var caFile: String?
        /// The hashed certificate directory of the system store, used beside ``caFile`` (`CURLOPT_CAPATH`).
        public var systemCertificateDirectory: String
        /// The most connections to one host (`CURLMOPT_MAX_HOST_CONNECTIONS`); transfers beyond it wait for a
        /// connection, or share one over HTTP/2.
        public var maxHostConnections: Int
        /// The most connections in all (`CURLMOPT_MAX_TOTAL_CONNECTIONS`), also the size of the connection cache.
        public var maxTotalConnections: Int
        /// The most transfers handed to libcurl at once; later ones wait in the driver's queue, in order, their
        /// timeout running. libcurl gives every transfer it holds an easy handle and buffers (tens of KiB) even
        /// while it waits for a connection, and its own list of transfers waiting for a connection costs more CPU
        /// and serves them less evenly than this queue: the default, twice the default ``maxHostConnections``,
        /// gave 9–25 % more throughput and a p99 of 30–36 ms instead of 45–57 at 256 callers (BENCHMARKS.md).
        public var maxActiveTransfers: Int
        /// The largest response body accepted; a transfer whose body grows past it fails with
        /// ``CurlError/Kind/tooLarge``.
        public var maxResponseBytes: Int
        /// Whether libcurl writes its verbose trace to standard error (`CURLOPT_VERBOSE`).
        public var verbose: Bool

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - caFile: An extra trusted CA bundle (PEM), or `nil`.
        ///   - systemCertificateDirectory: The system's hashed certificate directory.
        ///   - maxHostConnections: The most connections to one host; at least 1.
        ///   - maxTotalConnections: The most connections in all; at least 1.
        ///   - maxResponseBytes: The largest response body accepted; at least 1.
        ///   - verbose: Whether libcurl traces to standard error.
        ///   - maxActiveTransfers: The most transfers libcurl holds at once; at least 1.
        public init(
            caFile: String? = nil,
            systemCertificateDirectory: String = "/etc/ssl/certs",
            maxHostConnections: Int = 32,
            maxTotalConnections: Int = 64,
            maxResponseBytes: Int = 16 * 1024 * 1024,
            verbose: Bool = false,
            maxActiveTransfers: Int = 64
        ) {
            self.caFile = caFile
            self.systemCertificateDirectory = systemCertificateDirectory
            self.maxHostConnections = maxHostConnections
            self.maxTotalConnections = maxTotalConnections
            self.maxResponseBytes = maxResponseBytes
            self.verbose = verbose
            self.maxActiveTransfers = maxActiveTransfers
        }

        /// Rejects values libcurl would misread.
        func validate() throws(CurlError) {
            func reject(_ message: String) -> CurlError { CurlError(.setup, message: message) }
            guard maxHostConnections >= 1 else { throw reject("maxHostConnections must be at least 1") }
            guard maxTotalConnections >= 1 else { throw reject("maxTotalConnections must be at least 1") }
            guard maxResponseBytes >= 1 else { throw reject("maxResponseBytes must be at least 1") }
            guard maxActiveTransfers >= 1 else { throw reject("maxActiveTransfers must be at least 1") }
        }
    }
}

// MARK: - Stats

extension CurlClient {
    /// Counters of a ``CurlClient`` since it started.
    public struct Stats: Sendable, Hashable {
        /// New connections opened (`CURLINFO_NUM_CONNECTS` summed over finished transfers); a reused connection
        /// counts nothing.
        public var connectionsOpened: Int = 0
        /// Transfers that ended with a response, whatever its status.
        public var transfersCompleted: Int = 0
        /// Transfers that ended with a ``CurlError``: cancellations, shutdown and calls after shutdown included;
        /// requests rejected by validation before reaching the driver are not counted.
        public var transfersFailed: Int = 0

        /// Creates zeroed counters.
        public init() {}
    }
}
