// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import WeChatPush

// libFuzzer target `push_envelope`: WeChatPush, what a push from WeChat goes through (the AES envelope, the XML,
// Cloud Hosting's JSON) and what the app's answer goes back through (the passive reply). Built by SwiftPM, not by
// swiftc alone (WeChatPush needs swift-crypto), from this folder (the target, its entry point, its references) and
// Fuzz/Support/Harness.swift. Input: a selector byte, then the body; the selector modulo 5 picks the check, and
// none of them may crash.
//   0 xml        PushXML.parse of the body: an accepted body is UTF-8 without NUL (so not UTF-16 or UTF-32) and has
//                no `<!DOCTYPE` outside comments, PIs and CDATA; PushXML.json of it is valid JSON (JSONSerialization)
//                whose top-level keys are the root's distinct child names, byte for byte, in document order. An
//                `Encrypt` child goes through check 1.
//   1 decrypt    PushCipher.decrypt of the body as text (the sample account's key and appid) accepts exactly when
//                the naive opening of its AES-CBC decryption finds that appid, and returns the same message.
//   2 forged     the same agreement for the body as the plaintext (cut to whole AES blocks), encrypted as it is: the
//                fuzzer steers the padding, the length field and the appid.
//   3 round trip decrypt(encrypt(m, random: r)) == m, r the body's first 16 bytes (zero-filled), m the rest; the
//                ciphertext is exactly the naive sealing of r, m and the appid; another appid refuses it.
//   4 reply      PassiveReply.xml(fromJSON:) of the body: an accepted reply is XML that PushXML.parse takes (check 0
//                holds for it) with a MsgType child; its encrypted envelope parses, its MsgSignature verifies and
//                its Encrypt decrypts to the reply.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPushEnvelope(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    switch input.selector % 5 {
    case 0: checkXML(input.body)
    case 1: checkDecrypt(String(decoding: input.body, as: UTF8.self))
    case 2: checkForgedPlaintext(input.body)
    case 3: checkRoundTrip(input.body)
    default: checkReply(input.body)
    }
    return 0
}

private func shown(_ bytes: [UInt8]) -> String {
    String(decoding: bytes.prefix(300), as: UTF8.self).debugDescription
}

// MARK: - 0 xml

private func checkXML(_ body: [UInt8], sizeLimit: Int = PushXML.defaultSizeLimit) {
    guard let root = try? PushXML.parse(body, sizeLimit: sizeLimit) else { return }
    guard !body.contains(0), String(validating: body, as: UTF8.self) != nil else {
        violated("an accepted body is UTF-8 without NUL (not UTF-16 or UTF-32)", shown(body))
    }
    guard !PushReference.declaresDoctype(body) else { violated("an accepted body declares no DOCTYPE", shown(body)) }

    let json = PushXML.json(root)
    guard (try? JSONSerialization.jsonObject(with: Data(json))) is [String: Any],
        let keys = PushReference.topLevelKeys(json)
    else { violated("PushXML.json is a JSON object", "\(shown(body)) → \(shown(json))") }
    var names: [[UInt8]] = []
    for child in root.children where !names.contains(Array(child.name.utf8)) { names.append(Array(child.name.utf8)) }
    guard keys == names else {
        violated("the JSON keys are the root's distinct child names in order", "\(shown(body)) → \(shown(json))")
    }
    if let encrypted = root["Encrypt"] { checkDecrypt(encrypted.text) }
}

// MARK: - 1 decrypt, 2 forged, 3 round trip

private func checkDecrypt(_ text: String) {
    let message = try? SampleAccount.cipher.decrypt(text)
    let expected = Data(base64Encoded: text).flatMap(PushReference.rawDecrypt).flatMap {
        PushReference.open($0, appID: SampleAccount.appID)
    }
    guard message == expected else {
        violated(
            "decrypt accepts exactly what opens to the account's appid, with the same message",
            "\(text.prefix(300).debugDescription): \(message?.count ?? -1) vs \(expected?.count ?? -1) bytes")
    }
}

private func checkForgedPlaintext(_ body: [UInt8]) {
    let plaintext = Array(body.prefix(body.count - body.count % 16))
    let message = try? SampleAccount.cipher.decrypt(PushReference.rawEncrypt(plaintext))
    let expected = PushReference.open(plaintext, appID: SampleAccount.appID)
    guard message == expected else {
        violated(
            "decrypt accepts exactly a plaintext that opens to the account's appid, with the same message",
            "\(shown(plaintext)): \(message?.count ?? -1) vs \(expected?.count ?? -1) bytes")
    }
}

private func checkRoundTrip(_ body: [UInt8]) {
    let random = Array(body.prefix(16)) + Array(repeating: 0, count: max(0, 16 - body.count))
    let message = Array(body.dropFirst(16))
    let encrypted = SampleAccount.cipher.encrypt(message, random: random)
    guard let ciphertext = Data(base64Encoded: encrypted),
        PushReference.rawDecrypt(ciphertext) == PushReference.sealed(message, random: random, appID: SampleAccount.appID)
    else { violated("encrypt seals random, length, message and appid, padded to 32", shown(body)) }
    guard (try? SampleAccount.cipher.decrypt(encrypted)) == message else {
        violated("decrypt(encrypt(m)) == m", shown(body))
    }
    guard (try? SampleAccount.otherAccount.decrypt(encrypted)) == nil else {
        violated("another appid's account refuses the envelope", shown(body))
    }
}

// MARK: - 4 reply

private let replyDefaults = PassiveReply.Defaults(toUserName: "oUser", fromUserName: "gh_account", createTime: 1_700_000_000)

private func checkReply(_ body: [UInt8]) {
    guard let xml = try? PassiveReply.xml(fromJSON: body, defaults: replyDefaults) else { return }
    guard let root = try? PushXML.parse(xml, sizeLimit: .max) else {
        violated("an accepted reply is XML that PushXML.parse takes", "\(shown(body)) → \(shown(xml))")
    }
    guard root["MsgType"] != nil else { violated("an accepted reply has a MsgType", "\(shown(body)) → \(shown(xml))") }
    checkXML(xml, sizeLimit: .max)

    let (timestamp, nonce) = ("1409735669", "1320562132")
    let envelope = PassiveReply.encryptedEnvelope(
        xml, cipher: SampleAccount.cipher, token: SampleAccount.token, timestamp: timestamp, nonce: nonce,
        random: Array("89465c840c5f116f".utf8))
    guard let sealed = try? PushXML.parse(envelope, sizeLimit: .max), let encrypted = sealed["Encrypt"]?.text else {
        violated("the encrypted reply is XML with an Encrypt", shown(envelope))
    }
    guard
        (try? PushSignature.verifyMessage(
            sealed["MsgSignature"]?.text, token: SampleAccount.token, timestamp: sealed["TimeStamp"]?.text ?? "",
            nonce: sealed["Nonce"]?.text ?? "", encrypted: encrypted)) != nil
    else { violated("the encrypted reply's MsgSignature verifies", shown(envelope)) }
    guard (try? SampleAccount.cipher.decrypt(encrypted)) == xml else {
        violated("the encrypted reply decrypts to the reply", shown(envelope))
    }
}
