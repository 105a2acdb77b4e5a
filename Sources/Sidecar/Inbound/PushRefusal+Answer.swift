// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import WeChatPush

extension PushRefusal {
    /// The HTTP status of the answer: 403 for what fails authentication (signature, replay window, appid, a key
    /// the account lacks), 413 for a body over the cap, 400 for the rest (malformed).
    var status: Int {
        switch label {
        case "bad_signature", "stale", "bad_appid", "no_key": 403
        case "too_large": 413
        default: 400
        }
    }

    /// The errcode of the JSON answer: the error codes of WeChat's own message-crypto samples (`WXBizMsgCrypt`),
    /// where one fits; -1 otherwise.
    var errcode: Int {
        switch label {
        case "bad_signature": -40001
        case "bad_xml", "doctype", "too_deep", "bad_json": -40002
        case "bad_key", "no_key": -40004
        case "bad_appid": -40005
        case "bad_ciphertext", "bad_padding": -40007
        case "bad_length": -40008
        case "bad_base64": -40010
        default: -1
        }
    }
}
