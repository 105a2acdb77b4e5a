// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The worked example of WeChat's "服务端 API 签名加密指南" (mini program server API signing and encryption guide,
/// https://developers.weixin.qq.com/miniprogram/dev/server/getting_started/api_signature , sections 3.1.2, 3.2.2,
/// 4.1.2 and 4.2.1; the same example is on the older page developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/
/// getting_started/api_signature.html): the 风控 API `/wxa/getuserriskrank`, one encrypted and signed request and
/// its encrypted and signed answer. Copies of the same values are test data in fudiwei/DotNetCore.SKIT.FlurlHttpClient
/// .Wechat, go-sphere/weixin-api and deatil/go-cryptobin.
///
/// Every value was checked independently with Python's `cryptography` (AES-256-GCM, RSASSA-PSS) and the OpenSSL CLI
/// (`verify.py`, `verify_openssl.sh` next to the vectors.md that documents them): both ciphertexts decrypt, and
/// re-encrypt with the published iv, to exactly the texts below; both signatures verify as RSASSA-PSS with SHA-256,
/// MGF1-SHA-256 and a 32-byte salt (the salt length recovered from each signature is 32) over exactly the strings
/// below, the request one with the public half of `privateKeyPEM`, the response one with `platformCertificatePEM`.
/// RSA-PSS is randomised: a fresh signature over `Request.stringToSign` will differ from `Request.signature` but
/// must verify the same way.
public enum ApiSecurityVectors {
    /// The mini program's AppID (`Wechatmp-Appid`, `_appid`).
    public static let appID = "wxba6223c06417af7b"

    /// The `urlpath` that the AAD and both signed strings use: scheme, host and path, without the query
    /// (`?access_token=ACCESS_TOKEN` stays in the URL and out of everything signed or encrypted).
    public static let urlPath = "https://api.weixin.qq.com/wxa/getuserriskrank"

    /// The request line's target in the guide's example HTTP request (`POST … HTTP/1.1`, `Host: api.weixin.qq.com`).
    public static let requestTarget = "/wxa/getuserriskrank?access_token=ACCESS_TOKEN"

    /// API 对称密钥 (AES256_GCM), Base64 of 32 bytes: the guide's 密钥信息 `Key`.
    public static let symmetricKey = "otUpngOjU+nVQaWJIC3D/yMLV17RKaP6t4Ot9tbnzLY="

    /// Its 编号, the guide's 密钥信息 `Sn`: the last field of the AAD.
    public static let symmetricKeySN = "fa05fe1e5bcc79b81ad5ad4b58acf787"

    /// The 编号 of the application's asymmetric key (私钥信息 `Sn`). It is in no signed string and no AAD of the
    /// example; the guide uses it only as the SM2 signing ID.
    public static let privateKeySN = "97845f6ed842ea860df6fdf65941ff56"

