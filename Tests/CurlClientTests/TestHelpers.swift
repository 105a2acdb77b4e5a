// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

// MARK: - Clients

/// Runs `body` with a new client, shut down afterwards.
func withClient<Result>(
    _ configuration: CurlClient.Configuration = .init(),
    _ body: (CurlClient) async throws -> Result
) async throws -> Result {
    let client = try CurlClient(configuration: configuration, logger: Logger(label: "curl-client-test"))
    defer { client.shutdown() }
    return try await body(client)
}

// MARK: - Bodies

/// `count` random bytes.
func randomBytes(count: Int) -> ByteBuffer {
    var generator = SystemRandomNumberGenerator()
    let words = (0..<(count + 7) / 8).map { _ in generator.next() as UInt64 }
    var buffer = ByteBuffer()
    words.withUnsafeBytes { _ = buffer.writeBytes($0.prefix(count)) }
    return buffer
}

// MARK: - Ports

/// A TCP port on 127.0.0.1 that refuses connections: bound, never listening, held while the value lives.
struct RefusingPort: ~Copyable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw PortError.socket(errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(descriptor)
            throw PortError.socket(errno)
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        Glibc.close(descriptor)
    }

    enum PortError: Error {
        case socket(Int32)
    }
}
