// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import TestSupport
import Testing
import WeChatEmulator

/// The `wxsidecar` binary's contract: exit statuses and messages of `check-config` and `run --once`.
@Suite("command line (the wxsidecar binary)")
struct CommandLineTests {
    @Test(
        "check-config rejects each bad value with exit 78, naming the key and the file",
        arguments: [
            ("WXSIDECAR_TOKEN_MODE", "fast", "token.mode"),
            ("WXSIDECAR_LISTEN", "nowhere", "listen"),
            ("WXSIDECAR_TOKEN_FILE_MODE", "0666", "token.file_mode"),
            ("WXSIDECAR_APPID", " ", "appid"),
            ("WXSIDECAR_TOKEN_FILE", "/proc/wxsidecar-cli-test/token", "token.file"),
        ])
    func checkConfigRejects(_ variable: String, _ value: String, _ key: String) async throws {
        try await withDaemonFixture { fixture in
            try await withDaemonProcess(
                arguments: ["check-config", "--config", fixture.configPath],
                environment: ["CREDENTIALS_DIRECTORY": fixture.credentialsDirectory, variable: value]
            ) { process throws in
                #expect(try await process.exitStatus() == 78)
                let output = process.lines.items.joined(separator: "\n")
                #expect(output.contains("configuration error: \(key)"), "\(output)")
                #expect(output.contains(variable) || output.contains(fixture.configPath), "\(output)")
            }
        }
    }

    @Test("check-config prints the effective configuration with the secret redacted")
    func checkConfigPrints() async throws {
        try await withDaemonFixture { fixture in
            try await withDaemonProcess(
                arguments: ["check-config", "--config", fixture.configPath],
                environment: ["CREDENTIALS_DIRECTORY": fixture.credentialsDirectory]
            ) { process throws in
                #expect(try await process.exitStatus() == 0)
                let output = process.lines.items.joined(separator: "\n")
                #expect(output.contains("token:"))
                #expect(output.contains("<redacted"))
                #expect(!output.contains(fixture.emulator.configuration.secret))
            }
        }
    }

    @Test("check-push sends the setup probe to message.forward_to: 0 on success, 1 otherwise, 78 with no message")
    func checkPush() async throws {
        let app = try await FakeApp.start()
        try await withTeardown {
            try await withDaemonFixture { fixture in
                let base = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
                let config = try fixture.directory.write(
                    base + "\ninbound:\n  listen: 127.0.0.1:0\nmessage:\n  forward_to: \"\(app.url)\"\n", to: "push.yaml")
                let environment = ["CREDENTIALS_DIRECTORY": fixture.credentialsDirectory, "WXSIDECAR_MESSAGE_TOKEN": "tok3n"]
                for (status, expected, exit) in [(200, "success", Int32(0)), (500, "no success answer (status_5xx)", 1)] {
                    app.answer { _ in FakeApp.Answer(status: status, body: "success") }
                    try await withDaemonProcess(arguments: ["check-push", "--config", config], environment: environment) {
                        process throws in
                        #expect(try await process.exitStatus() == exit)
                        let output = process.lines.items.joined(separator: "\n")
                        #expect(output.contains("\(app.url): \(expected)"), "\(output)")
                    }
                }
                #expect(app.requests.items.count == 2)
                #expect(app.requests.items.allSatisfy { $0.text == #"{"action":"CheckContainerPath"}"# })
                try await withDaemonProcess(
                    arguments: ["check-push", "--config", fixture.configPath], environment: environment
                ) { process throws in
                    #expect(try await process.exitStatus() == 78)
                    #expect(process.lines.items.contains { $0.contains("no account has a message section") })
                }
            }
        } teardown: {
            await app.stop()
        }
    }

    @Test("run --once writes the token file and exits 0")
    func onceSucceeds() async throws {
        try await withDaemonFixture { fixture in
            try await withDaemonProcess(
                arguments: ["run", "--once", "--config", fixture.configPath],
                environment: ["CREDENTIALS_DIRECTORY": fixture.credentialsDirectory]
            ) { process throws in
                #expect(try await process.exitStatus() == 0)
            }
            let token = try #require(fixture.token)
            #expect(fixture.emulator.knobs.check(token: token) == .valid)
        }
    }

    @Test("run --once exits 78 when WeChat refuses the credentials, 69 when it cannot be reached")
    func onceFails() async throws {
        try await withDaemonFixture { fixture in
            fixture.emulator.knobs.addFault(EmulatorFault(pathPrefix: "/cgi-bin/", action: .errcode(40125, errmsg: nil)))
            try await withDaemonProcess(
                arguments: ["run", "--once", "--config", fixture.configPath],
                environment: ["CREDENTIALS_DIRECTORY": fixture.credentialsDirectory]
            ) { refused throws in
                #expect(try await refused.exitStatus() == 78)
                #expect(refused.lines.items.contains { $0.contains("40125") })
            }
            #expect(fixture.token == nil)
            try await withDaemonProcess(
                arguments: ["run", "--once", "--config", fixture.configPath],
                environment: [
                    "CREDENTIALS_DIRECTORY": fixture.credentialsDirectory,
                    "WXSIDECAR_UPSTREAM_BASE_URL": "http://127.0.0.1:1", "WXSIDECAR_UPSTREAM_TIMEOUT": "1",
                ]
            ) { unreachable throws in
                #expect(try await unreachable.exitStatus() == 69)
            }
        }
    }
}
