// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// Published examples of WeChat's push envelope, from implementations nobody here wrote. Every value was checked
/// independently with Python's `hashlib` and `cryptography` (AES-256-CBC, no padding) and `openssl enc
/// -aes-256-cbc -nopad`; the decrypted texts below are what those tools produced.
public enum PushVectors {
    /// Tencent's official message encryption sample for official accounts (`cryptoDemo.zip`, linked from the
    /// "消息加解密说明" page, wximg.gtimg.com/shake_tv/mpwiki/cryptoDemo.zip), Python `Sample.py`, decryption part.
    /// `urlSignature` is not in the sample: SHA-1 of sorted (token, timestamp, nonce), computed with `hashlib`.
    public enum OfficialAccount {
        public static let token = "spamtest"
        public static let encodingAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
        public static let appID = "wx2c2769f8efd9abc2"
        public static let timestamp = "1409735669"
        public static let nonce = "1320562132"
        public static let msgSignature = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
        public static let urlSignature = "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a"
        public static let encrypt =
            "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9"
            + "FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VT"
            + "jg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgC"
            + "SUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9G"
            + "hglF2PE="
        /// The 16 bytes in front, as decrypted: ASCII `89465c840c5f116f`.
        public static let random = Array("89465c840c5f116f".utf8)
        /// The message inside, as decrypted (2 bytes of padding).
        public static let message = """
            <xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>
            <FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>
            <CreateTime>1409735668</CreateTime>
            <MsgType><![CDATA[text]]></MsgType>
            <Content><![CDATA[abcdteT]]></Content>
            <MsgId>6054768590064713728</MsgId>
            </xml>
            """
    }

    /// The same `cryptoDemo.zip`, Java `WXBizMsgCryptTest.java`: encryption with a fixed random prefix.
    public enum FixedPrefix {
        public static let token = "pamtest"
        public static let encodingAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
        public static let appID = "wxb11529c136998cb6"
        public static let random = Array("aaaabbbbccccdddd".utf8)
        public static let message = "我是中文abcd123"
        public static let encrypt = "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
        public static let message2 =
            "<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA["
            + "gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType>"
            + "<Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId>"
            + "<Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]>"
            + "</Description></Video></xml>"
        public static let encrypt2 =
            "jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweIm"
            + "X9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+"
            + "UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0"
            + "nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdf"
            + "akjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqm"
            + "A7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQ"
            + "DajPkdPrEeOwofJb"
    }

    /// Tencent's WXBizMsgCrypt sample for WeCom (企业微信), C# `Sample.cs`: another key (whose last character,
    /// `C`, carries non-zero left-over bits) and 30 bytes of padding.
    public enum WeCom {
        public static let token = "QDG6eK"
        public static let encodingAESKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
        public static let appID = "wx5823bf96d3bd56c7"
        public static let timestamp = "1409659813"
        public static let nonce = "1372623149"
        public static let msgSignature = "477715d11cdb4164915debcba66cb864d751f3e6"
        public static let encrypt =
            "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/s"
            + "YYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJ"
            + "YuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGU"
            + "callcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDY"
            + "A5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
        public static let random = Array("0960688932c47ef1".utf8)
        public static let message = """
            <xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>
            <FromUserName><![CDATA[mycreate]]></FromUserName>
            <CreateTime>1409659813</CreateTime>
            <MsgType><![CDATA[text]]></MsgType>
            <Content><![CDATA[hello]]></Content>
            <MsgId>4561255354251345929</MsgId>
            <AgentID>218</AgentID>
            </xml>
            """
    }
}
