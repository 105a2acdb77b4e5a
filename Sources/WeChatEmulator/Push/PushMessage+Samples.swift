// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation

extension PushMessage {
    /// A push of `kind` with the fields WeChat's documentation shows for it (media ids, a location in Guangzhou,
    /// a menu key…), `content` as a text message's `Content`.
    ///
    /// - Parameters:
    ///   - createTime: Seconds since 1970; now by default.
    ///   - msgID: The message id of a message (ignored for an event); a random 17-digit number by default, above
    ///     2^53 as WeChat's are, so a reader that turns it into a double shows.
    public static func sample(
        _ kind: PushKind, toUserName: String, fromUserName: String, content: String = "hello",
        createTime: Int64 = Int64(Date().timeIntervalSince1970), msgID: Int64? = nil
    ) -> PushMessage {
        PushMessage(
            toUserName: toUserName, fromUserName: fromUserName, createTime: createTime, kind: kind,
            fields: sampleFields(kind, content: content),
            msgID: kind.hasMsgID ? msgID ?? randomMsgID() : nil)
    }

    /// A random message id of 17 digits, as WeChat's are.
    public static func randomMsgID() -> Int64 {
        Int64.random(in: 10_000_000_000_000_000...99_999_999_999_999_999)
    }

    private static func sampleFields(_ kind: PushKind, content: String) -> [Field] {
        switch kind {
        case .text:
            [Field("Content", .text(content))]
        case .image:
            [Field("PicUrl", .text("http://mmbiz.qpic.cn/mmbiz_jpg/emulator/0")), Field("MediaId", .text("image_media_id"))]
        case .voice:
            [Field("MediaId", .text("voice_media_id")), Field("Format", .text("amr"))]
        case .video, .shortvideo:
            [Field("MediaId", .text("\(kind)_media_id")), Field("ThumbMediaId", .text("\(kind)_thumb_media_id"))]
        case .location:
            [
                Field("Location_X", .number("23.134521")), Field("Location_Y", .number("113.358803")),
                Field("Scale", .number("20")), Field("Label", .text("广州市海珠区")),
            ]
        case .link:
            [
                Field("Title", .text("公众平台官网链接")), Field("Description", .text("公众平台官网链接")),
                Field("Url", .text("https://mp.weixin.qq.com/")),
            ]
        case .subscribe, .unsubscribe:
            []
        case .scan:
            [Field("EventKey", .text("123123")), Field("Ticket", .text("gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFx"))]
        case .locationEvent:
            [
                Field("Latitude", .number("23.137466")), Field("Longitude", .number("113.352425")),
                Field("Precision", .number("119.38504")),
            ]
        case .click:
            [Field("EventKey", .text("V1001_TODAY_MUSIC"))]
        case .view:
            [Field("EventKey", .text("https://www.qq.com/"))]
        }
    }
}
