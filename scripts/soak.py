#!/usr/bin/env python3
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
"""Soak: the built wxsidecar against `wxsidecar emulate` at a fixed request rate, bounded in time.

The emulator rotates the stable token every 30 s (lifetime 50 s, overlap 20 s) and the run injects faults
on a schedule: one-shot upstream faults on /echo/injected/N (each followed by exactly one request that is
expected to fail in a known way), token-endpoint faults (-1, HTTP 500, dropped connections, answers slower
than upstream.timeout), an invalidation of every token (the 40001 recovery path), and whitelist rewrites.
Every other request must succeed. File descriptors (its upstream connections apart), RSS and threads of the
daemon are sampled every few seconds; the run fails if any non-injected request failed, an injected one did not
fail as expected, the request rate fell short, the daemon died, descriptors grew, upstream connections exceeded
libcurl's bound, or memory grew (in all, or as a steady rise per request).

Everything is on 127.0.0.1 and stops by itself. Usage:

    scripts/soak.py --binary .build/debug/wxsidecar --duration 600 --rate 50
"""

import argparse
import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

MSG_BODY = json.dumps({"version": 2, "openid": "o1", "scene": 1, "content": "hello"})
IMAGE_BYTES = 4096
# The daemon's libcurl keeps at most this many connections to one host (CurlClient's maxHostConnections).
MAX_HOST_CONNECTIONS = 32


def log(message):
    print(f"soak: {message}", flush=True)


# MARK: processes


