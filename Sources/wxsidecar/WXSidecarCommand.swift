// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Sidecar

/// `wxsidecar`: the command line. Each subcommand parses its options and hands over to the library.
@main
struct WXSidecarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wxsidecar",
        abstract: "Keeps a WeChat access_token fresh in a file and proxies whitelisted api.weixin.qq.com paths.",
        discussion: """
            Code written for WeChat Cloud Hosting runs unchanged: it reads the token file, or calls
            http://127.0.0.1:8098/<path> (or uses the sidecar as its HTTP proxy) without any token.
            """,
        version: SidecarVersion.current,
        subcommands: [
            RunCommand.self, ReloadCommand.self, CheckConfigCommand.self, CheckPushCommand.self, EmulateCommand.self,
            DevCommand.self,
            VersionCommand.self,
        ],
        defaultSubcommand: nil
    )
}

/// `wxsidecar version`.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")

    func run() {
        print("wxsidecar \(SidecarVersion.current)")
    }
}

/// `--config PATH`, shared by the commands that read a configuration.
struct ConfigOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The YAML configuration file.",
            discussion: "Default: $WXSIDECAR_CONFIG, else /etc/wxsidecar/wxsidecar.yaml (which may be absent).",
            valueName: "path"))
    var config: String?
}
