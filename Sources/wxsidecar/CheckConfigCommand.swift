// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import Sidecar

/// `wxsidecar check-config`: validate and print the effective configuration.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration and print the effective values, secrets redacted.",
        discussion: """
            Exit status 0 when valid, 78 when not (the message names the key and the file). Warnings (a token \
            directory other users can write to) go to standard error and do not change the status.
            """)

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try await loadConfigurationOrExit(options.config)
        do {
            for warning in try await SidecarApp.checkEnvironment(configuration) {
                FileHandle.standardError.write(Data("wxsidecar: warning: \(warning)\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("wxsidecar: \(error.description)\n".utf8))
            throw ExitCode(ConfigError.exitStatus)
        }
        print(configuration.effectiveDescription)
    }
}
