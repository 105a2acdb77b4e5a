// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import SidecarCore
import WeChatPush

extension SidecarConfiguration {
    /// `inbound.*`: the listener WeChat's message pushes arrive on. Off unless `inbound.listen` is set.
    public struct Inbound: Sendable {
        /// `inbound.listen`: host:port (or unix:/path) facing WeChat through the operator's ingress.
        public var listen: ListenAddress
        /// `inbound.replay_window`: a push whose `timestamp` is further than this from now is refused.
        public var replayWindow: Double = 300
        /// `inbound.max_body_bytes`: the largest push body accepted.
        public var maxBodyBytes: Int = PushXML.defaultSizeLimit
    }

    /// `accounts.<name>.message.*`: where this account's pushes arrive and where they go.
    public struct Message: Sendable {
        /// `message.path`: the path on the inbound listener (the "server URL" in WeChat's console ends with it).
        public var path: String
        /// `message.token`: the Token from the console. Never printed.
        public var token: Secret
        /// `message.encoding_aes_key`: the EncodingAESKey, for compatible and safe modes. Never printed.
        public var encodingAESKey: Secret?
        /// `message.forward_to`: the app's URL.
        public var forwardTo: String
        /// `message.format`: what the app receives.
        public var format: MessageFormat
        /// `message.reply_timeout`: how long WeChat's request waits for the app before `success` is answered.
        public var replyTimeout: Double
    }

    /// `message.format`.
    public enum MessageFormat: String, Sendable {
        /// Cloud Hosting's shape: the XML element names as JSON keys.
        case json
        /// The decrypted message as WeChat sent it.
        case xml
    }

    // MARK: Loading

    /// `inbound.*`, or `nil` when `inbound.listen` is unset. Every account with a `message` needs it, and it
    /// needs an account with one.
    static func loadInbound(_ values: ConfigValues, accounts: [Account]) throws(ConfigError) -> Inbound? {
        let withMessage = accounts.filter { $0.message != nil }
        guard values.string("inbound.listen") != nil else {
            if let account = withMessage.first {
                throw ConfigError(key: "inbound.listen", source: values.source(of: "inbound.listen"),
                    message: "is required because \(account.keyPrefix)message.forward_to is set: give the address WeChat's pushes arrive on, e.g. 0.0.0.0:8081")
            }
            return nil
        }
        let listen = try values.value("inbound.listen", default: ListenAddress(host: "127.0.0.1", port: 8081),
            expected: "must be host:port (e.g. 0.0.0.0:8081) with a port from 0 to 65535, or unix:/absolute/path.sock",
            ListenAddress.init(parsing:))
        guard !withMessage.isEmpty else {
            throw ConfigError(key: "inbound.listen", source: values.source(of: "inbound.listen"),
                message: "is set but no account has message.forward_to: say where each account's pushes go, or remove inbound.listen")
        }
        var inbound = Inbound(listen: listen)
        inbound.replayWindow = try values.value("inbound.replay_window", default: 300.0,
            expected: "must be a duration from 10 seconds to 1 hour, e.g. 300 or 5m") { text in
                Seconds.parse(text).flatMap { (10...3600).contains($0) ? $0 : nil }
            }
        inbound.maxBodyBytes = try values.value("inbound.max_body_bytes", default: PushXML.defaultSizeLimit,
            expected: "must be a whole number of bytes from 1024 to 1048576") { text in
                Int(text).flatMap { (1024...1_048_576).contains($0) ? $0 : nil }
            }
        var paths: [String: String] = [:]
        for account in withMessage {
            guard let path = account.message?.path else { continue }
            if let other = paths[path] {
                let key = account.keyPrefix + "message.path"
                throw ConfigError(key: key, source: values.source(of: key),
                    message: "\(path) is already account \(other)'s push path; give each account its own")
            }
            paths[path] = account.name
        }
        return inbound
    }

