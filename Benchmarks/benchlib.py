#!/usr/bin/env python3
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
"""Helpers for Benchmarks/bench.sh: payloads, config rendering, /proc sampling, and the report table.

Subcommands:
  payloads DIR                   the 1 KB msg_sec_check JSON and the 100 KB / 2 MB getwxacode images
  render TEMPLATE OUT K=V...     copies TEMPLATE to OUT replacing @K@ with V
  stub URL                       prints "accepts requests" from nginx stub_status
  proc PID...                    prints "cpu_seconds rss_kib" summed over the PIDs
  run KEY=VALUE...               one wrk run, sampled; appends a JSON line to results=FILE
  soak KEY=VALUE... total=N      runs until N requests went through, RSS before and after
  report RESULTS.jsonl           prints the tables (markdown)
"""

import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.request

TOKEN = "BENCH" + "x" * 126 + "token"  # 136 bytes, like a real access_token


def payloads(directory):
    os.makedirs(directory, exist_ok=True)
    detail = []
    body = {}
    # A msg_sec_check v2 answer, padded with model details to exactly 1024 bytes.
    while True:
        body = {
            "errcode": 0,
            "errmsg": "ok",
            "result": {"suggest": "pass", "label": 100},
            "detail": detail,
            "trace_id": "",
        }
        text = json.dumps(body, separators=(",", ":"))
        if len(text) + 80 > 1024:
            break
        detail.append({"strategy": "content_model", "errcode": 0, "suggest": "pass", "label": 100, "prob": 90})
    text = json.dumps(body, separators=(",", ":"))
    body["trace_id"] = "t" * (1024 - len(text))
    text = json.dumps(body, separators=(",", ":"))
    assert len(text) == 1024, len(text)
    with open(os.path.join(directory, "msg_sec_check.json"), "w") as f:
        f.write(text)
    rng = random.Random(5)
    for name, size in (("100k", 100 * 1024), ("2m", 2 * 1024 * 1024)):
        data = b"\xff\xd8" + rng.randbytes(size - 4) + b"\xff\xd9"
        with open(os.path.join(directory, name + ".jpg"), "wb") as f:
            f.write(data)
    with open(os.path.join(directory, "token.txt"), "w") as f:
        f.write(TOKEN)


def render(template, out, pairs):
    with open(template) as f:
        text = f.read()
    for pair in pairs:
        key, value = pair.split("=", 1)
        text = text.replace("@" + key + "@", value)
    if "@" in text.replace("@@", ""):
        leftover = [line for line in text.splitlines() if "@" in line and not line.lstrip().startswith("#")]
        if leftover:
            sys.exit("render: unreplaced placeholder in %s: %s" % (template, leftover[0]))
    with open(out, "w") as f:
        f.write(text)


def stub(url):
    print(*stub_sample(url))


def proc(pids):
    cpu, rss, anon = proc_sample(pids)
    print("%.2f %d %d" % (cpu, rss, anon))


