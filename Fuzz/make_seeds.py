#!/usr/bin/env python3
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
"""Writes the committed seed corpus, Fuzz/corpus/<target>/: run it again after changing the lists below.

Input layouts (see Fuzz/Targets): request_path = selector byte, whitelist, NUL, target, NUL, token;
whitelist_parser = the file; query_rewrite = selector byte, query, NUL, token.
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
