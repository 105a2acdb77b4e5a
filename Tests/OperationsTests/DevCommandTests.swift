// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import Foundation
import Logging
import NIOCore
import TestSupport
import Testing

/// `wxsidecar dev` (the README's first command): the emulator and the sidecar with two accounts, a mini program
/// and an official account, and the calls it prints work as printed.
@Suite("wxsidecar dev (the first command)")
struct DevCommandTests {
    @Test("dev serves both accounts, the cached ticket and the JS-SDK signature, with no credentials")
    func devServesTwoAccounts() async throws {
        let folder = try TemporaryDirectory(prefix: "wxsidecar-dev")
        defer { folder.remove() }
        try await withDaemonProcess(
            arguments: ["dev", "--dir", folder.path("dev"), "--listen", "127.0.0.1:0", "--inbound", "127.0.0.1:0"], environment: [:]
        ) { process in
            try await eventually("the dev instructions", timeout: .seconds(60)) { process.output.contains("wxsidecar dev is up") }
            let output = process.output
            let base = try #require(output.firstMatch(of: /sidecar on (http:\/\/127\.0\.0\.1:\d+)/)?.1).description
            let client = try CurlClient(configuration: .init(), logger: Logger(label: "dev-test"))
            defer { client.shutdown() }
            func call(_ method: String, _ path: String, _ body: String? = nil) async throws -> UpstreamResponse {
                try await client.execute(UpstreamRequest(
                    method: method, url: base + path, body: body.map { ByteBuffer(string: $0) }, timeout: .seconds(20),
                    connectTimeout: .seconds(5)))
            }
            let check = #"{"version":2,"openid":"o1","scene":1,"content":"hello"}"#
            #expect(try await call("POST", "/wxa/msg_sec_check", check).errcode == 0)
            #expect(try await call("POST", "/wxa/msg_sec_check?from_appid=wxfedcba9876543210", check).errcode == 0)
            // Signed and encrypted on the way (the emulator requires it on this path), plain JSON here.
            let risk = try await call("POST", "/wxa/getuserriskrank", #"{"openid":"o1","scene":0,"client_ip":"127.0.0.1"}"#)
            #expect(risk.errcode == 0, "\(risk.text)")
            #expect((risk.json["body"] as? String)?.contains("_timestamp") == true)
            let ticket = try await call("GET", "/cgi-bin/ticket/getticket?type=jsapi&from_appid=wxfedcba9876543210")
            #expect(ticket.errcode == 0)
            #expect((ticket.json["ticket"] as? String)?.isEmpty == false)
            let signature = try await call("POST", "/-/jssdk/signature", #"{"url":"https://example.com/page","appid":"wxfedcba9876543210"}"#)
            #expect((signature.json["signature"] as? String)?.count == 40)
            for file in ["dev/wx/cloudbase_access_token", "dev/wx/wxfedcba9876543210/cloudbase_access_token", "dev/wx/wxfedcba9876543210/jsapi_ticket"] {
                try await eventually("\(file)") { FileManager.default.fileExists(atPath: folder.path(file)) }
            }
            #expect(output.contains("from_appid=wxfedcba9876543210"))
            #expect(await process.stop() == 0)
        }
    }

    @Test("dev takes WeChat's pushes for the official account and the printed emulate push line reaches the app")
    func devRunsTheMessagePushLoop() async throws {
        let folder = try TemporaryDirectory(prefix: "wxsidecar-dev")
        defer { folder.remove() }
        let app = try await FakeApp.start()
        try await withTeardown {
            app.answer { request in
                .json(#"{"MsgType":"text","Content":"app saw "# + ((request.json["Content"] as? String) ?? "?") + #""}"#)
            }
            try await withDaemonProcess(
                arguments: [
                    "dev", "--dir", folder.path("dev"), "--listen", "127.0.0.1:0", "--inbound", "127.0.0.1:0", "--app", app.url,
                ],
                environment: [:]
            ) { process in
                try await eventually("the dev instructions", timeout: .seconds(60)) { process.output.contains("emulate push") }
                // The printed line, as a user would paste it (the binary's own path first).
                let line = try #require(process.output.split(separator: "\n").first { $0.contains("--content hello") })
                let words = line.split(separator: " ").map(String.init)
                let arguments = Array(words.dropFirst().prefix { $0 != "#" })
                try await withDaemonProcess(arguments: arguments, environment: [:]) { push in
                    let status = try await push.exitStatus()
                    #expect(status == 0, "\(push.output)")
                    #expect(push.output.contains("MsgSignature verified"))
                    #expect(push.output.contains("Content: app saw hello"))
                }
                let (_, received) = try await app.requests.first("the push at the app") { _ in true }
                #expect(received.headers["x-wx-appid"] == "wxfedcba9876543210")
                #expect(received.json["Content"] as? String == "hello")
                #expect(await process.stop() == 0)
            }
        } teardown: {
            await app.stop()
        }
    }
}
