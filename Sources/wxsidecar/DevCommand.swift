// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import Logging
import Sidecar
import WeChatEmulator

/// `wxsidecar dev`: the emulator and the sidecar together, no credentials needed.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run the WeChat emulator and the sidecar together with a generated dev configuration.",
        discussion: """
            Writes a configuration, a whitelist and an AppSecret under --dir, starts the emulator on a free
            port and the sidecar on --listen, and prints curl lines to try. The token file appears at
            <dir>/wx/cloudbase_access_token. The official account takes WeChat's message pushes on --inbound
            and forwards them to --app (run docs/push-handler.py there); `wxsidecar emulate push` sends them.
            Stop with Ctrl-C.
            """)

    @Option(help: ArgumentHelp("Folder for the dev configuration and the token file.", valueName: "dir"))
    var dir = ".wxsidecar-dev"

    @Option(help: ArgumentHelp("Where the sidecar listens.", valueName: "host:port"))
    var listen = "127.0.0.1:8098"

    @Option(help: ArgumentHelp("Where the sidecar takes WeChat's message pushes.", valueName: "host:port"))
    var inbound = "127.0.0.1:8099"

    @Option(help: ArgumentHelp("Where pushes are forwarded: the app (docs/push-handler.py listens there).", valueName: "url"))
    var app = "http://127.0.0.1:8080/wechat/message"

    func run() async throws {
        let root = URL(fileURLWithPath: dir).standardizedFileURL.path
        var logger = Logger(label: "wxsidecar.dev")
        logger.logLevel = .info
        var emulatorConfiguration = EmulatorConfiguration(otherAccounts: [DevFiles.officialAccount])
        let security = try DevApiSecurity(appid: emulatorConfiguration.appid)
        emulatorConfiguration.apiSecurity = [try security.emulator()]
        let emulator = WeChatEmulator(configuration: emulatorConfiguration, logger: logger)
        let emulatorTask = Task { try await emulator.run() }
        let emulatorPort = try await emulator.waitUntilListening()
        let configPath = try DevFiles.write(
            root: root, listen: listen, emulatorPort: emulatorPort, appid: emulatorConfiguration.appid,
            secret: emulatorConfiguration.secret, inbound: inbound, app: app, security: security)
        let configuration = try await loadConfigurationOrExit(configPath)
        let redactor = Redactor(configuration)
        let rootLogger = makeRootLogger(configuration, redactor: redactor)
        let app = try await SidecarApp(configuration: configuration, logger: rootLogger, redactor: redactor)
        let accounts = app.accounts
        let inboundPort = PortWait()
        let command = CommandLine.arguments.first ?? "wxsidecar"
        let status = try await app.run(
            onListening: { port in
                Task {
                    for account in accounts.all { await account.tokens.waitForToken() }
                    let pushes = "http://\(configuration.inbound?.listen.host ?? "127.0.0.1"):\(await inboundPort.value)"
                    // Written unbuffered: seen at once also when stdout is a pipe.
                    let text = DevFiles.instructions(
                        root: root, host: configuration.listen.host, port: port, emulatorPort: emulatorPort)
                        + DevFiles.pushInstructions(root: root, inbound: pushes, app: self.app, command: command)
                    FileHandle.standardOutput.write(Data((text + "\n").utf8))
                }
            },
            onInboundListening: { await inboundPort.set($0) })
        emulatorTask.cancel()
        _ = await emulatorTask.result
        if status != 0 { throw ExitCode(status) }
    }
}

/// A port told once by one task and awaited by others.
actor PortWait {
    private var port: Int?
    private var waiting: [CheckedContinuation<Int, Never>] = []

    func set(_ port: Int) {
        self.port = port
        for continuation in waiting { continuation.resume(returning: port) }
        waiting = []
    }

    var value: Int {
        get async {
            if let port { return port }
            return await withCheckedContinuation { waiting.append($0) }
        }
    }
}

/// The files `wxsidecar dev` writes and what it prints.
enum DevFiles {
    /// The second dev account: an official account (JS-SDK tickets) the emulator also serves.
    static let officialAccount = EmulatorAccount(appid: "wxfedcba9876543210", secret: "news-emulator-secret")