def proc_sample(pids):
    """CPU seconds (user + system), resident KiB and its anonymous part (heap, stacks: not the mapped code of
    the binary and its libraries), summed over the PIDs and their threads."""
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = 0
    rss = 0
    anon = 0
    for pid in pids:
        try:
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu += int(fields[11]) + int(fields[12])  # utime, stime
            with open("/proc/%s/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
                    elif line.startswith("RssAnon:"):
                        anon += int(line.split()[1])
        except FileNotFoundError:
            pass
    return cpu / ticks, rss, anon


def stub_sample(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        lines = response.read().decode().splitlines()
    accepts, handled, requests = (int(x) for x in lines[2].split())
    return accepts, requests


def expand_pids(spec):
    """PIDs from "1,2,3"; a "+" suffix adds that PID's children (nginx workers)."""
    pids = []
    for part in filter(None, spec.split(",")):
        if part.endswith("+"):
            part = part[:-1]
            pids.append(part)
            try:
                with open("/proc/%s/task/%s/children" % (part, part)) as f:
                    pids += f.read().split()
            except FileNotFoundError:
                pass
        else:
            pids.append(part)
    return pids


def run(options):
    """One wrk run: stub_status and /proc before and after, RSS sampled every 0.2 s during the run."""
    c = int(options["c"])
    seconds = int(options["seconds"])
    threads = 1 if c < 2 else 2
    pids = expand_pids(options.get("pids", ""))
    stub_url = options["stub"]
    accepts0, requests0 = stub_sample(stub_url)
    cpu0, rss0, anon0 = proc_sample(pids) if pids else (0, 0, 0)
    peak = [rss0, anon0]
    stop = threading.Event()

    def sampler():
        while not stop.wait(0.2):
            _, rss, anon = proc_sample(pids)
            peak[0] = max(peak[0], rss)
            peak[1] = max(peak[1], anon)

    thread = threading.Thread(target=sampler, daemon=True)
    if pids:
        thread.start()
    command = [
        "wrk", "-t%d" % threads, "-c%d" % c, "-d%ds" % seconds, "--timeout", "10s",
        "-s", options["script"], options["url"],
    ]
    env = dict(os.environ, BENCH_REQUEST_BODY=options["body"])
    started = time.monotonic()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
    elapsed = time.monotonic() - started
    stop.set()
    if pids:
        thread.join()
    cpu1, rss1, anon1 = proc_sample(pids) if pids else (0, 0, 0)
    peak[0] = max(peak[0], rss1)
    peak[1] = max(peak[1], anon1)
    accepts1, requests1 = stub_sample(stub_url)
    line = next((l for l in result.stdout.splitlines() if l.startswith("WRKJSON ")), None)
    if line is None:
        sys.exit("wrk printed no result:\n" + result.stdout + result.stderr)
    wrk = json.loads(line[len("WRKJSON "):])
    record = {
        "kind": options.get("kind", "sweep"), "target": options["target"], "size": options["size"], "c": c,
        "seconds": seconds, "threads": threads, "wall_s": round(elapsed, 2),
        "requests": wrk["requests"], "rps": wrk["requests"] / (wrk["duration_us"] / 1e6),
        "errors": wrk["errors"], "errors_status": wrk["errors_status"], "errors_timeout": wrk["errors_timeout"],
        "p50_us": wrk["p50_us"], "p90_us": wrk["p90_us"], "p99_us": wrk["p99_us"], "p999_us": wrk["p999_us"],
        "max_us": wrk["max_us"], "mean_us": wrk["mean_us"], "bytes": wrk["bytes"],
        # The status poll itself is one accepted connection and one request.
        "upstream_opened": max(0, accepts1 - accepts0 - 1), "upstream_requests": max(0, requests1 - requests0 - 1),
    }
    if pids:
        record["cpu_s"] = round(cpu1 - cpu0, 3)
        record["cpu_us_per_req"] = (cpu1 - cpu0) * 1e6 / max(1, wrk["requests"])
        record["rss_kib"] = peak[0]
        record["rss_anon_kib"] = peak[1]
        record["rss_end_kib"] = rss1
        record["rss_start_kib"] = rss0
    with open(options["results"], "a") as f:
        f.write(json.dumps(record) + "\n")
    if options.get("quiet") == "1":
        return record
    print(
        "%-7s %-4s c=%-4d %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  err %-5d up-conns %-5d%s"
        % (
            record["target"], record["size"], c, record["rps"], record["p50_us"] / 1000, record["p99_us"] / 1000,
            record["errors"], record["upstream_opened"],
            ("  cpu %.1f us/req  rss %.1f MiB (anon %.1f)" % (
                record["cpu_us_per_req"], record["rss_kib"] / 1024, record["rss_anon_kib"] / 1024)) if pids else "",
        ),
        flush=True,
    )
    return record


def soak(options):
    """Runs chunks of `seconds` until `total` requests went through; RSS before the first and after the last."""
    pids = expand_pids(options["pids"])
    total = int(options["total"])
    _, rss_start, anon_start = proc_sample(pids)
    done = 0
    chunks = []
    while done < total:
        record = run(dict(options, kind="soak-chunk", quiet="1"))
        done += record["requests"]
        chunks.append(record["rss_end_kib"])
        print("soak: %d requests, RSS %.1f MiB" % (done, record["rss_end_kib"] / 1024), flush=True)
    _, rss_end, anon_end = proc_sample(pids)
    record = {"kind": "soak", "target": "sidecar", "size": options["size"], "c": int(options["c"]),
              "requests_total": done, "rss_start_kib": rss_start, "rss_end_kib": rss_end, "rss_chunks_kib": chunks,
              "anon_start_kib": anon_start, "anon_end_kib": anon_end}
    with open(options["results"], "a") as f:
        f.write(json.dumps(record) + "\n")


# MARK: Report

SIZES = ["1k", "100k", "2m"]
TARGETS = ["direct", "sidecar", "peer"]


def fmt_ms(us):
    return "%.2f" % (us / 1000.0)


def report(path):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    sweep = [r for r in runs if r.get("kind") == "sweep"]
    index = {(r["size"], r["c"], r["target"]): r for r in sweep}
    concurrencies = sorted({r["c"] for r in sweep})
    out = []
    out.append("### Sweep (wrk, %s s per run)" % (sweep[0]["seconds"] if sweep else "?"))
    out.append("")
    out.append(
        "| body | c | target | req/s | p50 ms | p99 ms | errors | upstream conns opened | upstream reuse |"
        " CPU µs/req | RSS MiB (anon) | vs peer req/s |"
    )
    out.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in SIZES:
        for c in concurrencies:
            peer = index.get((size, c, "peer"))
            for target in TARGETS:
                r = index.get((size, c, target))
                if not r:
                    continue
                ratio = ""
                if target == "sidecar" and peer and peer["rps"] > 0:
                    ratio = "%.2f×" % (r["rps"] / peer["rps"])
                reuse = ""
                if r.get("upstream_requests", 0) > 0:
                    reuse = "%.2f%%" % (100.0 * (1 - r["upstream_opened"] / r["upstream_requests"]))
                cpu = "%.1f" % r["cpu_us_per_req"] if r.get("cpu_us_per_req") is not None else ""
                rss = ("%.1f (%.1f)" % (r["rss_kib"] / 1024, r.get("rss_anon_kib", 0) / 1024)) if r.get("rss_kib") else ""
                out.append(
                    "| %s | %d | %s | %.0f | %s | %s | %d | %d | %s | %s | %s | %s |"
                    % (
                        size, c, target, r["rps"], fmt_ms(r["p50_us"]), fmt_ms(r["p99_us"]), r["errors"],
                        r.get("upstream_opened", 0), reuse, cpu, rss, ratio,
                    )
                )
    out.append("")
    out.append("### Targets")
    out.append("")
    out.append("| target | measured | met |")
    out.append("|---|---|---|")

    def get(size, c, target):
        return index.get((size, c, target))

    s, p = get("1k", 64, "sidecar"), get("1k", 64, "peer")
    if s and p:
        ratio = s["rps"] / p["rps"]
        out.append("| throughput ≥ 1.0× peer, c=64, 1 KB | %.0f vs %.0f req/s = %.2f× | %s |"
                   % (s["rps"], p["rps"], ratio, yes(ratio >= 1.0)))
    s, d = get("1k", 1, "sidecar"), get("1k", 1, "direct")
    if s and d:
        added = (s["p50_us"] - d["p50_us"]) / 1000
        out.append("| added p50 over direct ≤ 0.2 ms, c=1 | %.3f ms (%.3f − %.3f) | %s |"
                   % (added, s["p50_us"] / 1000, d["p50_us"] / 1000, yes(added <= 0.2)))
    s, p = get("1k", 256, "sidecar"), get("1k", 256, "peer")
    if s and p:
        out.append("| p99 ≤ peer's, c=256, 1 KB | %s vs %s ms | %s |"
                   % (fmt_ms(s["p99_us"]), fmt_ms(p["p99_us"]), yes(s["p99_us"] <= p["p99_us"])))
    worst = None
    for r in sweep:
        if r["target"] == "sidecar" and r.get("upstream_requests", 0) > 0:
            reuse = 1 - r["upstream_opened"] / r["upstream_requests"]
            if worst is None or reuse < worst[0]:
                worst = (reuse, r)
    life = [r for r in runs if r.get("kind") == "lifetime"]
    if life and life[-1]["transfers"] > 0:
        r = life[-1]
        reuse = 1 - r["connections_opened"] / r["transfers"]
        out.append("| ≥ 99%% upstream requests on reused connections | %.3f%% over the sidecar's whole sweep: %d "
                   "connections (so %d TLS handshakes) for %d upstream transfers; every measured run: %s | %s |"
                   % (100 * reuse, r["connections_opened"], r["connections_opened"], r["transfers"],
                      "0 opened" if worst and worst[0] == 1.0 else "worst %.2f%%" % (100 * worst[0]) if worst else "?",
                      yes(reuse >= 0.99)))
    elif worst:
        out.append("| ≥ 99%% upstream requests on reused connections | worst run %.2f%% (%s, c=%d) | %s |"
                   % (100 * worst[0], worst[1]["size"], worst[1]["c"], yes(worst[0] >= 0.99)))
    s = get("1k", 1024, "sidecar")
    if s:
        out.append("| RSS ≤ 50 MB at c=1024 (1 KB) | %.1f MiB, of which %.1f MiB anonymous (the rest is mapped code) | %s |"
                   % (s["rss_kib"] / 1024, s.get("rss_anon_kib", 0) / 1024, yes(s["rss_kib"] / 1024 <= 50)))
    soak = [r for r in runs if r.get("kind") == "soak"]
    if soak:
        r = soak[-1]
        growth = 100.0 * (r["rss_end_kib"] - r["rss_start_kib"]) / r["rss_start_kib"]
        anon = ""
        if r.get("anon_start_kib"):
            anon = "; anonymous %.1f → %.1f MiB" % (r["anon_start_kib"] / 1024, r["anon_end_kib"] / 1024)
        out.append("| RSS flat over %d requests (growth < 5%%) | %.1f → %.1f MiB (%+.1f%%)%s | %s |"
                   % (r["requests_total"], r["rss_start_kib"] / 1024, r["rss_end_kib"] / 1024, growth, anon,
                      yes(growth < 5) if r["requests_total"] >= 1_000_000 else "n/a (fewer than 1 M requests)"))
    lin = []
    for size, nbytes in (("1k", 1024), ("100k", 100 * 1024), ("2m", 2 * 1024 * 1024)):
        r = get(size, 64, "sidecar")
        if r and r.get("cpu_us_per_req") is not None:
            lin.append((size, nbytes, r["cpu_us_per_req"]))
    if len(lin) == 3:
        per_kib = [(cpu - lin[0][2]) / ((nbytes - 1024) / 1024) for _, nbytes, cpu in lin[1:]]
        text = "CPU µs/req at c=64: " + ", ".join("%s %.1f" % (s, c) for s, _, c in lin)
        text += "; marginal µs/KiB: 1k→100k %.3f, 1k→2m %.3f" % tuple(per_kib)
        out.append("| cost linear in body size | %s | see text |" % text)
    floors = [r for r in runs if r.get("kind") == "floor"]
    if floors:
        r = floors[-1]
        peer = get("1k", r["c"], "peer")
        side = get("1k", r["c"], "sidecar")
        extra = ""
        if peer and side:
            extra = "; the whole nginx + lua peer: %.1f, the whole sidecar: %.1f" % (
                peer["cpu_us_per_req"], side["cpu_us_per_req"])
        out.append("| libcurl alone (floor), c=%d 1 KB | %.0f transfers/s, %.1f CPU µs per transfer%s | bound |"
                   % (r["c"], r["per_second"], r["cpu_us_per_transfer"], extra))
    fronts = {r["target"]: r for r in runs if r.get("kind") == "front_floor"}
    if fronts:
        parts = []
        for target, label in (("front-direct", "answered on the loop"), ("front-hop", "with a round trip through a second thread")):
            r = fronts.get(target)
            if r:
                parts.append("%s: %.0f req/s, %.1f CPU µs/req" % (label, r["rps"], r["cpu_us_per_req"]))
        out.append("| SwiftNIO HTTP/1 front alone (front floor), c=64 1 KB | %s | bound |" % "; ".join(parts))
    counts = {r["target"]: r for r in runs if r.get("kind") == "instructions"}
    if counts:
        def ir(target):
            return counts[target]["ir_per_call"] if target in counts else None
        parts = ["%s %.0f k" % (label, ir(t) / 1000) for t, label in (
            ("floor", "libcurl floor"), ("front-direct", "front floor"), ("front-hop", "front floor with its hop"),
            ("sidecar", "sidecar")) if ir(t) is not None]
        if all(ir(t) is not None for t in ("floor", "front-hop", "sidecar")):
            bound = ir("floor") + ir("front-hop")
            parts.append("the sidecar's own work (sidecar − front with hop − libcurl) %.0f k; sidecar = %.2f× the libcurl "
                         "floor, %.2f× the bound" % ((ir("sidecar") - bound) / 1000, ir("sidecar") / ir("floor"),
                                                   ir("sidecar") / bound))
        out.append("| user-space instructions per 1 KB call, c=1 (callgrind) | %s | bound |" % "; ".join(parts))
    logs = [r for r in runs if r.get("kind") == "access_log"]
    if logs:
        r = logs[-1]
        base = get(r["size"], r["c"], "sidecar")
        extra = (" (warning level: %.0f req/s, %.1f µs/req)" % (base["rps"], base["cpu_us_per_req"])) if base else ""
        out.append("| access log on (info), c=%d %s | %.0f req/s, p99 %s ms, %.1f CPU µs/req%s | info |"
                   % (r["c"], r["size"], r["rps"], fmt_ms(r["p99_us"]), r["cpu_us_per_req"], extra))
    print("\n".join(out))


def yes(flag):
    return "yes" if flag else "**no**"


def callgrind_total(path):
    """The instruction total of a callgrind output file."""
    with open(path) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    sys.exit("no instruction total in " + path)


def instructions_floor(directory, results):
    """Instructions per transfer of the libcurl floor: the difference of a 3 s and an 8 s run (start-up cancels)."""
    short, long = [json.load(open(os.path.join(directory, "floor.%d.json" % s))) for s in (3, 8)]
    ir = (callgrind_total(os.path.join(directory, "floor.8.out")) - callgrind_total(os.path.join(directory, "floor.3.out")))
    per_call = ir / max(1, long["transfers"] - short["transfers"])
    record = {"kind": "instructions", "target": "floor", "c": 1, "calls": long["transfers"] - short["transfers"],
              "ir_per_call": per_call}
    with open(results, "a") as f:
        f.write(json.dumps(record) + "\n")
    print("instructions: floor %.0f per transfer" % per_call, flush=True)


def instructions_server(name, wrk_output, callgrind_file, results):
    """Instructions per request of a server counted over one wrk run (callgrind zeroed before, dumped after)."""
    line = next((l for l in open(wrk_output) if l.startswith("WRKJSON ")), None)
    if line is None:
        sys.exit("wrk printed no result for " + name)
    wrk = json.loads(line[len("WRKJSON "):])
    if wrk["errors"]:
        sys.exit("%s answered %d errors under callgrind" % (name, wrk["errors"]))
    per_call = callgrind_total(callgrind_file) / max(1, wrk["requests"])
    record = {"kind": "instructions", "target": name, "c": 1, "calls": wrk["requests"], "ir_per_call": per_call}
    with open(results, "a") as f:
        f.write(json.dumps(record) + "\n")
    print("instructions: %s %.0f per request" % (name, per_call), flush=True)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "payloads":
        payloads(args[0])
    elif command == "render":
        render(args[0], args[1], args[2:])
    elif command == "stub":
        stub(args[0])
    elif command == "proc":
        proc(args)
    elif command == "run":
        run(dict(arg.split("=", 1) for arg in args))
    elif command == "lifetime":
        status = json.load(sys.stdin)["upstream"]
        record = {"kind": "lifetime", "connections_opened": status["connections_opened"],
                  "transfers": status["transfers_completed"] + status["transfers_failed"]}
        with open(args[0], "a") as f:
            f.write(json.dumps(record) + "\n")
        print("sidecar lifetime: %d upstream connections opened for %d transfers"
              % (record["connections_opened"], record["transfers"]))
    elif command == "soak":
        soak(dict(arg.split("=", 1) for arg in args))
    elif command == "report":
        report(args[0])
    elif command == "instructions-floor":
        instructions_floor(args[0], args[1])
    elif command == "instructions-server":
        instructions_server(args[0], args[1], args[2], args[3])
    else:
        sys.exit("unknown command " + command)
