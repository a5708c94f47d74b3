#!/usr/bin/env python3
"""Helpers for bench/proxy-limits.sh (standard library only; every mode is bounded in time).

  sink PORT                         HTTP/1.1 backend that reads and discards request bodies (Content-Length or
                                    chunked) and answers "received N"; keep-alive, one thread per connection
  rss PID OUT [MAX_SECONDS]         VmRSS of PID every 100 ms, "ms kib" lines, until SIGTERM/PID gone/MAX_SECONDS
  idle ...                          open N keep-alive connections through the proxy, one request each, then hold
                                    them idle while sampling the proxy's RSS (see idle --help)
  sockets OUT                       established TCP sockets from ss -tin as JSON (ports, queues, byte counters)
  backlog BEFORE AFTER BACKEND CLIENT   from two `sockets` snapshots around a slow download: what the backend
                                    got out, what the client socket received, what sits in the proxy's kernel
                                    queues, and the rest, i.e. what the proxy process itself holds
  startup ...                       launch a command, poll a URL every 10 ms until it proxies a 200 with the
                                    expected body; print the elapsed time; stop the command (see startup --help)
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


# --- sink -------------------------------------------------------------------------------------------------
def sink(args):
    srv = socket.create_server(("127.0.0.1", args.port), backlog=1024, reuse_port=False)

    def serve(conn):
        buf = bytearray(1 << 20)
        view = memoryview(buf)
        f = conn.makefile("rb", buffering=1 << 20)
        try:
            while True:
                line = f.readline(65536)
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    continue
                headers = {}
                while True:
                    h = f.readline(65536)
                    if h in (b"\r\n", b"\n", b""):
                        break
                    k, _, v = h.decode("latin-1").partition(":")
                    headers[k.strip().lower()] = v.strip()
                if headers.get("expect", "").lower() == "100-continue":
                    conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                total = 0
                if "chunked" in headers.get("transfer-encoding", "").lower():
                    while True:
                        size = int(f.readline(1024).split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while f.readline(65536) not in (b"\r\n", b"\n", b""):
                                pass  # trailers
                            break
                        left = size
                        while left:
                            n = f.readinto(view[:min(left, len(buf))])
                            if not n:
                                return
                            left -= n
                        total += size
                        f.readline(16)
                else:
                    left = int(headers.get("content-length", "0"))
                    while left:
                        n = f.readinto(view[:min(left, len(buf))])
                        if not n:
                            return
                        left -= n
                        total += n
                body = f"received {total}\n".encode()
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)
        except (OSError, ValueError):
            pass
        finally:
            conn.close()

    print(f"sink listening on {args.port}", flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


# --- rss --------------------------------------------------------------------------------------------------
def rss(args):
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    t0 = time.monotonic()
    with open(args.out, "w") as out:
        while not stop.is_set() and time.monotonic() - t0 < args.max_seconds:
            try:
                out.write(f"{(time.monotonic() - t0) * 1000:.0f} {rss_kib(args.pid)}\n")
                out.flush()
            except (OSError, RuntimeError):
                return
            stop.wait(0.1)


# --- idle connections -------------------------------------------------------------------------------------
async def one_request(reader, writer, request):
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    await reader.readexactly(length)
    return status


async def idle_main(args):
    request = (f"GET {args.path} HTTP/1.1\r\nHost: {args.host_header}\r\nUser-Agent: proxy-limits\r\n\r\n").encode()
    sem = asyncio.Semaphore(args.concurrency)
    conns, errors = [], []

    async def open_one():
        async with sem:
            try:
                r, w = await asyncio.open_connection("127.0.0.1", args.port)
                status = await one_request(r, w, request)
                if status != 200:
                    errors.append(f"HTTP {status}")
                conns.append((r, w))
            except (OSError, asyncio.IncompleteReadError, ValueError) as e:
                errors.append(repr(e))

    def sample(seconds):
        out, end = [], time.monotonic() + seconds
        while time.monotonic() < end:
            out.append(rss_kib(args.pid))
            time.sleep(0.1)
        return out

    before = sample(args.settle)
    t0 = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*(open_one() for _ in range(args.conns))), args.open_timeout)
    open_s = time.monotonic() - t0
    await asyncio.sleep(args.settle)  # idle: nothing is sent on any connection now
    after = await asyncio.to_thread(sample, args.settle)
    after_between = None
    if args.between:  # e.g. traffic on other connections next to the idle ones, then the same settle and samples
        await asyncio.to_thread(subprocess.run, args.between, shell=True, timeout=300)
        await asyncio.sleep(args.settle)
        after_between = await asyncio.to_thread(sample, args.settle)
    # Still open and usable? The proxy must not have dropped idle connections: reuse every 100th.
    probe_ok = probe_fail = 0
    for r, w in conns[::100]:
        try:
            if await asyncio.wait_for(one_request(r, w, request), 5) == 200:
                probe_ok += 1
            else:
                probe_fail += 1
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError):
            probe_fail += 1
    if args.hook:  # e.g. heap figures, while the connections are still open
        hook = await asyncio.to_thread(subprocess.run, args.hook, shell=True, capture_output=True, text=True, timeout=180)
        with open(args.hook_out, "w") as f:
            f.write(hook.stdout)
    result = dict(conns=len(conns), errors=len(errors), first_errors=errors[:3], open_seconds=round(open_s, 2),
                  rss_before_kib=statistics.median(before), rss_after_kib=statistics.median(after),
                  rss_after_max_kib=max(after),
                  rss_after_between_kib=None if after_between is None else statistics.median(after_between), probe_ok=probe_ok, probe_fail=probe_fail)
    if args.metrics_url:
        try:
            import urllib.request
            text = urllib.request.urlopen(args.metrics_url, timeout=5).read().decode()
            for line in text.splitlines():
                if line.startswith("edgeway_client_connections "):
                    result["proxy_client_connections"] = int(float(line.split()[1]))
        except OSError as e:
            result["metrics_error"] = repr(e)
    print(json.dumps(result), flush=True)
    for _, w in conns:
        w.close()


def idle(args):
    asyncio.run(asyncio.wait_for(idle_main(args), args.open_timeout + 4 * args.settle + 120))


# --- sockets / backlog ----------------------------------------------------------------------------------------
def sockets(args):
    out = subprocess.run(["ss", "-tinH", "state", "established"], capture_output=True, text=True, timeout=30).stdout
    socks, cur = [], None
    for line in out.splitlines():
        if line and not line[0].isspace():
            f = line.split()
            cur = dict(recvq=int(f[0]), sendq=int(f[1]), local=f[2], peer=f[3], acked=0, received=0)
            socks.append(cur)
        elif cur is not None:
            for tok in line.split():
                if tok.startswith("bytes_acked:"):
                    cur["acked"] = int(tok.split(":")[1])
                elif tok.startswith("bytes_received:"):
                    cur["received"] = int(tok.split(":")[1])
    json.dump(socks, open(args.out, "w"))


def backlog(args):
    port = lambda addr: int(addr.rsplit(":", 1)[1])
    before = {(s["local"], s["peer"]): s for s in json.load(open(args.before))}
    after = json.load(open(args.after))
    grown = lambda s, k: s[k] - before.get((s["local"], s["peer"]), {}).get(k, 0)
    # The backend's socket of this response, and the client's socket: the ones that grew most since `before`
    # (pooled connections carry counters from earlier requests).
    backend_sent = max((grown(s, "acked") for s in after if port(s["local"]) == args.backend_port), default=0)
    client_received = max((grown(s, "received") for s in after if port(s["peer"]) == args.client_port), default=0)
    if args.client_port == args.backend_port:  # direct: nothing in between
        print(backend_sent, client_received, 0, 0)
        return
    # Through the proxy: unread in its upstream sockets, unacknowledged in its client sockets.
    upstream_unread = sum(s["recvq"] for s in after if port(s["peer"]) == args.backend_port)
    client_unacked = sum(s["sendq"] for s in after if port(s["local"]) == args.client_port)
    print(backend_sent, client_received, upstream_unread, client_unacked)


# --- startup ----------------------------------------------------------------------------------------------
def http_get(port, path, host_header):
    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def startup(args):
    expected = open(args.expect_body, "rb").read()
    log = open(args.log, "wb")
    child = None

    def stop_child(*_):
        if child and child.poll() is None:
            child.kill()
        sys.exit(130)

    signal.signal(signal.SIGTERM, stop_child)
    signal.signal(signal.SIGINT, stop_child)
    ready_line = {}

    def pump(stream):
        for line in iter(stream.readline, b""):
            if b"edgeway dataplane listening" in line and "t" not in ready_line:
                ready_line["t"] = time.monotonic()
            log.write(line)
            log.flush()

    t0 = time.monotonic()
    child = subprocess.Popen(args.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    threading.Thread(target=pump, args=(child.stdout,), daemon=True).start()
    first_ok = None
    polls = 0
    while time.monotonic() - t0 < args.timeout and child.poll() is None:
        polls += 1
        try:
            status, body = http_get(args.port, args.path, args.host_header)
            if status == 200 and body == expected:
                first_ok = time.monotonic()
                break
        except (OSError, ValueError, IndexError):
            pass
        time.sleep(0.01)
    if first_ok is not None and args.requests_after:
        for _ in range(args.requests_after):  # for a training run: let the request path load its classes
            http_get(args.port, args.path, args.host_header)
    result = dict(pid=child.pid, polls=polls,
                  first_ok_ms=None if first_ok is None else round((first_ok - t0) * 1000),
                  ready_line_ms=round((ready_line["t"] - t0) * 1000) if "t" in ready_line else None)
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(args.stop_timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            result["killed"] = True
    result["exit_code"] = child.returncode
    print(json.dumps(result), flush=True)
    return 0 if first_ok is not None else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("sink")
    s.add_argument("port", type=int)
    s = sub.add_parser("rss")
    s.add_argument("pid", type=int)
    s.add_argument("out")
    s.add_argument("max_seconds", type=float, nargs="?", default=600)
    s = sub.add_parser("idle")
    s.add_argument("--pid", type=int, required=True, help="the proxy JVM")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--conns", type=int, default=10000)
    s.add_argument("--concurrency", type=int, default=200, help="connections being opened at once")
    s.add_argument("--path", default="/small")
    s.add_argument("--host-header", default="localhost")
    s.add_argument("--settle", type=float, default=5, help="seconds of RSS sampling before and after")
    s.add_argument("--open-timeout", type=float, default=120)
    s.add_argument("--metrics-url")
    s.add_argument("--between", help="shell command run after the 'after' samples, followed by a second settle and samples")
    s.add_argument("--hook", help="shell command run while the connections are open, after the RSS samples")
    s.add_argument("--hook-out", default=os.devnull)
    s = sub.add_parser("sockets")
    s.add_argument("out")
    s = sub.add_parser("backlog")
    s.add_argument("before")
    s.add_argument("after")
    s.add_argument("backend_port", type=int)
    s.add_argument("client_port", type=int)
    s = sub.add_parser("startup")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--path", default="/small")
    s.add_argument("--host-header", default="localhost")
    s.add_argument("--expect-body", required=True, help="file whose bytes the response body must equal")
    s.add_argument("--timeout", type=float, default=60)
    s.add_argument("--stop-timeout", type=float, default=30)
    s.add_argument("--requests-after", type=int, default=0)
    s.add_argument("--log", required=True)
    s.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args()
    if args.mode == "startup":
        if args.command and args.command[0] == "--":
            args.command = args.command[1:]
        sys.exit(startup(args))
    {"sink": sink, "rss": rss, "idle": idle, "sockets": sockets, "backlog": backlog}[args.mode](args)


if __name__ == "__main__":
    main()