    /// Writes `wxsidecar.yaml`, `whitelist.txt` and one AppSecret file per account under `root`: a mini program
    /// (`shop`, the default) and an official account (`news`); returns the config path.
    static func write(
        root: String, listen: String, emulatorPort: Int, appid: String, secret: String, inbound: String, app: String,
        security: DevApiSecurity
    ) throws -> String {
        let manager = FileManager.default
        let news = officialAccount
        try manager.createDirectory(atPath: root + "/wx/" + news.appid, withIntermediateDirectories: true)
        let secrets = [
            ("appsecret", secret), ("news.secret", news.secret),
            ("news.message-token", randomText(16, alphabet: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")),
            ("news.message-aes-key", randomText(43, alphabet: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")),
            ("shop.api-symmetric-key", security.symmetricKey), ("shop.api-private-key.pem", security.appPrivateKeyPEM),
            ("wechat-platform.cer", security.platformCertificatePEM),
        ]
        for (file, value) in secrets {
            try Data((value + "\n").utf8).write(to: URL(fileURLWithPath: root + "/" + file))
            chmod(root + "/" + file, 0o600)
        }
        let whitelist = """
            # Paths the dev sidecar forwards (one per line, as in the Cloud Hosting console).
            /wxa/msg_sec_check
            /wxa/getwxacode
            /tcb/invokecloudfunction
            /cgi-bin/ticket/getticket
            /wxa/getuserriskrank

            """
        try Data(whitelist.utf8).write(to: URL(fileURLWithPath: root + "/whitelist.txt"))
        let config = """
            # Generated by `wxsidecar dev`: the sidecar against the built-in emulator, with two accounts.
            accounts:
              shop:                      # the default: calls without from_appid
                appid: "\(appid)"
                kind: miniprogram
                secret_file: "\(root)/appsecret"
                token:
                  file: "\(root)/wx/cloudbase_access_token"
                  metadata_file: "\(root)/wx/cloudbase_access_token.json"
                api_security:            # calls to api_security.paths are signed and encrypted (docs/api-security.md)
                  symmetric_key_file: "\(root)/shop.api-symmetric-key"
                  symmetric_sn: \(DevApiSecurity.symmetricSN)
                  private_key_file: "\(root)/shop.api-private-key.pem"
                  private_key_sn: \(DevApiSecurity.appKeySN)
                  certificate_files:
                    \(DevApiSecurity.platformSN): "\(root)/wechat-platform.cer"
              news:                      # calls with from_appid=\(news.appid)
                appid: "\(news.appid)"
                kind: officialaccount    # keeps the jsapi and wx_card tickets
                secret_file: "\(root)/news.secret"
                token:
                  file: "\(root)/wx/\(news.appid)/cloudbase_access_token"
                ticket_files:
                  jsapi: "\(root)/wx/\(news.appid)/jsapi_ticket"
                message:                 # WeChat's pushes: server URL <inbound>/wechat/\(news.appid), safe mode
                  forward_to: "\(app)"
                  token_file: "\(root)/news.message-token"
                  encoding_aes_key_file: "\(root)/news.message-aes-key"
            inbound:
              listen: "\(inbound)"
            listen: "\(listen)"
            upstream:
              base_url: "http://127.0.0.1:\(emulatorPort)"
              timeout: 10
            token:
              mode: "stable"
              file_mode: "0640"
              refresh_interval: 600
            whitelist:
              file: "\(root)/whitelist.txt"
            log:
              level: "info"
              format: "text"

            """
        let path = root + "/wxsidecar.yaml"
        try Data(config.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `count` random characters of `alphabet` (the dev message Token and EncodingAESKey).
    static func randomText(_ count: Int, alphabet: String) -> String {
        let characters = Array(alphabet)
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in characters[Int.random(in: 0..<characters.count, using: &generator)] })
    }

    /// How to try the message push loop: the sample app, then WeChat's pushes from the emulator.
    static func pushInstructions(root: String, inbound: String, app: String, command: String) -> String {
        let news = officialAccount.appid
        let push = "\(command) emulate push --url \(inbound)/wechat/\(news) --token-file \(root)/news.message-token --aes-key-file \(root)/news.message-aes-key"
        return """
            Message push (news; in WeChat's console terms: server URL \(inbound)/wechat/\(news), Token in
            \(root)/news.message-token, EncodingAESKey in \(root)/news.message-aes-key, safe mode):
              python3 docs/push-handler.py \(URLComponents(string: app)?.port ?? 8080) &   # the app, on \(app)
              \(push) --content hello
              \(push) --kind event-subscribe
              \(push) --retries 3 --retry-interval 1        # WeChat's retries: the app sees it once
              \(push) --verify                              # the URL check WeChat runs when you save the URL

            """
    }

    static func instructions(root: String, host: String, port: Int, emulatorPort: Int) -> String {
        let base = "http://\(host):\(port)"
        let news = officialAccount.appid
        return """

            wxsidecar dev is up: sidecar on \(base), WeChat emulator on http://127.0.0.1:\(emulatorPort)
            Accounts: shop (mini program, the default)  news (official account, appid \(news))
            Token files: \(root)/wx/cloudbase_access_token  \(root)/wx/\(news)/cloudbase_access_token
                         (cat them: exactly the token, no newline)

            Try as shop (no token needed, the sidecar appends it):
              curl -s -X POST '\(base)/wxa/msg_sec_check' -H 'Content-Type: application/json' \\
                   -d '{"version":2,"openid":"o1","scene":1,"content":"hello"}'
              curl -s -o code.jpg -X POST '\(base)/wxa/getwxacode' -d '{"path":"pages/index","width":430}'
              curl -s -X POST '\(base)/tcb/invokecloudfunction?env=dev-env&name=hello' -d '{"x":1}'
              curl -s -x \(base) -X POST 'http://api.weixin.qq.com/wxa/msg_sec_check' -d '{"content":"hi"}'
              curl -s '\(base)/cgi-bin/user/info'          # not whitelisted: 85107
              curl -s -X POST '\(base)/wxa/getuserriskrank' -d '{"openid":"o1","scene":0,"client_ip":"127.0.0.1"}'
                                                           # signed and encrypted on the way (api_security), plain here
            Try as news (from_appid chooses the account; the sidecar removes it):
              curl -s -X POST '\(base)/wxa/msg_sec_check?from_appid=\(news)' -d '{"version":2,"openid":"o1","scene":1,"content":"hi"}'
              curl -s '\(base)/cgi-bin/ticket/getticket?type=jsapi&from_appid=\(news)'   # from the sidecar's cache
              curl -s -X POST '\(base)/-/jssdk/signature' -d '{"url":"https://example.com/page","appid":"\(news)"}'
            And:
              curl -s -X POST '\(base)/-/token/refresh' -d "{\\"stale\\":\\"$(cat \(root)/wx/cloudbase_access_token)\\"}"
              curl -s '\(base)/-/status'                   # every account: token fingerprint, expiry, tickets
            Config: \(root)/wxsidecar.yaml   Whitelist (edit it live): \(root)/whitelist.txt

            """
    }
}
