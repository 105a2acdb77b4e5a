// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Benchmark
import Foundation
import SidecarCore

// The per-request work SidecarCore does for `POST /wxa/msg_sec_check` (origin form) and
// `POST http://api.weixin.qq.com/wxa/getwxacode?s=100k` (proxy form), one step per benchmark and all together.

private let originTarget = "/wxa/msg_sec_check"
private let absoluteTarget = "http://api.weixin.qq.com/wxa/getwxacode?s=100k&cloudbase_access_token=old"
private let token = "BENCH" + String(repeating: "x", count: 126) + "token"
private let whitelist: PathWhitelist = {
    let text = """
        /wxa/msg_sec_check
        /wxa/getwxacode
        /wxa/getwxacodeunlimit
        /cgi-bin/message/custom/send
        /cgi-bin/message/subscribe/send
        /tcb/invokecloudfunction
        /tcb/databasequery
        /sns/jscode2session
        /datacube/*
        /wxaapi/newtmpl/*

        """
    guard case .success(let parsed) = PathWhitelist.parse(text) else { fatalError("whitelist") }
    return parsed.whitelist
}()

private func parsed(_ target: String) -> RequestTarget {
    guard case .success(let value) = RequestTarget.parse(method: "POST", target: target) else { fatalError(target) }
    return value
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .instructions, .mallocCountTotal, .throughput],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    Benchmark("RequestTarget.parse origin-form") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(RequestTarget.parse(method: "POST", target: originTarget))
        }
    }

    Benchmark("RequestTarget.parse absolute-form with query") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(RequestTarget.parse(method: "POST", target: absoluteTarget))
        }
    }

    Benchmark("PathWhitelist.match, exact entry") { benchmark in
        let target = parsed(originTarget)
        for _ in benchmark.scaledIterations {
            blackHole(whitelist.match(target.path))
        }
    }

    Benchmark("PathWhitelist.match, prefix entry") { benchmark in
        let target = parsed("/datacube/getweanalysisappiddailysummarytrend")
        for _ in benchmark.scaledIterations {
            blackHole(whitelist.match(target.path))
        }
    }

    Benchmark("QueryRewriter.upstreamPathAndQuery (no query)") { benchmark in
        let target = parsed(originTarget)
        for _ in benchmark.scaledIterations {
            blackHole(QueryRewriter.upstreamPathAndQuery(for: target, token: token))
        }
    }

    Benchmark("QueryRewriter.upstreamURL (what the proxy calls)") { benchmark in
        let target = parsed(originTarget)
        for _ in benchmark.scaledIterations {
            blackHole(QueryRewriter.upstreamURL(base: "https://api.weixin.qq.com", for: target, token: token))
        }
    }

    Benchmark("QueryRewriter.upstreamPathAndQuery (caller token removed)") { benchmark in
        let target = parsed(absoluteTarget)
        for _ in benchmark.scaledIterations {
            blackHole(QueryRewriter.upstreamPathAndQuery(for: target, token: token))
        }
    }

    Benchmark("ErrcodeScanner on a 1 KB msg_sec_check answer") { benchmark in
        let detail = Array(repeating: #"{"strategy":"content_model","errcode":0,"suggest":"pass","label":100,"prob":90}"#, count: 11)
        let text = #"{"errcode":0,"errmsg":"ok","result":{"suggest":"pass","label":100},"detail":["#
            + detail.joined(separator: ",") + #"],"trace_id":"0123456789abcdef"}"#
        let body = Array(text.utf8)
        for _ in benchmark.scaledIterations {
            blackHole(ErrcodeScanner.topLevelErrcode(body))
        }
    }

    // What the proxy did before ErrcodeScanner: a full JSONSerialization parse of every JSON answer.
    Benchmark("JSONSerialization on the same answer (before)") { benchmark in
        let detail = Array(repeating: #"{"strategy":"content_model","errcode":0,"suggest":"pass","label":100,"prob":90}"#, count: 11)
        let text = #"{"errcode":0,"errmsg":"ok","result":{"suggest":"pass","label":100},"detail":["#
            + detail.joined(separator: ",") + #"],"trace_id":"0123456789abcdef"}"#
        let body = Data(text.utf8)
        for _ in benchmark.scaledIterations {
            let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
            blackHole((object?["errcode"] as? NSNumber)?.intValue)
        }
    }

    Benchmark("hot path: parse + match + upstreamURL") { benchmark in
        for _ in benchmark.scaledIterations {
            guard case .success(let target) = RequestTarget.parse(method: "POST", target: originTarget) else { return }
            blackHole(whitelist.match(target.path))
            blackHole(QueryRewriter.upstreamURL(base: "https://api.weixin.qq.com", for: target, token: token))
        }
    }
}
