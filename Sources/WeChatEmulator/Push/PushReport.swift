// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CurlClient
import WeChatPush

/// The human-readable account of sends and verifications that `wxsidecar emulate push` prints. Never shows the
/// token or the key.
public enum PushReport {
    /// `push N/M: HTTP 200, …` and, for a passive reply, its elements one a line.
    public static func describe(_ outcome: Result<PushResult, CurlError>, index: Int, count: Int) -> String {
        let head = "push \(index + 1)/\(count): "
        let result: PushResult
        switch outcome {
        case .failure(let error): return head + "no answer (\(error.description))"
        case .success(let success): result = success
        }
        let status = "HTTP \(result.status)"
        switch result.reply {
        case .success(.none):
            return head + status + ", no reply (" + (result.body.isEmpty ? "empty" : "success") + ")"
        case .success(.message(let reply)):
            let how = reply.wasEncrypted ? "encrypted reply, MsgSignature verified" : "plaintext reply"
            return head + status + ", " + how + ":\n" + tree(reply.root.children, indent: "  ")
        case .failure(let error):
            return head + status + ", " + error.description + "\n  answer: " + excerpt(result.body)
        }
    }

    /// `URL verification: …` with whether the echostr came back.
    public static func describe(_ verification: URLVerification) -> String {
        let head = "URL verification: HTTP \(verification.status), "
        if verification.succeeded { return head + "answered the echostr: the server URL is accepted" }
        return head + "did not answer the echostr \(verification.echostr) (answered: \(excerpt(verification.body)))"
    }

    /// Whether `outcome` fails the run: no answer, a status other than 200, or a reply that does not read.
    public static func isFailure(_ outcome: Result<PushResult, CurlError>) -> Bool {
        guard case .success(let result) = outcome else { return true }
        return !result.isAccepted
    }

    // MARK: - Parts

    /// `Name: text` lines, children indented below their parent.
    private static func tree(_ elements: [PushXMLElement], indent: String) -> String {
        elements.map { element in
            element.children.isEmpty
                ? indent + element.name + ": " + element.text
                : indent + element.name + ":\n" + tree(element.children, indent: indent + "  ")
        }.joined(separator: "\n")
    }

    /// The body as one line of text (line breaks as spaces), cut at 200 characters.
    private static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body, as: UTF8.self).map { $0.isNewline ? " " : String($0) }.joined()
        return text.count > 200 ? "\"\(text.prefix(200))…\"" : "\"\(text)\""
    }
}
