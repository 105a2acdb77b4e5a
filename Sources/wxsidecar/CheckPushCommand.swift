// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import Logging
import Sidecar

/// `wxsidecar check-push`: send Cloud Hosting's setup probe to every account's `message.forward_to`.
struct CheckPushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-push",
        abstract: "Send Cloud Hosting's setup probe ({\"action\":\"CheckContainerPath\"}) to each message.forward_to.",
        discussion: """
            What the Cloud Hosting console does when message push is set up: each account's app gets the probe \
            with the headers of a forwarded push and should answer 200 "success". Prints one line per account; exit \
            status 0 when every app answered success, 1 when one did not, 78 for a bad configuration.
            """)

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try await loadConfigurationOrExit(options.config)
        let logger = Logger(label: "wxsidecar.check-push") { _ in SwiftLogNoOpLogHandler() }
        let checks = try await PushPathCheck.run(configuration, logger: logger)
        guard !checks.isEmpty else {
            FileHandle.standardError.write(Data("wxsidecar: no account has a message section: nothing to check\n".utf8))
            throw ExitCode(ConfigError.exitStatus)
        }
        for check in checks {
            print("\(check.account): \(check.forwardTo): \(check.problem ?? "success")")
        }
        if checks.contains(where: { $0.problem != nil }) { throw ExitCode.failure }
    }
}