    /// The application private key, as the guide publishes it (私钥信息 `PrivateKey`, PKCS#1, RSA-2048, e = 65537).
    public static let privateKeyPEM = """
        -----BEGIN RSA PRIVATE KEY-----
        MIIEowIBAAKCAQEA3FoQOmOl5/CF5hF7ta4EzCy2LaU3Eu2k9DBwQ73J82I53Sx9
        LAgM1DH3IsYohRRx/BESfbdDI2powvr6QYKVIC+4Yavwg7gzhZRxWWmT1HruEADC
        ZAgkUCu+9Il/9FPuitPSoIpBd07NqdkkRe82NBOfrKTdhge/5zd457fl7J81Q5VT
        IxO8vvq7FSw7k6Jtv+eOjR6SZOWbbUO7f9r4UuUkXmvdGv21qiqtaO1EMw4tUCEL
        zY73M7NpCH3RorlommYX3P6q0VrkDHrCE0/QMhmHsF+46E+IRcJ3wtEj3p/mO1Vo
        CpEhawC1U728ZUTwWNEii8hPEhcNAZTKaQMaTQIDAQABAoIBAQCXv5p/a5KcyYKc
        75tfgekh5wTLKIVmDqzT0evuauyCJTouO+4z/ZNAKuzEUO0kwPDCo8s1MpkU8boV
        1Ru1M8WZNePnt65aN+ebbaAl8FRzNvltoeg9VXIUmBvYcjzhOVAE4V2jW7M8A9QU
        zUpyswuED6OeFKfOHtYk2In2IipAqhfbyc6gn7uZSWTQsoO6hGBRQ7Ejx+vgwrbx
        ZKVZ7UXbPHD0lOEPraA3PH/QUeUKpNwK2NXQoBxWcR283/HxFSAjjSSsGSBKsCnw
        DN55P2FQ0HNi5YrwUNT9190NIXSeygaRy1b+D+yBfm+yE7/qXwHLZCHsjO+2tMSS
        3KGjllTBAoGBAP9FPeYNKZuu5jt9RpZwXCc9E7Iz7bmM7zws6dun6dQH0xVVWFVm
        iGIu07eqyB8HNagXseFzoXLV5EQx+3DaB0bAH+ZEpHGJJpAWSLusigssFUFuTvTF
        w+rC5hxOfidMa6+93SU5pWeJb0zJF8PRDaJ3UmwlwpYubF17sT4PD6p9AoGBANz7
        RlhRSFvggJjhEMpek3OIYWrrlRNO2MVcP7i/fGNTHhrw7OHcNGRof54QZ2Y0baL7
        1vHNokbK2mnT+cQXY/gXMmcE/eV4xyRGYiIL9nBdrkLerc43EYPv+evDvgyji6+y
        4np5cKqHrS8F+YzATk82Jt9HgdI2MvfbJTkSbmgRAoGAHNPL9rPb1An/VA6Ery6H
        KaM7Gy/EE+U3ixsjWbvvqxMrIkieDh7jHftdy2sM6Hwe8hmi6+vr+pTvD0h5tbfZ
        hILj11Q/Idc0NKdflVoZyMM0r0vuvLOsuVFDPUUb+AIoUxNk6vREmpmpqQk4ltN/
        763779yfyef6MuBqFrEKut0CgYB9FfsuuOv1nfINF7EybDCZAETsiee7ozEPHnWv
        dSzK6FytMV1VSBmcEI7UgUKWVu0MifOUsiq+WcsihmvmNLtQzoioSeoSP7ix7ulT
        jmP0HQMsNPI7PW67uVZFv2pPqy/Bx8dtPlqpHN3KNV6Z7q0lJ2j/kHGK9UUKidDb
        KnS2kQKBgHZ0cYzwh9YnmfXx9mimF57aQQ8aFc9yaeD5/3G2+a/FZcHtYzUdHQ7P
        PS35blD17/NnhunHhuqakbgarH/LIFMHITCVuGQT4xS34kFVjFVhiT3cHfWyBbJ6
        GbQuzzFxz/UKDDKf3/ON41k8UP20Gdvmv/+c6qQjKPayME81elus
        -----END RSA PRIVATE KEY-----
        """