    /// An account's `message.*`, or `nil` when `message.forward_to` is unset (then no other `message.*` key may be).
    static func loadMessage(_ values: ConfigValues, prefix: String, name: String, appid: String) async throws(ConfigError)
        -> Message?
    {
        let forwardKey = prefix + "message.forward_to"
        guard let forwardText = values.string(forwardKey) else {
            for suffix in ["path", "format", "reply_timeout", "token_file", "encoding_aes_key_file"]
            where values.string(prefix + "message." + suffix) != nil {
                throw ConfigError(key: forwardKey, source: values.source(of: forwardKey),
                    message: "is required when \(prefix)message.\(suffix) is set: give the app's URL, e.g. http://127.0.0.1:8080/wechat/message")
            }
            return nil
        }
        guard let forwardTo = ForwardURL.parse(forwardText.trimmingWhitespace()) else {
            throw ConfigError(key: forwardKey, source: values.source(of: forwardKey),
                message: "must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:8080/wechat/message, got \"\(forwardText)\"")
        }
        let path = try values.value(prefix + "message.path", default: "/wechat/\(appid)",
            expected: "must be an absolute path of letters, digits and - _ . / (no query), e.g. /wechat/\(appid)", ForwardURL.pushPath)
        let format = try values.value(prefix + "message.format", default: MessageFormat.json,
            expected: "must be \"json\" (Cloud Hosting's shape) or \"xml\" (as WeChat sent it)") { MessageFormat(rawValue: $0.lowercased()) }
        let replyTimeout = try values.value(prefix + "message.reply_timeout", default: 4.5,
            expected: "must be a duration from 0.1 to 4.9 seconds (WeChat waits 5 s), e.g. 4.5 or 4500ms") { text in
                Seconds.parse(text).flatMap { (0.1...4.9).contains($0) ? $0 : nil }
            }
        let token = try await SecretSource.read(
            values, key: prefix + "message.token", credential: prefix.isEmpty ? "message-token" : "message-token-\(name)",
            what: "the message Token (the Token set in WeChat's console, 3 to 32 letters and digits)", required: true)
        guard let token, (3...32).contains(token.value.utf8.count),
            token.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else {
            throw ConfigError(key: prefix + "message.token_file", source: token?.origin ?? "default",
                message: "the message Token must be 3 to 32 letters and digits, as WeChat's console requires")
        }
        let aesKey = try await SecretSource.read(
            values, key: prefix + "message.encoding_aes_key",
            credential: prefix.isEmpty ? "message-aes-key" : "message-aes-key-\(name)",
            what: "the EncodingAESKey (43 characters, from WeChat's console)", required: false)
        if let aesKey {
            do {
                _ = try EncodingAESKey(aesKey.value)
            } catch {
                throw ConfigError(key: prefix + "message.encoding_aes_key_file", source: aesKey.origin,
                    message: "the EncodingAESKey must be the 43 characters of Base64 shown in WeChat's console")
            }
        }
        return Message(path: path, token: token, encodingAESKey: aesKey, forwardTo: forwardTo, format: format,
            replyTimeout: replyTimeout)
    }
}

/// `message.forward_to` and `message.path`.
enum ForwardURL {
    /// The URL when it is http(s) with a host; the path and query are kept.
    static func parse(_ text: String) -> String? {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            rest = text.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            rest = text.dropFirst(7)
        } else {
            return nil
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        guard !authority.isEmpty, !authority.contains("@"), !text.contains(where: { $0.isWhitespace || $0 == "#" }),
            authority.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.:[]".contains($0)) })
        else { return nil }
        return text
    }

    /// A push path: `/` then letters, digits, `-`, `_`, `.`, `/`; no `..` segment.
    static func pushPath(_ text: String) -> String? {
        guard text.hasPrefix("/"), text.utf8.count <= 256, !text.contains("//"),
            !text.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }),
            text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_./".contains($0)) })
        else { return nil }
        return text
    }
}
