// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import CCurl
import NIOCore
import Testing

@testable import CurlClient

// MARK: - Error mapping

@Suite("CurlError mapping")
struct CurlErrorTests {
    @Test(arguments: [
        (CURLE_OPERATION_TIMEDOUT, CurlError.Kind.timeout),
        (CURLE_COULDNT_CONNECT, .connect),
        (CURLE_COULDNT_RESOLVE_HOST, .resolve),
        (CURLE_SSL_CONNECT_ERROR, .tls),
        (CURLE_PEER_FAILED_VERIFICATION, .tls),
        (CURLE_SSL_CACERT_BADFILE, .tls),
        (CURLE_RECV_ERROR, .reset),
        (CURLE_SEND_ERROR, .reset),
        (CURLE_PARTIAL_FILE, .reset),
        (CURLE_HTTP2_STREAM, .reset),
        (CURLE_GOT_NOTHING, .emptyReply),
        (CURLE_FILESIZE_EXCEEDED, .tooLarge),
        (CURLE_WEIRD_SERVER_REPLY, .badResponse),
        (CURLE_URL_MALFORMAT, .invalidRequest),
        (CURLE_UNSUPPORTED_PROTOCOL, .invalidRequest),
        (CURLE_WRITE_ERROR, .other),
        (CURLE_OUT_OF_MEMORY, .other),
    ])
    func curlCodeMapsToKind(code: CURLcode, kind: CurlError.Kind) {
        let error = CurlError(curlCode: code, detail: "")
        #expect(error.kind == kind)
        #expect(error.code == Int32(code.rawValue))
        #expect(error.description.hasPrefix("\(kind.label): CURLcode \(code.rawValue): "))
    }

    @Test func labelsAreShortSnakeCaseAndDistinct() {
        let kinds: [CurlError.Kind] = [
            .timeout, .connect, .resolve, .tls, .reset, .emptyReply, .tooLarge, .badResponse, .invalidRequest,
            .cancelled, .shutdown, .setup, .other,
        ]
        let labels = kinds.map(\.label)
        #expect(Set(labels).count == kinds.count)
        #expect(labels.allSatisfy { $0.allSatisfy { $0.isLowercase || $0 == "_" } && $0.count <= 16 })
    }

    @Test func errorBufferDetailIsInTheDescription() {
        let error = CurlError(curlCode: CURLE_OPERATION_TIMEDOUT, detail: "Operation timed out after 300 milliseconds")
        #expect(error.description == "timeout: CURLcode 28: Timeout was reached (Operation timed out after 300 milliseconds)")
    }
}

// MARK: - Response head parsing

@Suite("CurlTransfer response head")
struct ResponseHeadTests {
    private func feed(_ lines: [String], to transfer: CurlTransfer) {
        for line in lines {
            var bytes = Array(line.utf8)
            let accepted = bytes.withUnsafeMutableBytes { transfer.receiveHeaderLine(UnsafeRawBufferPointer($0)) }
            #expect(accepted)
        }
    }

    @Test func interimResponseHeadersAreDropped() throws {
        let transfer = try CurlTransfer(request: UpstreamRequest(url: "http://127.0.0.1/"), maxResponseBytes: 10)
        feed(
            [
                "HTTP/1.1 100 Continue\r\n", "X-Interim: yes\r\n", "\r\n",
                "HTTP/1.1 200 OK\r\n", "Content-Type: text/plain\r\n", "X-Folded: one\r\n", "\t two\r\n",
                "Empty:\r\n", "\r\n", "X-Trailer: dropped\r\n", "\r\n",
            ], to: transfer)
        let response = UpstreamResponse(status: 200, headerBlock: transfer.responseHeaderBlock, body: ByteBuffer())
        let headers = response.headers.map { "\($0.name)=\($0.value)" }
        #expect(headers == ["Content-Type=text/plain", "X-Folded=one two", "Empty="])
    }

    @Test func requestBodyRewindsForAResend() throws {
        let transfer = try CurlTransfer(
            request: UpstreamRequest(method: "POST", url: "http://127.0.0.1/", body: ByteBuffer(string: "abcdef")),
            maxResponseBytes: 10)
        var destination = [UInt8](repeating: 0, count: 4)
        #expect(destination.withUnsafeMutableBytes { transfer.sendBody(into: $0) } == 4)
        #expect(transfer.seekBody(to: 0, origin: 0) == 0)  // SEEK_SET, CURL_SEEKFUNC_OK
        var all = [UInt8](repeating: 0, count: 16)
        #expect(all.withUnsafeMutableBytes { transfer.sendBody(into: $0) } == 6)
        #expect(Array(all.prefix(6)) == Array("abcdef".utf8))
        #expect(transfer.seekBody(to: 7, origin: 0) != 0)
    }

    @Test(arguments: [
        (Duration.milliseconds(1500), 1500), (.microseconds(1), 1), (.seconds(30), 30_000), (.nanoseconds(1_000_001), 2),
    ])
    func timeoutsRoundUpToWholeMilliseconds(duration: Duration, milliseconds: Int) {
        #expect(CurlTransfer.milliseconds(duration) == milliseconds)
    }
}
