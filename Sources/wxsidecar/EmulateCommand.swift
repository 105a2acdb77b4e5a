// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser

/// `wxsidecar emulate`: WeChat's side, for tests and local development. Without a subcommand it serves the API
/// emulator (`serve`), as it always did.
struct EmulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate",
        abstract: "Play WeChat: serve a fake api.weixin.qq.com (the default), or push messages to a server URL.",
        subcommands: [EmulateServeCommand.self, EmulatePushCommand.self],
        defaultSubcommand: EmulateServeCommand.self
    )
}
