// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The app behind the inbound gateway, in this process on a real socket: records every request it gets (in
/// ``requests``, awaitable) and answers as ``answer(with:)`` says, which may wait for the test (a slow app).
public final class FakeApp: Sendable {
    /// One request the app received.
    public struct Request: Sendable, CustomStringConvertible {
        public var method: String
        public var path: String
        /// Header names lowercased.
        public var headers: [String: String]
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:] }
        public var description: String { "\(method) \(path) \(body.count) bytes" }
    }

    /// What the app answers.
    public struct Answer: Sendable {
        public var status: Int
        public var body: String
        public var contentType: String
        public init(status: Int = 200, body: String, contentType: String = "text/plain") {
            self.status = status
            self.body = body
            self.contentType = contentType
        }
        public static let success = Answer(body: "success")
        public static func json(_ body: String) -> Answer { Answer(body: body, contentType: "application/json") }
    }

    public typealias Behaviour = @Sendable (Request) async -> Answer

    public let port: Int
    /// Every request so far, in arrival order.
    public var requests: EventLog<Request> { box.requests }
    private let box: BehaviourBox
    private let task: Task<Void, any Error>

    /// The URL a push path forwards to.
    public var url: String { "http://127.0.0.1:\(port)/wechat/message" }

    private init(port: Int, box: BehaviourBox, task: Task<Void, any Error>) {
        self.port = port
        self.box = box
        self.task = task
    }

    /// Starts an app that answers `success` until told otherwise.
    public static func start() async throws -> FakeApp {
        let box = BehaviourBox()
        let router = Router()
        router.post("**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let received = Request(method: "POST", path: request.uri.path, headers: headers, body: Array(body.readableBytesView))
            box.requests.append(received)
            let answer = await box.current(received)
            return Response(
                status: .init(code: answer.status),
                headers: [.contentType: answer.contentType],
                body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        let port = AsyncBox<Int>()
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { port.set($0.localAddress?.port ?? 0) },
            logger: Logger(label: "fake-app", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await application.run() }
        do {
            let bound = try await port.value(timeout: .seconds(20))
            return FakeApp(port: bound, box: box, task: task)
        } catch {
            task.cancel()
            _ = await task.result
            throw error
        }
    }

    /// From now on, answers with `behaviour`.
    public func answer(with behaviour: @escaping Behaviour) {
        box.behaviour.withLock { $0 = behaviour }
    }

    /// Stops the app and waits until it has.
    public func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// What the route handler reads on each request.
private final class BehaviourBox: Sendable {
    let behaviour = Mutex<FakeApp.Behaviour>({ _ in .success })
    let requests = EventLog<FakeApp.Request>()

    func current(_ request: FakeApp.Request) async -> FakeApp.Answer {
        let behaviour = self.behaviour.withLock { $0 }
        return await behaviour(request)
    }
}
