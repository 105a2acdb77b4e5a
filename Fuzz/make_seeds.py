#!/usr/bin/env python3
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
"""Writes the committed seed corpus, Fuzz/corpus/<target>/: run it again after changing the lists below.

Input layouts (see Fuzz/Targets): request_path = selector byte, whitelist, NUL, target, NUL, token;
whitelist_parser = the file; query_rewrite = selector byte, query, NUL, token; push_envelope = selector byte
(0 xml, 1 decrypt, 2 forged plaintext, 3 round trip, 4 reply), body.
"""
import hashlib
import os

HERE = os.path.dirname(os.path.abspath(__file__))

WHITELISTS = [
    "/wxa/msg_sec_check\n/wxa/getwxacode\n/tcb/invokecloudfunction\n/echo/*\n",
    "/*\n",
    "# comment\n\n/wxa/*\n/cgi-bin/token\n",
    "\ufeff/a/b\r\n/a/c/*\r\n",
    "/\n/cgi-bin/stable_token/\n",
]

TARGETS = [
    "/wxa/msg_sec_check", "/wxa/msg_sec_check?x=1", "/tcb/invokecloudfunction?env=e&name=n",
    "/echo/a/b?access_token=x&cloudbase_access_token=y", "/", "/echo/", "/echo", "/wxa/", "/wxa/getwxacode/",
    "http://api.weixin.qq.com/wxa/msg_sec_check?x=1", "http://API.WEIXIN.QQ.COM:80/echo/x", "http://api.weixin.qq.com",
    "http://api.weixin.qq.com?x", "http://api.weixin.qq.com:0080/echo/x",
    # attacks (as in Tests/SidecarTests/Proxy/PathAttackTests.swift)
    "/wxa/msg_sec_check/../../cgi-bin/user/info", "/echo/../cgi-bin/user/info", "/echo/./../cgi-bin/token",
    "/echo/%2e%2e/cgi-bin/user/info", "/echo/.%2e/cgi-bin/user/info", "/echo%2f..%2fcgi-bin/user/info",
    "/echo/..\\cgi-bin/user/info", "//cgi-bin/user/info", "/./cgi-bin/user/info", "/echo/..", "/echo/.",
    "/wxa/msg_sec_check;/../../cgi-bin/user/info", "/wxa/msg_sec_check%00", "/WXA/MSG_SEC_CHECK",
    "/cgi-bin/token?grant_type=client_credential", "/cgi-bin/stable_token", "/cgi-bin/Token", "/cgi-bin/token/",
    "http://api.weixin.qq.com@evil.com/echo/x", "http://evil.com/echo/x", "http://evil.com@api.weixin.qq.com/x",
    "http://api.weixin.qq.com/echo/../cgi-bin/user/info", "http://api.weixin.qq.com:443/echo/x",
    "https://api.weixin.qq.com/echo/x", "ftp://api.weixin.qq.com/echo/x", "api.weixin.qq.com:443", "echo/x", "*",
    "/echo/x#/../../cgi-bin/user/info", "/echo/\x7fx", "/echo/\u00e9", "/echo/x?a=\r\nb", "/echo/x?a b",
    "/echo/..;/cgi-bin/user/info", "/" + "echo/" * 210 + "x", "/echo/~!$&'()*+,=:@x",
]

QUERIES = [
    "", "a=1", "a=1&b=2", "access_token=x", "cloudbase_access_token=abc&x=1", "access%5Ftoken=x&y",
    "access%255Ftoken=x", "ACCESS_TOKEN=x", "a=1&&b=2&", "&&&", "access_token", "access_token=&access_token=2",
    "x=%zz&access%5ftoken=1", "cloudbase%5Faccess%5Ftoken=1", "a=1=2&b", "env=e&name=n",
]

TOKENS = ["", "ABC-def_123", "tok en", "t%ke/n", "\u00e9"]


def write(target, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


for i, whitelist in enumerate(WHITELISTS):
    for j, target in enumerate(TARGETS):
        token = TOKENS[(i + j) % len(TOKENS)]
        write("request_path", bytes([i + j]) + whitelist.encode() + b"\0" + target.encode() + b"\0" + token.encode())
for whitelist in WHITELISTS + [
    "", "# only a comment\n", "wxa/relative\n", "/a b\n", "/a/../b\n", "/a//b\n", "/a/%2e\n", "/a?b\n", "/a#b\n",
    "/a\\b\n", "/a;b\n", "/a/*/b\n", "/a*\n", "/a/.\n", "/a/./b\n", "/\u00e9\n", "/a\tb\n", "  # indented comment\n",
    "\t\n \n", "/" + "a" * 1100 + "\n", "/a\r\n/b\r\n", "/a\r\r\n",
]:
    write("whitelist_parser", whitelist.encode())
for i, query in enumerate(QUERIES):
    for j, token in enumerate(TOKENS):
        write("query_rewrite", bytes([i * len(TOKENS) + j]) + query.encode() + b"\0" + token.encode())


# push_envelope: Tencent's sample account (Tests/TestSupport/PushVectors.swift), whose key and appid the target uses.
OA_APPID = b"wx2c2769f8efd9abc2"
OA_RANDOM = b"89465c840c5f116f"
OA_MESSAGE = (
    "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n"
    "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n"
    "<CreateTime>1409735668</CreateTime>\n"
    "<MsgType><![CDATA[text]]></MsgType>\n"
    "<Content><![CDATA[abcdteT]]></Content>\n"
    "<MsgId>6054768590064713728</MsgId>\n"
    "</xml>"
)
OA_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9"
    "FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VT"
    "jg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgC"
    "SUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9G"
    "hglF2PE="
)
HEAD = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName>" \
    "<CreateTime>1409735668</CreateTime>"
