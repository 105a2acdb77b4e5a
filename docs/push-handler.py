#!/usr/bin/env python3
"""A sample app handler for the pushes the sidecar forwards (Python 3 standard library only).

The sidecar receives WeChat's message push on its inbound listener, checks the signatures, decrypts it and
forwards it here as WeChat Cloud Hosting does: POST /wechat/message with plain JSON, the XML element names as keys
({"ToUserName":"gh_…","FromUserName":"o…","CreateTime":1700000000,"MsgType":"text","Content":"hello",
"MsgId":1234567890123456}), and the headers X-WX-APPID, X-WX-OPENID and X-WX-SOURCE. This handler answers a text
message with a JSON passive reply ({"MsgType":"text","Content":"you said: …"}; the sidecar turns it into WeChat's
XML, encrypted when the account is in safe mode) and anything else with `success` (no reply). Cloud Hosting's
setup probe {"action":"CheckContainerPath"} gets 200 `success`. WeChat waits 5 s for an answer: reply quickly.

Run: python3 docs/push-handler.py [PORT]   (listens on 127.0.0.1:PORT, 8080 by default)
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class PushHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        if self.path.split("?")[0] != "/wechat/message":
            return self.answer(404, b"not found", "text/plain")
        length = int(self.headers.get("Content-Length") or 0)
        try:
            push = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self.answer(400, b"not JSON", "text/plain")
        if push.get("action") == "CheckContainerPath":
            return self.answer(200, b"success", "text/plain")
        source, appid, openid = (self.headers.get(h, "") for h in ("X-WX-SOURCE", "X-WX-APPID", "X-WX-OPENID"))
        self.log_message("push from %s for %s (via %s): %s", openid, appid, source, push.get("MsgType"))
        if push.get("MsgType") == "text":
            reply = {"MsgType": "text", "Content": "you said: " + str(push.get("Content", ""))}
            return self.answer(200, json.dumps(reply, ensure_ascii=False).encode(), "application/json")
        self.answer(200, b"success", "text/plain")

    def answer(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type + "; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8080), PushHandler).serve_forever()
