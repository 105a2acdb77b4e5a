// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import SidecarCore

/// An admin request with a body (`POST /-/jssdk/signature`, `POST /-/token/refresh`): reads the body (at most
/// ``maximumBytes``), runs the route's handler as one task, and answers on the event loop. A hang-up cancels the
/// task. Lives on its connection's event loop.
final class AdminCall: ServedCall {
    static let maximumBytes = 16 * 1024

    private let route: AdminEndpoints.BodyRoute
    private let path: String
    private let grant: Set<String>?
    private let eventLoop: any EventLoop
    private let answered: (CallOutcome) -> Void
    private var body = ByteBuffer()
    private var task: Task<Void, Never>?
    private var done = false

    init(
        route: AdminEndpoints.BodyRoute, path: String, grant: Set<String>?, eventLoop: any EventLoop,
        answered: @escaping (CallOutcome) -> Void
    ) {
        self.route = route
        self.path = path
        self.grant = grant
        self.eventLoop = eventLoop
        self.answered = answered
    }

    func receive(_ chunk: ByteBuffer) {
        guard !done else { return }
        guard body.readableBytes + chunk.readableBytes <= Self.maximumBytes else {
            return finish(AdminEndpoints.json(413, WeChatErrorBody.json(errcode: -1, errmsg: "the request body is larger than \(Self.maximumBytes) bytes"), label: path))
        }
        var chunk = chunk
        body.writeBuffer(&chunk)
    }

    func requestEnded() {
        guard !done, task == nil else { return }
        let route = self.route
        let body = self.body
        let grant = self.grant
        let path = self.path
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let eventLoop = self.eventLoop
        task = Task {
            let outcome = await route.answer(body, grant, path)
            eventLoop.execute { loopBound.value.finish(outcome) }
        }
    }

    func cancel() {
        done = true
        task?.cancel()
    }

    private func finish(_ outcome: CallOutcome) {
        guard !done else { return }
        done = true
        answered(outcome)
    }
}