    /// Derived, not in the guide: the same key as PKCS#8 (`openssl pkcs8 -topk8 -nocrypt`), the form the console's
    /// 下载私钥 gives and some SDKs require.
    public static let privateKeyPKCS8PEM = """
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDcWhA6Y6Xn8IXm
        EXu1rgTMLLYtpTcS7aT0MHBDvcnzYjndLH0sCAzUMfcixiiFFHH8ERJ9t0MjamjC
        +vpBgpUgL7hhq/CDuDOFlHFZaZPUeu4QAMJkCCRQK770iX/0U+6K09KgikF3Ts2p
        2SRF7zY0E5+spN2GB7/nN3jnt+XsnzVDlVMjE7y++rsVLDuTom2/546NHpJk5Ztt
        Q7t/2vhS5SRea90a/bWqKq1o7UQzDi1QIQvNjvczs2kIfdGiuWiaZhfc/qrRWuQM
        esITT9AyGYewX7joT4hFwnfC0SPen+Y7VWgKkSFrALVTvbxlRPBY0SKLyE8SFw0B
        lMppAxpNAgMBAAECggEBAJe/mn9rkpzJgpzvm1+B6SHnBMsohWYOrNPR6+5q7IIl
        Oi477jP9k0Aq7MRQ7STA8MKjyzUymRTxuhXVG7UzxZk14+e3rlo355ttoCXwVHM2
        +W2h6D1VchSYG9hyPOE5UAThXaNbszwD1BTNSnKzC4QPo54Up84e1iTYifYiKkCq
        F9vJzqCfu5lJZNCyg7qEYFFDsSPH6+DCtvFkpVntRds8cPSU4Q+toDc8f9BR5Qqk
        3ArY1dCgHFZxHbzf8fEVICONJKwZIEqwKfAM3nk/YVDQc2LlivBQ1P3X3Q0hdJ7K
        BpHLVv4P7IF+b7ITv+pfActkIeyM77a0xJLcoaOWVMECgYEA/0U95g0pm67mO31G
        lnBcJz0TsjPtuYzvPCzp26fp1AfTFVVYVWaIYi7Tt6rIHwc1qBex4XOhctXkRDH7
        cNoHRsAf5kSkcYkmkBZIu6yKCywVQW5O9MXD6sLmHE5+J0xrr73dJTmlZ4lvTMkX
        w9ENondSbCXCli5sXXuxPg8Pqn0CgYEA3PtGWFFIW+CAmOEQyl6Tc4hhauuVE07Y
        xVw/uL98Y1MeGvDs4dw0ZGh/nhBnZjRtovvW8c2iRsraadP5xBdj+BcyZwT95XjH
        JEZiIgv2cF2uQt6tzjcRg+/568O+DKOLr7LienlwqoetLwX5jMBOTzYm30eB0jYy
        99slORJuaBECgYAc08v2s9vUCf9UDoSvLocpozsbL8QT5TeLGyNZu++rEysiSJ4O
        HuMd+13LawzofB7yGaLr6+v6lO8PSHm1t9mEguPXVD8h1zQ0p1+VWhnIwzSvS+68
        s6y5UUM9RRv4AihTE2Tq9ESamampCTiW03/vrfvv3J/J5/oy4GoWsQq63QKBgH0V
        +y646/Wd8g0XsTJsMJkAROyJ57ujMQ8eda91LMroXK0xXVVIGZwQjtSBQpZW7QyJ
        85SyKr5ZyyKGa+Y0u1DOiKhJ6hI/uLHu6VOOY/QdAyw08js9bru5VkW/ak+rL8HH
        x20+Wqkc3co1XpnurSUnaP+QcYr1RQqJ0NsqdLaRAoGAdnRxjPCH1ieZ9fH2aKYX
        ntpBDxoVz3Jp4Pn/cbb5r8Vlwe1jNR0dDs89LfluUPXv82eG6ceG6pqRuBqsf8sg
        UwchMJW4ZBPjFLfiQVWMVWGJPdwd9bIFsnoZtC7PMXHP9QoMMp/f843jWTxQ/bQZ
        2+a//5zqpCMo9rIwTzV6W6w=
        -----END PRIVATE KEY-----
        """

