// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1.1 child channel with handlers of ours in front of the conversion to HTTP types:
/// ``MalformedRequestHandler`` (answers unparseable HTTP with a WeChat-style JSON 400 and closes that connection;
/// the daemon keeps serving), ``SlowHeaderGuard`` (408 for a head that does not arrive in time),
/// ``ProxyRequestHandler`` (serves API calls right here on the event loop, and owns keep-alive, pipelining, the idle
/// timeout and graceful shutdown for the connection), and ``RequestTargetRecorder`` (keeps the request target of
/// the admin requests passed on to Hummingbird exactly as received, and refuses `CONNECT`).
struct SidecarHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    /// Serves API calls in the pipeline (``ProxyRequestHandler``); the responder gets the rest.
    let forwarder: ProxyForwarder
    let ledger: RequestLedger
    /// Limits of the HTTP/1 parser: header field size and total header size.
    var decoderLimits: NIOHTTPDecoderLimitConfiguration
    /// Close a connection idle for this long.
    var idleTimeout: TimeAmount
    /// Close a connection that started a request head and did not finish it within this long (408).
    var headerTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false,
                withErrorHandling: false,
                withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: decoderLimits
            )
            let slowHeaders = SlowHeaderGuard(timeout: headerTimeout)
            let rawWriter = RawResponseWriter()
            try pipeline.addHandler(rawWriter, position: .first)
            try pipeline.addHandler(slowHeaders.start, position: .after(rawWriter))
            try pipeline.addHandler(MalformedRequestHandler())
            try pipeline.addHandler(slowHeaders.finish)
            try pipeline.addHandler(ProxyRequestHandler(forwarder: forwarder, ledger: ledger, idleTimeout: idleTimeout))
            try pipeline.addHandler(RequestTargetRecorder())
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            return try NIOAsyncChannel(
                wrappingChannelSynchronously: channel,
                configuration: .init(isOutboundHalfClosureEnabled: true)
            )
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}
