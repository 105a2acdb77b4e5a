// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import CurlClient
import Foundation
import Logging
import WeChatEmulator
import WeChatPush

/// `wxsidecar emulate push`: sends one push (or the URL verification) to a server URL as WeChat does.
struct EmulatePushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Push a message or an event to a server URL as WeChat does, and print the answers.",
        discussion: """
            Signs the push with the message Token (--token-file or WXSIDECAR_PUSH_TOKEN) and, in compatible and \
            safe modes, encrypts it with the EncodingAESKey (--aes-key-file or WXSIDECAR_PUSH_AES_KEY). Prints each \
            send's status and the reply (an encrypted reply is verified and decrypted). --retries sends the same \
            push again, --retry-interval seconds apart (0: all at once). Exit status 1 when an answer is not a \
            200 with a readable reply (a reply whose MsgSignature does not verify included) or the verification \
            fails. Never prints the token or the key.
            """)

    @Option(help: ArgumentHelp("The account's server URL.", valueName: "url"))
    var url: String

    @Option(help: ArgumentHelp("The account's appid (default: the URL's last segment when it starts with wx)."))
    var appid: String?

    @Option(help: ArgumentHelp("File holding the message Token (or set WXSIDECAR_PUSH_TOKEN).", valueName: "file"))
    var tokenFile: String?

    @Option(
        help: ArgumentHelp(
            "File holding the 43-character EncodingAESKey (or set WXSIDECAR_PUSH_AES_KEY).", valueName: "file"))
    var aesKeyFile: String?

    @Option(help: ArgumentHelp("plaintext, compatible or safe (default: safe).", valueName: "mode"), transform: Self.parse)
    var mode = PushMode.safe

    @Option(help: ArgumentHelp("xml (the default), or json (mini programs).", valueName: "format"), transform: Self.parse)
    var format = PushFormat.xml

    @Option(
        help: ArgumentHelp(
            "What to push (default: text): \(PushKind.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "kind"),
        transform: Self.parse)
    var kind = PushKind.text

    @Option(help: "The Content of a text message.")
    var content = "hello"

    @Option(help: ArgumentHelp("ToUserName: the account's original id.", valueName: "gh_id"))
    var originalID = "gh_0123456789ab"

    @Option(help: "FromUserName: the user's openid.")
    var openid = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"

    @Option(help: ArgumentHelp("Send the same push this many more times.", valueName: "N"))
    var retries = 0

    @Option(help: ArgumentHelp("Seconds between the starts of two sends; 0 sends all at once.", valueName: "seconds"))
    var retryInterval = 5.0

    @Option(help: ArgumentHelp("Seconds each send waits for the answer (WeChat waits 5).", valueName: "seconds"))
    var timeout = 5.0

    @Flag(help: "Send the URL verification (GET with echostr) instead of a push.")
    var verify = false

    func validate() throws {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ValidationError("--url must be an http:// or https:// URL")
        }
        guard retries >= 0, retryInterval >= 0, timeout > 0 else {
            throw ValidationError("--retries and --retry-interval must not be negative, --timeout must be positive")
        }
        if mode.encrypts && !verify && appID == nil {
            throw ValidationError("\(mode) mode seals the appid inside the push: give --appid")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let token = try Self.secret(file: tokenFile, environment: environment["WXSIDECAR_PUSH_TOKEN"]) else {
            throw ValidationError("the message Token is needed: --token-file or WXSIDECAR_PUSH_TOKEN")
        }
        let keyText = try Self.secret(file: aesKeyFile, environment: environment["WXSIDECAR_PUSH_AES_KEY"])
        if mode.encrypts && !verify && keyText == nil {
            throw ValidationError("\(mode) mode needs the EncodingAESKey: --aes-key-file or WXSIDECAR_PUSH_AES_KEY")
        }
        let target = PushTarget(
            serverURL: url, appID: appID ?? "", token: token, aesKey: try keyText.map { try EncodingAESKey($0) })
        var logger = Logger(label: "wxsidecar.push")
        logger.logLevel = .warning
        let http = try CurlClient(logger: logger)
        defer { http.shutdown() }
        let client = PushClient(target: target, http: http, timeout: .milliseconds(Int64(timeout * 1000)))
        if verify {
            let verification = try await client.verifyURL()
            print(PushReport.describe(verification))
            if !verification.succeeded { throw ExitCode.failure }
            return
        }
        let message = PushMessage.sample(kind, toUserName: originalID, fromUserName: openid, content: content)
        let push = try SignedPush(message, for: target, mode: mode, format: format)
        print("pushing \(kind) (\(mode) mode, \(format)\(message.msgID.map { ", MsgId \($0)" } ?? "")) to \(url)")
        let outcomes = await client.send(
            push, retries: PushRetries(count: retries, interval: .milliseconds(Int64(retryInterval * 1000))))
        for (index, outcome) in outcomes.enumerated() {
            print(PushReport.describe(outcome, index: index, count: outcomes.count))
        }
        if outcomes.contains(where: PushReport.isFailure) { throw ExitCode.failure }
    }

    // MARK: - Inputs

    /// `--appid`, or the URL's last path segment when it looks like an appid.
    private var appID: String? {
        if let appid { return appid }
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        guard let last = path.split(separator: "/").last, last.hasPrefix("wx") else { return nil }
        return String(last)
    }

    /// The file's content (trimmed), else the environment's value; `nil` when neither is given.
    private static func secret(file: String?, environment: String?) throws -> String? {
        guard let file else { return environment?.trimmingCharacters(in: .whitespacesAndNewlines) }
        do {
            return try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw ValidationError("cannot read \(file)")
        }
    }

    /// One of the values of `T`, named by its raw value.
    private static func parse<T: RawRepresentable & CaseIterable>(_ text: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            throw ValidationError("\"\(text)\" is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