PUSHES = [
    OA_MESSAGE,
    HEAD + "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>"
    "<EventKey><![CDATA[qrscene_123]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket></xml>",
    HEAD + "<MsgType><![CDATA[location]]></MsgType><Location_X>23.134521</Location_X><Location_Y>-113.358803"
    "</Location_Y><Scale>20</Scale><Label><![CDATA[\u4f4d\u7f6e\u4fe1\u606f]]></Label><MsgId>1234567890123456</MsgId></xml>",
    HEAD + "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[pic_sysphoto]]></Event><SendPicsInfo><Count>2</Count>"
    "<PicList><item><PicMd5Sum><![CDATA[1b5f7c23b5bf75682a53e7b6d163e185]]></PicMd5Sum></item><item><PicMd5Sum>"
    "<![CDATA[b2]]></PicMd5Sum></item></PicList></SendPicsInfo><A/><A>x &amp; &lt;y&gt;</A></xml>",
    "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[" + OA_ENCRYPT + "]]></Encrypt></xml>",
    '<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment -->\n' + OA_MESSAGE + "\n<!-- after -->",
    "\ufeff" + OA_MESSAGE,
    '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>',
    "<xml><Content><![CDATA[<!DOCTYPE is text here]]></Content></xml>",
    "<xml>text<Mixed/></xml>",
    # Refused since the fuzzer found them (Tests/WeChatPushTests): a processing instruction without data (a NULL
    # read in XMLParser), names that differ only in Unicode normalization (were merged into one JSON key).
    "<?d?><xml/>",
    "<xml><\u00e9>1</\u00e9><e\u0301>2</e\u0301></xml>",
]
# Not UTF-8 (refused since the fuzzer found them): UTF-16 with a DOCTYPE, which passed the prolog check; UTF-32 and
# declared encodings, where libxml2 crashed when stopped at an error; bytes that are not UTF-8 in a name.
PUSH_BYTES = [
    b"\xff\xfe" + '<!DOCTYPE a [<!ENTITY e "x">]><xml><A>&e;</A></xml>'.encode("utf-16-le"),
    b"\x00\x00\x00<l>_[",
    b'<?xml version="1.0" encoding="EUC-JP"?><xml><A>\xff\xfe\x00<\x80\xe7A</A></xml>',
    b"<xml>text<Mix\xe7\xe7\xe7\xe7ed/></xml>",
]
CIPHERTEXTS = [
    OA_ENCRYPT,
    OA_ENCRYPT[:-8] + "AAAAAAA=",
    # Tencent's Java sample (another appid: refused) and the WeCom sample (another key: refused).
    "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==",
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/s",
    "", "not base64!", "AAAAAAAAAAAAAAAAAAAAAA==",
]


def sealed(message, random=OA_RANDOM, appid=OA_APPID, length=None, pad=None):
    body = random + (len(message) if length is None else length).to_bytes(4, "big") + message + appid
    count = 32 - len(body) % 32 if pad is None else pad
    return body + bytes([count]) * count


PLAINTEXTS = [
    sealed(OA_MESSAGE.encode()), sealed(b""), sealed(b"x" * 12), sealed(b"hi", appid=b"wxb11529c136998cb6"),
    sealed(b"hi", length=3), sealed(b"hi", length=0xFFFFFFFF), sealed(b"hi" * 7, pad=16), sealed(b"hi" * 7, pad=0),
]
REPLIES = [
    '{"MsgType":"text","Content":"\u4f60\u597d ]]> there"}',
    '{"MsgType":"image","Image":{"MediaId":"m1"}}',
    '{"MsgType":"voice","Voice":{"MediaId":"m2"}}',
    '{"MsgType":"video","Video":{"MediaId":"m3","Title":"t","Description":"d"}}',
    '{"MsgType":"music","Music":{"Title":"t","MusicUrl":"u","HQMusicUrl":"h","ThumbMediaId":"m"}}',
    '{"MsgType":"news","Articles":[{"Title":"t","Description":"d","PicUrl":"p","Url":"u"},{"Title":"2"}]}',
    '{"ToUserName":"o2","FromUserName":"gh_2","CreateTime":5,"MsgType":"text","Content":"x","Extra":1.5}',
    '{"MsgType":"text","Content":null}', '{"MsgType":"news","Articles":[]}', '{"MsgType":"text","Content":"x","a b":1}',
    "success", "[]",
    # A control character XML cannot carry (refused since the fuzzer found it).
    '{"MsgType":"text","Content":"a\\bb"}',
]
for push in PUSHES:
    write("push_envelope", bytes([0]) + push.encode())
for push in PUSH_BYTES:
    write("push_envelope", bytes([0]) + push)
for text in CIPHERTEXTS:
    write("push_envelope", bytes([1]) + text.encode())
for plaintext in PLAINTEXTS:
    write("push_envelope", bytes([2]) + plaintext)
for random, message in [(OA_RANDOM, OA_MESSAGE.encode()), (b"aaaabbbbccccdddd", "\u6211\u662f\u4e2d\u6587abcd123".encode()),
                        (b"", b""), (b"0123456789abcdef", bytes(range(256)))]:
    write("push_envelope", bytes([3]) + random + message)
for reply in REPLIES:
    write("push_envelope", bytes([4]) + reply.encode())