    /// Derived, not in the guide: the public half of `privateKeyPEM` (SubjectPublicKeyInfo), which the console
    /// would hold as 应用公钥 and with which the platform verifies `Request.signature`.
    public static let publicKeyPEM = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA3FoQOmOl5/CF5hF7ta4E
        zCy2LaU3Eu2k9DBwQ73J82I53Sx9LAgM1DH3IsYohRRx/BESfbdDI2powvr6QYKV
        IC+4Yavwg7gzhZRxWWmT1HruEADCZAgkUCu+9Il/9FPuitPSoIpBd07NqdkkRe82
        NBOfrKTdhge/5zd457fl7J81Q5VTIxO8vvq7FSw7k6Jtv+eOjR6SZOWbbUO7f9r4
        UuUkXmvdGv21qiqtaO1EMw4tUCELzY73M7NpCH3RorlommYX3P6q0VrkDHrCE0/Q
        MhmHsF+46E+IRcJ3wtEj3p/mO1VoCpEhawC1U728ZUTwWNEii8hPEhcNAZTKaQMa
        TQIDAQAB
        -----END PUBLIC KEY-----
        """

    /// The platform certificate's 编号 from the MP console (证书信息 `Sn`, `Wechatmp-Serial`); not the X.509 serial.
    public static let platformCertificateSN = "79ba700ea147819f640941bceb38b1d1"

    /// The platform certificate (证书信息 `Certificate`): CN=wxd930ea5d5a258f4f, O=Tencent Inc., OU=WxgMp, issued by
    /// Tenpay.com Root CA, valid 2022-09-05 08:39:22 UTC to 2027-09-04 08:39:22 UTC, RSA-2048, X.509 serial
    /// 784f98cbbbccfe8f9e1c7b1f33ed5b1892446534. A test that checks validity must pin its clock inside that window.
    public static let platformCertificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIID0jCCArqgAwIBAgIUeE+Yy7vM/o+eHHsfM+1bGJJEZTQwDQYJKoZIhvcNAQEL
        BQAwXjELMAkGA1UEBhMCQ04xEzARBgNVBAoTClRlbnBheS5jb20xHTAbBgNVBAsT
        FFRlbnBheS5jb20gQ0EgQ2VudGVyMRswGQYDVQQDExJUZW5wYXkuY29tIFJvb3Qg
        Q0EwHhcNMjIwOTA1MDgzOTIyWhcNMjcwOTA0MDgzOTIyWjBkMRswGQYDVQQDDBJ3
        eGQ5MzBlYTVkNWEyNThmNGYxFTATBgNVBAoMDFRlbmNlbnQgSW5jLjEOMAwGA1UE
        CwwFV3hnTXAxCzAJBgNVBAYMAkNOMREwDwYDVQQHDAhTaGVuWmhlbjCCASIwDQYJ
        KoZIhvcNAQEBBQADggEPADCCAQoCggEBAM5D9qlkCmk1kr3FpF0e9pc3kGsvz5RA
        0/YRny9xPKIyV2UVMDZvRQ+mDHsiQQFE6etg457KFYSxTDKtItbdl6hJQVGeAvg0
        mqPYE9SkHRGTfL/AnXRbKBG2GC2OcaPSAprsLOersjay2me+9pF8VHybV8aox78A
        NsU75G/OO3V1iEE0s5Pmglqk8DEiw9gB/dGJzsNfXwzvyJyiUP9ZujYexyjsS+/Z
        GdSOUkqL/th+16yHj8alcdyga6YGfWEDyWkt/i/B28cwx4nzwk8xgrurifPaLuMk
        0+9wJQLCfAn/f7zyHrC8PcD1XvvRt9VBNMBASXs3710ODyyVf2lkMgkCAwEAAaOB
        gTB/MAkGA1UdEwQCMAAwCwYDVR0PBAQDAgTwMGUGA1UdHwReMFwwWqBYoFaGVGh0
        dHA6Ly9ldmNhLml0cnVzLmNvbS5jbi9wdWJsaWMvaXRydXNjcmw/Q0E9MUJENDIy
        MEU1MERCQzA0QjA2QUQzOTc1NDk4NDZDMDFDM0U4RUJEMjANBgkqhkiG9w0BAQsF
        AAOCAQEAL2MK9tYu+ljLVBlSbfEeaKyF07TN+G31Ya5NBzeS1ZCx4joUEIyACWmG
        fUkKNKiKV+EMzxeEhKRso1Qif3E7Ipl+PQBoQw6OSR/jFHciYurnGR9CLkL03Zo1
        qw1Xetv9OipsvlpA0SOWc207e/XpGdm8C7FMXM6bzvVp8I/STTjC1vqjIZu9WavI
        RgGM4jyAPz2XogUq0BNijef8BXbbav9fAsXjHSwn5BQv4iLms3fiLm/eoyQ6dZ2R
        oTudrlcyr1bG4vwETLmHF+3yfVp9dpvJ+lyfiviwDwyfa8t2WlJm27DuF4vWoxir
        mjgj9tDutIFqxLIovLyg3uiAYtSQ/Q==
        -----END CERTIFICATE-----
        """