class Child:
    """A child process whose output goes to a file; stopped by its own pid only."""

    def __init__(self, name, argv, workdir):
        self.name = name
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.log_file = open(self.log_path, "wb")
        self.process = subprocess.Popen(argv, stdout=self.log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_for(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.text())
            if match:
                return match
            if not self.alive():
                raise RuntimeError(f"{self.name} exited early:\n{self.text()[-3000:]}")
            time.sleep(0.05)
        raise RuntimeError(f"{self.name}: no {pattern!r} within {timeout}s:\n{self.text()[-3000:]}")

    def stop(self, timeout=20):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log_file.close()
        return self.process.returncode


def proc_sample(pid, upstream_port):
    """(fds, rss_kib, threads, upstream, anon_kib) of a live process: `upstream` counts its TCP connections to
    `upstream_port` (libcurl's connection cache, at most MAX_HOST_CONNECTIONS), `fds` every other descriptor,
    `anon_kib` the anonymous part of RSS (the heap: what a leak grows; the rest is mapped files)."""
    inodes = set()
    for table in ("tcp", "tcp6"):
        try:
            with open(f"/proc/{pid}/net/{table}") as f:
                for line in list(f)[1:]:
                    fields = line.split()
                    if int(fields[2].rsplit(":", 1)[1], 16) == upstream_port:
                        inodes.add(fields[9])
        except OSError:
            pass
    fds = upstream = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            upstream += 1
        else:
            fds += 1
    rss = threads = anon = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
            elif line.startswith("RssAnon:"):
                anon = int(line.split()[1])
    return fds, rss, threads, upstream, anon


def rss_slope(samples):
    """KiB per second: the least-squares slope of anonymous RSS over time. Not the whole RSS: the daemon lets go
    of its startup code pages once listening and maps back, 64 KiB at a time, the code each new kind of event
    first runs (a token rotation, a fault), which rises like a leak over a short run but is bounded by the
    binary's size; a leak is heap, and the heap is anonymous."""
    if len(samples) < 3:
        return 0.0
    return statistics.linear_regression([s[0] for s in samples], [s[5] for s in samples]).slope


# MARK: HTTP


def call(port, method, path, body=None, headers=None, timeout=15, conn=None):
    """One request; returns (status, headers dict, body bytes). Reuses `conn` (keep-alive) when given."""
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        if own:
            conn.close()


def knob(port, method, name, payload=None):
    body = json.dumps(payload) if payload is not None else None
    status, _, data = call(port, method, f"/-/emulator/{name}", body=body,
                           headers={"Content-Type": "application/json"} if body else {})
    if status != 200:
        raise RuntimeError(f"knob {method} {name}: {status} {data[:200]!r}")
    return json.loads(data or b"null")


# MARK: the traffic


class Kind:
    """One kind of call and how to tell it succeeded."""

    def __init__(self, name, weight, method, path, body, check):
        self.name, self.weight, self.method, self.path, self.body, self.check = name, weight, method, path, body, check


def errcode(data):
    try:
        return json.loads(data).get("errcode")
    except ValueError:
        return None


def check_msg(status, headers, data):
    if status != 200 or errcode(data) != 0:
        return f"{status} {data[:200]!r}"
    if json.loads(data).get("result", {}).get("suggest") != "pass":
        return f"unexpected result {data[:200]!r}"
    return None if headers.get("x-openapi-seqid") else "no x-openapi-seqid"


def check_function(status, headers, data):
    if status != 200 or errcode(data) != 0:
        return f"{status} {data[:200]!r}"
    resp = json.loads(json.loads(data)["resp_data"])
    return None if resp.get("env") == "soak" and resp.get("name") == "fn" else f"env/name lost: {resp}"


def check_image(status, headers, data):
    if status != 200 or not headers.get("content-type", "").startswith("image/jpeg"):
        return f"{status} {headers.get('content-type')} {data[:120]!r}"
    ok = len(data) == IMAGE_BYTES and data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    return None if ok else f"image of {len(data)} bytes, head {data[:2]!r} tail {data[-2:]!r}"


def check_echo(status, headers, data):
    if status != 200 or errcode(data) != 0:
        return f"{status} {data[:200]!r}"
    query = json.loads(data).get("query") or ""
    # The sidecar's token first, the caller's own removed, and the token scrubbed from what the caller sees.
    if query != "access_token=ACCESS_TOKEN_REDACTED&a=1&b=two":
        return f"query not rewritten: {query[:80]!r}"
    return None


KINDS = [
    Kind("msg_sec_check", 60, "POST", "/wxa/msg_sec_check", MSG_BODY, check_msg),
    Kind("invokecloudfunction", 15, "POST", "/tcb/invokecloudfunction?env=soak&name=fn", '{"x":1}', check_function),
    Kind("getwxacode", 15, "POST", "/wxa/getwxacode", json.dumps({"path": "pages/index", "width": 430}), check_image),
    Kind("echo", 10, "GET", "/echo/soak?a=1&b=two&access_token=mine", None, check_echo),
]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.ok = {}
        self.failures = []
        self.latencies = []
        self.injected = []  # (name, expected, got)

    def record(self, kind, error, latency):
        with self.lock:
            if error is None:
                self.ok[kind] = self.ok.get(kind, 0) + 1
                self.latencies.append(latency)
            else:
                self.failures.append((time.time(), kind, error))

    @property
    def total_ok(self):
        with self.lock:
            return sum(self.ok.values())


def worker(port, slots, stats, stop):
    conn = None
    while not stop.is_set():
        try:
            kind = slots.get(timeout=0.2)
        except queue.Empty:
            continue
        started = time.monotonic()
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            status, headers, data = call(port, kind.method, kind.path, body=kind.body, conn=conn)
            error = kind.check(status, headers, data)
            if headers.get("connection", "").lower() == "close":
                conn.close()
                conn = None
        except Exception as e:  # noqa: BLE001 - no retry: the connections never sit idle long enough to time out
            if conn:
                conn.close()
            conn = None
            error = f"{type(e).__name__}: {e}"
        stats.record(kind.name, error, time.monotonic() - started)
    if conn:
        conn.close()


# MARK: faults


INJECTED = [
    # (name, fault knob body, expected status of the one request that meets it)
    ("upstream HTTP 500", {"action": "status", "status": 500, "body": "{\"errcode\":-1,\"errmsg\":\"system error\"}"}, 500),
    ("upstream reset mid-body", {"action": "reset"}, 502),
    # libcurl resends a request on another connection when a reused one closes before any answer, up to 5
    # times (CONN_MAX_RETRIES): the drop must outlast the resends.
    ("upstream drops the connection", {"action": "drop", "count": 8}, 502),
    ("upstream slower than upstream.timeout", {"action": "none", "delay_ms": 3000}, 504),
    ("upstream errcode -1", {"action": "errcode", "errcode": -1}, 200),
]

TOKEN_FAULTS = [
    ("token endpoint errcode -1 ×3", {"path": "/cgi-bin/stable_token", "action": "errcode", "errcode": -1, "count": 3}),
    ("token endpoint HTTP 500 ×2", {"path": "/cgi-bin/stable_token", "action": "status", "status": 500, "count": 2}),
    ("token endpoint drops ×2", {"path": "/cgi-bin/stable_token", "action": "drop", "count": 2}),
    ("token endpoint slower than the timeout", {"path": "/cgi-bin/stable_token", "action": "none", "delay_ms": 3000, "count": 1}),
]


def inject(emulator_port, sidecar_port, stats, counter):
    name, fault, expected = INJECTED[counter % len(INJECTED)]
    # A trailing segment, so one fault's prefix (/echo/injected/1/) never matches another call (/echo/injected/12/).
    path = f"/echo/injected/{counter}/call"
    fault = dict(fault, path=path)
    fault.setdefault("count", 1)
    knob(emulator_port, "POST", "fault", fault)
    try:
        status, _, data = call(sidecar_port, "GET", path, timeout=15)
    except Exception as e:  # noqa: BLE001
        status, data = None, repr(e).encode()
    ok = status == expected and (expected != 200 or errcode(data) == -1)
    with stats.lock:
        stats.injected.append((name, expected, status, ok))
    if not ok:
        log(f"injected fault {name!r}: expected {expected}, got {status} {data[:200]!r}")


# MARK: the run


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--duration", type=float, default=600, help="seconds of load")
    parser.add_argument("--rate", type=float, default=50, help="requests per second")
    parser.add_argument("--workers", type=int, default=12)
    parser.add_argument("--sample", type=float, default=5, help="seconds between fd/RSS samples")
    parser.add_argument("--fault-every", type=float, default=15, help="seconds between injected upstream faults")
    parser.add_argument("--token-fault-every", type=float, default=40)
    # Invalidations fall half-way between token-endpoint faults (20 s apart), never during one: recovering
    # from 40001 needs a working token endpoint, and a fault window lasts at most ~8 s.
    parser.add_argument("--invalidate-every", type=float, default=80)
    parser.add_argument("--whitelist-every", type=float, default=50)
    parser.add_argument("--warmup", type=float, default=None, help="seconds excluded from growth checks")
    parser.add_argument("--max-rss-growth-kib", type=int, default=None)
    parser.add_argument("--max-rss-per-request-kib", type=float, default=1.0,
                        help="the most anonymous RSS may rise per request after warm-up (least-squares slope over the samples)")
    parser.add_argument("--max-fd-growth", type=int, default=8)
    parser.add_argument("--out", default=None, help="folder for samples.csv and the logs (kept)")
    args = parser.parse_args()
    warmup = args.warmup if args.warmup is not None else min(60.0, args.duration / 4)
    # Allowed RSS growth after warm-up: allocator and cache settling, not a per-request leak.
    max_rss_growth = args.max_rss_growth_kib or max(8192, int(args.duration * 16))

    workdir = tempfile.mkdtemp(prefix="wxsidecar-soak-")
    out = args.out or workdir
    os.makedirs(out, exist_ok=True)
    children = []
    try:
        emulator_port = free_port()
        emulator = Child("emulator", [args.binary, "emulate", "--listen", f"127.0.0.1:{emulator_port}",
                                      "--token-lifetime", "50"], workdir)
        children.append(emulator)
        emulator.wait_for(r"server\.port=(\d+)", 20)
        knob(emulator_port, "POST", "settings", {"overlap": 20, "image_bytes": IMAGE_BYTES})

        with open(os.path.join(workdir, "appsecret"), "w") as f:
            f.write("emulator-secret\n")
        whitelist = os.path.join(workdir, "whitelist.txt")
        whitelist_text = "/wxa/msg_sec_check\n/wxa/getwxacode\n/tcb/invokecloudfunction\n/echo/*\n"
        with open(whitelist, "w") as f:
            f.write(whitelist_text)
        config = os.path.join(workdir, "wxsidecar.yaml")
        with open(config, "w") as f:
            f.write(f"""appid: "wx0123456789abcdef"
secret_file: "{workdir}/appsecret"
listen: "127.0.0.1:0"
upstream:
  base_url: "http://127.0.0.1:{emulator_port}"
  timeout: 2
token:
  file: "{workdir}/wx/cloudbase_access_token"
  refresh_interval: 600
whitelist:
  file: "{whitelist}"
log:
  level: "info"
shutdown_grace: 5
""")
        sidecar = Child("wxsidecar", [args.binary, "run", "--config", config], workdir)
        children.append(sidecar)
        port = int(sidecar.wait_for(r"wxsidecar\.listen=127\.0\.0\.1:(\d+)", 30).group(1))
        deadline = time.monotonic() + 30
        while call(port, "GET", "/-/ready")[0] != 200:
            if time.monotonic() > deadline:
                raise RuntimeError("the sidecar never became ready")
            time.sleep(0.1)
        first_token = knob(emulator_port, "GET", "tokens")["stable"]["fingerprint"]
        log(f"sidecar pid {sidecar.pid} on :{port}, emulator on :{emulator_port}; "
            f"{args.rate:g} req/s for {args.duration:g} s; output in {out}")

        stats = Stats()
        slots = queue.Queue(maxsize=int(args.rate * 10))
        stop = threading.Event()
        threads = [threading.Thread(target=worker, args=(port, slots, stats, stop), daemon=True)
                   for _ in range(args.workers)]
        for t in threads:
            t.start()
        weighted = [k for k in KINDS for _ in range(k.weight)]
        samples = []  # (t, fds, rss, threads, upstream, anon)
        tokens_seen = {first_token}
        events = []
        start = time.monotonic()
        interval = 1.0 / args.rate
        scheduled = dropped = 0
        next_sample = next_fault = start
        next_token_fault = start + args.token_fault_every / 2
        next_invalidate = start + args.invalidate_every / 2
        next_whitelist = start + args.whitelist_every
        fault_counter = 0
        while True:
            now = time.monotonic()
            elapsed = now - start
            if elapsed >= args.duration:
                break
            due = int(elapsed / interval) + 1
            while scheduled < due:
                try:
                    slots.put_nowait(weighted[scheduled % len(weighted)])
                except queue.Full:
                    dropped += 1
                scheduled += 1
            if now >= next_sample:
                if not sidecar.alive():
                    raise RuntimeError(f"wxsidecar died:\n{sidecar.text()[-3000:]}")
                samples.append((elapsed,) + proc_sample(sidecar.pid, emulator_port))
                tokens_seen.add((knob(emulator_port, "GET", "tokens").get("stable") or {}).get("fingerprint"))
                next_sample += args.sample
            if now >= next_fault:
                threading.Thread(target=inject, args=(emulator_port, port, stats, fault_counter), daemon=True).start()
                fault_counter += 1
                next_fault += args.fault_every
            if now >= next_token_fault:
                name, fault = TOKEN_FAULTS[len(events) % len(TOKEN_FAULTS)]
                knob(emulator_port, "POST", "fault", fault)
                events.append((elapsed, name))
                next_token_fault += args.token_fault_every
            if now >= next_invalidate:
                knob(emulator_port, "POST", "invalidate")
                events.append((elapsed, "every token invalidated (40001 recovery)"))
                next_invalidate += args.invalidate_every
            if now >= next_whitelist:
                with open(whitelist + ".tmp", "w") as f:
                    f.write(whitelist_text + f"# rewritten at {elapsed:.0f}s\n")
                os.replace(whitelist + ".tmp", whitelist)
                events.append((elapsed, "whitelist rewritten"))
                next_whitelist += args.whitelist_every
            time.sleep(min(interval, 0.01))
        # Let the last requests finish (bounded).
        drain_deadline = time.monotonic() + 30
        while not slots.empty() and time.monotonic() < drain_deadline:
            time.sleep(0.05)
        stop.set()
        for t in threads:
            t.join(30)
        samples.append((time.monotonic() - start,) + proc_sample(sidecar.pid, emulator_port))
        ready = call(port, "GET", "/-/ready")[0]
        metrics = call(port, "GET", "/-/metrics")[2].decode()
        emulator_stats = knob(emulator_port, "GET", "stats")
        exit_status = sidecar.stop()
        children.remove(sidecar)

        # MARK: verdict
        with open(os.path.join(out, "samples.csv"), "w") as f:
            f.write("seconds,fds,rss_kib,threads,upstream_connections,rss_anon_kib\n")
            for s in samples:
                f.write(f"{s[0]:.1f},{s[1]},{s[2]},{s[3]},{s[4]},{s[5]}\n")
        settled = [s for s in samples if s[0] >= warmup] or samples
        half = len(settled) // 2 or 1
        fd_first, fd_last = max(s[1] for s in settled[:half]), max(s[1] for s in settled[half:] or settled)
        rss_first = statistics.median(s[2] for s in settled[:max(1, len(settled) // 4)])
        rss_last = statistics.median(s[2] for s in settled[-max(1, len(settled) // 4):])
        requests = stats.total_ok + len(stats.failures)
        achieved = requests / args.duration
        # A leak shows as a steady rise, however small the run: the least-squares slope of anonymous RSS over the settled
        # samples, per request. (A retained 5 KiB per call rose 260 KiB/s at 50 req/s while the growth check above
        # still passed a 45 s run.)
        slope = rss_slope(settled)
        upstream_max = max(s[4] for s in samples)
        per_request = slope / achieved if achieved else 0.0
        latencies = sorted(stats.latencies)
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0  # noqa: E731
        injected_ok = sum(1 for i in stats.injected if i[3])
        rotations = len({t for t in tokens_seen if t})
        forced = re.search(r'wxsidecar_token_forced_refreshes_total\{[^}]*result="done"\} (\d+)', metrics)
        log(f"duration {args.duration:g} s at {args.rate:g} req/s: {requests} requests "
            f"({achieved:.1f}/s achieved; {dropped} slots dropped), {len(stats.failures)} failed")
        log("  by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.ok.items())))
        log(f"  latency p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, max {p(1.0):.1f} ms")
        log(f"  injected upstream faults: {injected_ok}/{len(stats.injected)} answered as expected")
        log(f"  other events: {len(events)} ({', '.join(sorted({e[1] for e in events}))})")
        log(f"  tokens seen: {rotations} (rotation every 30 s), forced refreshes: {forced.group(1) if forced else 0}; "
            f"emulator saw {emulator_stats['requests']} requests, {emulator_stats['faults_applied']} faults applied")
        log(f"  fds: min {min(s[1] for s in samples)}, max {max(s[1] for s in samples)}; after warm-up "
            f"max {fd_first} (first half) vs {fd_last} (second half); upstream connections (apart) max {upstream_max}")
        log(f"  RSS: start {samples[0][2]} KiB, after warm-up median {rss_first:.0f} KiB, end median {rss_last:.0f} KiB, "
            f"max {max(s[2] for s in samples)} KiB; anonymous {samples[0][5]} → {samples[-1][5]} KiB, slope after warm-up "
            f"{slope:.1f} KiB/s = {per_request:.3f} KiB per request; threads {samples[-1][3]}")
        log(f"  exit status on SIGTERM: {exit_status}; samples in {os.path.join(out, 'samples.csv')}")

        problems = []
        if stats.failures:
            problems.append(f"{len(stats.failures)} non-injected requests failed, first: {stats.failures[:5]}")
        if injected_ok != len(stats.injected):
            problems.append(f"injected faults not answered as expected: {[i for i in stats.injected if not i[3]]}")
        if achieved < 0.95 * args.rate:
            problems.append(f"rate {achieved:.1f}/s is below 95% of {args.rate:g}/s")
        if upstream_max > MAX_HOST_CONNECTIONS:
            problems.append(f"{upstream_max} upstream connections: more than libcurl's {MAX_HOST_CONNECTIONS} to one host")
        if fd_last > fd_first + args.max_fd_growth:
            problems.append(f"file descriptors grew: {fd_first} → {fd_last}")
        if rss_last - rss_first > max_rss_growth:
            problems.append(f"RSS grew by {rss_last - rss_first:.0f} KiB (allowed {max_rss_growth})")
        if per_request > args.max_rss_per_request_kib:
            problems.append(f"anonymous RSS rose {per_request:.2f} KiB per request ({slope:.0f} KiB/s; allowed "
                            f"{args.max_rss_per_request_kib:g})")
        if ready != 200:
            problems.append(f"not ready at the end ({ready})")
        if exit_status != 0:
            problems.append(f"exit status {exit_status} on SIGTERM")
        if args.duration >= 60 and rotations < int(args.duration / 30) - 1:
            problems.append(f"only {rotations} tokens seen in {args.duration:g} s")
        if out != workdir:
            for child in [emulator, sidecar]:
                shutil.copy(child.log_path, out)
        if problems:
            for problem in problems:
                log("FAIL: " + problem)
            print("soak: FAILED")
            return 1
        print("soak: PASSED")
        return 0
    finally:
        for child in children:
            child.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
