// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1
import Prometheus

/// The pipeline of one caller connection, set up by ``HTTPListener`` as it accepts the connection: raw bytes →
/// ``ByteArrivalNotifier`` → NIO's HTTP/1 request decoder → ``MalformedRequestHandler`` (unparseable HTTP: a
/// WeChat-style 400, that connection closed) → ``ConnectionHandler`` (every request, the connection's life). Answers
/// go back as bytes (``AnswerWire``): there is no response encoder.
struct SidecarHTTP1Channel: Sendable {
    let services: ConnectionHandler.Services
    /// Limits of the HTTP/1 parser: header field size and total header size.
    var decoderLimits: NIOHTTPDecoderLimitConfiguration
    /// Builds the connection's pipeline, or closes it at once above `limits.max_connections`.
    func setup(channel: any Channel) -> EventLoopFuture<Void> {
        let cap = services.cap
        guard cap.enter() else {
            services.ledger.metrics.callersRefused("too_many_connections").increment()
            channel.close(promise: nil)
            return channel.eventLoop.makeSucceededVoidFuture()
        }
        channel.closeFuture.whenComplete { _ in cap.closed(channel) }
        return channel.eventLoop.makeCompletedFuture {
            // Requests are small: the first receive buffer (which the channel keeps for its next reads) is 1 KiB,
            // not NIO's 2 KiB; it still grows for larger bodies.
            try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: Self.receiveBuffers)
            let connection = ConnectionHandler(services: services, now: channel.eventLoop.now)
            try Self.addHandlers(to: channel.pipeline.syncOperations, connection: connection, decoderLimits: decoderLimits)
        }
    }

    /// Adds the handlers of a connection around `connection`.
    static func addHandlers(
        to pipeline: ChannelPipeline.SynchronousOperations, connection: ConnectionHandler,
        decoderLimits: NIOHTTPDecoderLimitConfiguration
    ) throws {
        try pipeline.addHandler(ByteArrivalNotifier(connection: connection))
        try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(limitConfiguration: decoderLimits)))
        try pipeline.addHandler(MalformedRequestHandler(connection: connection))
        try pipeline.addHandler(connection)
    }

    /// The receive buffer sizes of a caller connection.
    static let receiveBuffers = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 1024, maximum: 65536)
}