    /// Derived, not in the guide: the certificate's public key (`openssl x509 -pubkey`).
    public static let platformPublicKeyPEM = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzkP2qWQKaTWSvcWkXR72
        lzeQay/PlEDT9hGfL3E8ojJXZRUwNm9FD6YMeyJBAUTp62DjnsoVhLFMMq0i1t2X
        qElBUZ4C+DSao9gT1KQdEZN8v8CddFsoEbYYLY5xo9ICmuws56uyNrLaZ772kXxU
        fJtXxqjHvwA2xTvkb847dXWIQTSzk+aCWqTwMSLD2AH90YnOw19fDO/InKJQ/1m6
        Nh7HKOxL79kZ1I5SSov+2H7XrIePxqVx3KBrpgZ9YQPJaS3+L8HbxzDHifPCTzGC
        u6uJ89ou4yTT73AlAsJ8Cf9/vPIesLw9wPVe+9G31UE0wEBJezfvXQ4PLJV/aWQy
        CQIDAQAB
        -----END PUBLIC KEY-----
        """

    /// The request (sections 3.1.2 and 3.2.2): `POST /wxa/getuserriskrank?access_token=ACCESS_TOKEN`.
    public enum Request {
        /// `Wechatmp-TimeStamp`, the AAD's timestamp and the plaintext's `_timestamp` (seconds).
        public static let timestamp = 1635927954
        /// The plaintext's `_n`.
        public static let nonce = "o89QaPVsRu1yppIZzvSZc4"
        /// The API's own parameters as the guide prints them (原始数据), verbatim: note the trailing comma, which makes
        /// it invalid JSON (a typo in the guide; the encrypted plaintext has none).
        public static let originalJSON = """
            {
                "appid": "wxba6223c06417af7b",
                "openid": "oEWzBfmdLqhFS2mTXCo2E4Y9gJAM",
                "scene": 0,
                "client_ip": "127.0.0.1",
            }
            """
        /// What was encrypted, byte for byte (the guide's 压缩`data`): the three security fields first, then the
        /// parameters; no access_token. The guide's pretty-printed form orders them `_n`, parameters, `_appid`,
        /// `_timestamp`; only this compact text matches the ciphertext.
        public static let plaintext =
            #"{"_n":"o89QaPVsRu1yppIZzvSZc4","_appid":"wxba6223c06417af7b","_timestamp":1635927954,"#
            + #""appid":"wxba6223c06417af7b","openid":"oEWzBfmdLqhFS2mTXCo2E4Y9gJAM","scene":0,"#
            + #""client_ip":"127.0.0.1"}"#
        /// The GCM additional data, `urlpath|appid|timestamp|sn`.
        public static let aad =
            "https://api.weixin.qq.com/wxa/getuserriskrank|wxba6223c06417af7b|"
            + "1635927954|fa05fe1e5bcc79b81ad5ad4b58acf787"
        /// `iv`: Base64 of the 12-byte GCM nonce.
        public static let iv = "fmW/zNxXlytUZBgj"
        /// `data`: Base64 of the ciphertext without the tag.
        public static let data =
            "0IDVdrPtSPF/Oe2CTXCV2vVNPbVJdJlP2WaTMQnoYLh5iCrrSNfQFh25EnStDMf0hLlVNBCZQtf9NaV0m4aRA4AAYIO7oR/Ge+4y"
            + "Y4EmZp5EVPB42xjScgMx5X3D4VdLCfynXIUKUtZHZvk1zmLVE3RauzJgiM1BB1CPmwcENo3MTJ0z8Vfkf5tMv54kOXobDLlV5rfq"
            + "KdAX7gM/rP82DgZdt9vvZX44ipdbHIjJvw83ZXAFtvftdVw2Qd8="
        /// `authtag`: Base64 of the 16-byte GCM tag.
        public static let authtag = "5qeM/2vZv+6KtScN94IpMg=="
        /// The POST body as sent and signed (`postdata`): 324 bytes, no trailing newline, keys in this order.
        public static let body =
            #"{"iv":"fmW/zNxXlytUZBgj","data":"0IDVdrPtSPF/Oe2CTXCV2vVNPbVJdJlP2WaTMQnoYLh5iCrrSNfQFh25EnStDMf0hLl"#
            + #"VNBCZQtf9NaV0m4aRA4AAYIO7oR/Ge+4yY4EmZp5EVPB42xjScgMx5X3D4VdLCfynXIUKUtZHZvk1zmLVE3RauzJgiM1BB1CPmwc"#
            + #"ENo3MTJ0z8Vfkf5tMv54kOXobDLlV5rfqKdAX7gM/rP82DgZdt9vvZX44ipdbHIjJvw83ZXAFtvftdVw2Qd8=","#
            + #""authtag":"5qeM/2vZv+6KtScN94IpMg=="}"#
        /// The guide's 待签名串 `M`, `urlpath\nappid\ntimestamp\npostdata` (400 bytes, no trailing newline; the key's SN
        /// is not in it).
        public static let stringToSign =
            ApiSecurityVectors.urlPath + "\n" + ApiSecurityVectors.appID + "\n" + String(timestamp) + "\n" + body
        /// `Wechatmp-Signature`: RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32) of `stringToSign` with `privateKeyPEM`.
        public static let signature =
            "wcSSWHZunjz9VKl9q+If9deiyECXDAELfAJNZ4+5T+NhFr8zfhkwdQtlgQ7nN5xs99R57La9UjBTRBGge2KYyshWtw7HIMPAqWNs"
            + "npHvx0b2f7s6Bt7OpfOQLlIfNgepgTVmUwrqW8/7A12szj7tCe/bRFilwnaX6N0w4duHlfL7ic7IIZXouvy9dLRAa5GtEk1eD/LP"
            + "WRiKh0SvJ3znPY/pSiQW9zSkXVdj9UGGM8qcKLzPGJ7gSmt3ZOPkFapk9wqFmhJwQj//xN5+hUlr2UiNPMNSHve5Y2ADLsNHqk5t"
            + "7RfAZ8nW9/8lzhVt4t+toy1FeehxCGIC8qgmjIl1hg=="
    }

    /// The answer (sections 4.1.2 and 4.2.1): `HTTP/1.1 200 OK`, `Content-Length: 292`.
    public enum Response {
        /// Response header `Wechatmp-TimeStamp`, also the AAD's timestamp and the plaintext's `_timestamp`.
        public static let timestamp = 1635927956
        /// Response header `Wechatmp-Appid`.
        public static let appID = "wxba6223c06417af7b"
        /// Response header `Wechatmp-Serial`: the platform certificate's 编号.
        public static let serial = "79ba700ea147819f640941bceb38b1d1"
        /// Response header `Wechatmp-Signature`: RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32 as recovered from it) of
        /// `stringToVerify` by the key of `platformCertificatePEM`.
        public static let signature =
            "Ht0VfQkkEweJ4hU266C14Aj64H9AXfkwNi5zxUZETCvR2svU1ZYdosDhFX/voLj1TyszqKsVxAlENGt7PPZZ8RQX7jnA4SKhiPUh"
            + "W4LTbyTenisHJ+ohSfDjYnXavjQsBHspFS+BlPHuSSJ2xyQzw1+HuC6nid09ZL4FnGSYo4OI5MJrSb9xLzIVZMIDuUQchGKi/KaB"
            + "1KzxECLEZcfjqbAgmxC7qOmuBLyO1WkHYDM95NJrHJWba5xv4wrwPru9yYTJSNRnlM+zrW5w9pOubC4Jtj3szTAEuOz9AcqUmgaA"
            + "vMLNAIa8hfODLRe3n/cu4SgYlN/ZkNRU4QXVNbPGMg=="
        /// Response header `Wechatmp-Serial-Deprecated`: the 编号 of the certificate about to expire.
        public static let serialDeprecated = "2171af9cdf1d7404423852e7e183d852"
        /// Response header `Wechatmp-Signature-Deprecated`. Unverifiable: the guide does not publish the expiring
        /// certificate; it does not verify with `platformCertificatePEM` (checked).
        public static let signatureDeprecated =
            "ZP1OODikAOePc+YJUMLxunF6xV05kextO/T1fy5lWv/CwV6OCsPBRM2xRRCi+B4lYXbbfYDdjzCz5BIAWEwIdjMlg/IHcJVHhRNA"
            + "lKt5A3zvzfaJa5IJQel7xuUEXk/B6KVyEb41PbzrptjUGqWyTFMrjxQ4ThJfCuYocnUng7OuDU95enMqK2hZpO8o7kFW638BAwKD"
            + "SiFNEwEJDWYkLz0kEw7ma3keezm4YHYKfJmjChK39tmZld7Rw/yrV1U9RiL/DO5ayP9VmrQkT/vYrPKyqI4/xKrIaTq44jFYTPIJ"
            + "KdU2OnLt6kjqwp2hvCzMuJdjRcrvzhWJ2A8xZ5hI2w=="
        /// Body `iv`.
        public static let iv = "r2WDQt56rEAmMuoR"
        /// Body `data`.
        public static let data =
            "HExs66Ik3el+iM4IpeQ7SMEN934FRLFYOd3EmeaIrpP4EPTHckoco6O+PaoRZRa3lqaPRZT7r52f7LUok6gLxc6cdR8C4vpIIfh4"
            + "xfLC4L7FNy9GbuMK1hcoi8b7gkWJcwZMkuCFNEDmqn3T49oWzAQOrY4LZnnnykv6oUJotdAsnKvmoJkLK7hRh7M2B1d2UnTnRuoI"
            + "yarXc5Iojwoghx4BOvnV"
        /// Body `authtag`.
        public static let authtag = "z2BFD8QctKXTuBlhICGOjQ=="
        /// The body as received and signed (`respdata`): 292 bytes, no trailing newline.
        public static let body =
            #"{"iv":"r2WDQt56rEAmMuoR","data":"HExs66Ik3el+iM4IpeQ7SMEN934FRLFYOd3EmeaIrpP4EPTHckoco6O+PaoRZRa3lqa"#
            + #"PRZT7r52f7LUok6gLxc6cdR8C4vpIIfh4xfLC4L7FNy9GbuMK1hcoi8b7gkWJcwZMkuCFNEDmqn3T49oWzAQOrY4LZnnnykv6oUJ"#
            + #"otdAsnKvmoJkLK7hRh7M2B1d2UnTnRuoIyarXc5Iojwoghx4BOvnV","authtag":"z2BFD8QctKXTuBlhICGOjQ=="}"#
        /// The guide's 待签名串 `M` for the answer, `urlpath\nappid\ntimestamp\nrespdata` (368 bytes).
        public static let stringToVerify =
            ApiSecurityVectors.urlPath + "\n" + appID + "\n" + String(timestamp) + "\n" + body
        /// The guide's `hex(H0)`, SHA-256 of `stringToVerify`.
        public static let stringToVerifySHA256Hex = "f797cafd9e323df336fb427569fbe67e20d5bc96dd68a3f54d66b54e6e08bb27"
        /// The GCM additional data: the request's layout with the response's timestamp.
        public static let aad =
            "https://api.weixin.qq.com/wxa/getuserriskrank|wxba6223c06417af7b|"
            + "1635927956|fa05fe1e5bcc79b81ad5ad4b58acf787"
        /// The decrypted body, byte for byte (the guide prints it pretty; this is the exact text, `unoin_id` [sic]).
        public static let plaintext =
            #"{"_n":"ShYZpqdVgY+yQVAxNSWhYg","_appid":"wxba6223c06417af7b","_timestamp":1635927956,"errcode":0,"#
            + #""errmsg":"getuserriskrank succ","risk_rank":0,"unoin_id":2258658297}"#
        /// The guide's 原响应数据: the plaintext without the security fields, as printed.
        public static let originalJSON = """
            {
                "errcode": 0,
                "errmsg": "getuserriskrank succ",
                "risk_rank": 0,
                "unoin_id": 2258658297
            }
            """
    }

    /// SM4_GCM, not in the guide text available here: deatil/go-cryptobin's `Test_Weapp_SM4_GCM_Check`
    /// (cryptobin/crypto, next to its copies of the guide's AES256_GCM examples). Same AAD layout, 16-byte key.
    /// Checked with Python's `cryptography` (SM4-GCM): decrypts, and re-encrypts, to exactly `plaintext`.
    public enum SM4GCM {
        /// Base64 of the 16-byte key (ASCII `appiddusefortest`).
        public static let key = "YXBwaWRkdXNlZm9ydGVzdA=="
        public static let timestamp = 1692932963
        public static let aad =
            "https://api.weixin.qq.com/wxa/getuserriskrank|wxba6223c06417af7b|"
            + "1692932963|fa05fe1e5bcc79b81ad5ad4b58acf787"
        public static let iv = "b3sjwc9yvUEGH45l"
        public static let data =
            "fa8VugXI8UA2ugS646ZvuX0wo4qn0Eua2J9jtwACQXeVys3hP/fZDcZC4eEF9es/z/Zx6GM2piwoHKPmPbwzfNXWc/rUH/USFoKo"
            + "6OBSiR8bb6QgkzYzYL9KsawMr8X/z6y8o3UzE5w65nfTySQFSpEVplD5S+SwQrLi3I2nUwS5N3SoJYsf8BHVfsYLBI9h1NocLgfj"
            + "jyPYmeKsQ/t1muVWlV2Z75VbqFhM+ECgHpEvcWPDeUN5ZhZ6C/0="
        public static let authtag = "cDZY4giOZgf73/CvObhypQ=="
        /// Security fields last here (the guide's Java sample appends them too): field order is free.
        public static let plaintext =
            #"{"appid":"wxba6223c06417af7b","openid":"oEWzBfmdLqhFS2mTXCo2E4Y9gJAM","scene":0,"#
            + #""client_ip":"127.0.0.1","_n":"Mku3TsYcg55vRdTNImb8+w","_appid":"wxba6223c06417af7b","#
            + #""_timestamp":1692932963}"#
    }
}
