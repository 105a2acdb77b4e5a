// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

public import NIOCore
import NIOPosix

/// The clients of the connection-level attacks (issue #10), shared by the in-process and the built-daemon suites.
public enum HostileClients {
    /// A TCP connection that reads nothing: autoRead off and a small receive buffer, so the server's writes back up.
    public static func silentConnection(port: Int) async throws -> any Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: false)
            .channelOption(.socketOption(.so_rcvbuf), value: 4096)
            .connect(host: "127.0.0.1", port: port).get()
    }

    /// `count` connections that each send a head announcing a 100,000-byte body to `/echo/upload<N>`, three bytes of
    /// it, and nothing more.
    public static func stalledUploads(_ count: Int, port: Int) async throws -> [any Channel] {
        var uploads: [any Channel] = []
        for index in 0..<count {
            let channel = try await silentConnection(port: port)
            try await channel.writeAndFlush(ByteBuffer(
                string: "POST /echo/upload\(index) HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc")).get()
            uploads.append(channel)
        }
        return uploads
    }

    /// `count` pipelined `POST /wxa/getwxacode` requests for images of `imageBytes` (the emulator's knob), as one
    /// buffer.
    public static func pipelinedImageRequests(_ count: Int, imageBytes: Int) -> ByteBuffer {
        let body = #"{"path":"pages/index","emulator_image_bytes":\#(imageBytes)}"#
        let one = "POST /wxa/getwxacode HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        return ByteBuffer(string: String(repeating: one, count: count))
    }
}
