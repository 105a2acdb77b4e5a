// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import Logging
import Sidecar

/// `wxsidecar run`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: keep the token file fresh and serve the proxy.",
        discussion: """
            Exit status: 0 after a graceful shutdown (SIGTERM/SIGINT) or a successful --once; 78 for an invalid
            configuration (the message names the key and the file); 69 when --once cannot get a token.
            """)

    @OptionGroup var options: ConfigOption

    @Flag(help: "Fetch one token, write the token file, and exit (init containers, Jobs).")
    var once = false

    func run() async throws {
        // Tasks run on the NIO event loops rather than a separate pool: fewer thread hops per request (BENCHMARKS.md).
        EventLoopExecutor.install()
        let configuration = try await loadConfigurationOrExit(options.config)
        let redactor = Redactor(configuration)
        let logger = makeRootLogger(configuration, redactor: redactor)
        let status: Int32
        do {
            let app = try await SidecarApp(configuration: configuration, logger: logger, redactor: redactor)
            // Once serving, the pages only startup used are let go (BENCHMARKS.md, session 6).
            let releaseStartupPages: @Sendable (Int) async -> Void = { _ in
                await StartupPages.release(logger: logger)
            }
            status = once ? await app.runOnce() : try await app.run(onListening: releaseStartupPages)
        } catch let error as ConfigError {
            logger.critical("\(error.description)")
            throw ExitCode(ConfigError.exitStatus)
        }
        if status != 0 { throw ExitCode(status) }
    }
}

/// Loads the configuration; on a ``ConfigError`` prints it to stderr and exits 78.
func loadConfigurationOrExit(_ path: String?) async throws -> SidecarConfiguration {
    do {
        return try await SidecarConfiguration.load(configPath: path, environment: ProcessInfo.processInfo.environment)
    } catch {
        FileHandle.standardError.write(Data("wxsidecar: \(error.description)\n".utf8))
        throw ExitCode(ConfigError.exitStatus)
    }
}

/// The one root logger, configured from `log.*`, with secrets and tokens redacted from every line.
func makeRootLogger(_ configuration: SidecarConfiguration, redactor: Redactor? = nil) -> Logger {
    let redactor = redactor ?? Redactor(configuration)
    return Logger(label: "wxsidecar") { label in
        SidecarLogHandler(
            label: label, level: configuration.log.level, format: configuration.log.format, redactor: redactor)
    }
}
