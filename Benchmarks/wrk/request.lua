-- This file is part of wxsidecar.
-- SPDX-License-Identifier: Apache-2.0
--
-- wrk script used for every target alike: POST the API call's JSON body, and print one JSON line with the
-- totals and latency percentiles (microseconds) for Benchmarks/bench.sh.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BENCH_REQUEST_BODY") or "{}"

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":%d,"errors_status":%d,"errors_timeout":%d,'
            .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,"mean_us":%.1f}\n',
        summary.requests, summary.duration, summary.bytes,
        e.connect + e.read + e.write + e.status + e.timeout, e.status, e.timeout,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
        latency.max, latency.mean))
end
