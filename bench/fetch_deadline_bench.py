"""How long a hostile or half-broken server can hold a URL import (issue 15: drip server).

    python bench/fetch_deadline_bench.py [--gap 2.5] [--deadline 30]

Scenarios, each against a local server on 127.0.0.1 (allow-listed), with the default limits
(10 s per network operation, 30 s for the whole fetch) unless --deadline says otherwise:
  header-drip   the status line and headers arrive one byte every GAP seconds
  body-drip     headers at once, then the body one byte every GAP seconds
  refused-first the name resolves to an address that refuses (127.0.0.2) before one that answers
Prints a Markdown table (outcome, wall seconds) for bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.importers.fetch import ENV_ALLOW, FetchError, fetch  # noqa: E402
from kb.importers.limits import FETCH_DEADLINE  # noqa: E402

BODY = b"<html><head><title>t</title></head><body><p>" + b"x" * 2000 + b"</p></body></html>"
HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n"
)


def serve(mode: str, gap: float, stop: threading.Event) -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)

    def handle(conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            if mode == "body-drip":
                conn.sendall(HEAD)
                data = BODY
            else:
                data = HEAD + BODY if mode == "header-drip" else b""
            if mode == "fast":
                conn.sendall(HEAD + BODY)
            for i in range(len(data)):
                if stop.is_set():
                    break
                conn.sendall(data[i : i + 1])
                time.sleep(gap)
        except OSError:
            pass
        finally:
            conn.close()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()
        sock.close()

    threading.Thread(target=loop, daemon=True).start()
    return sock.getsockname()[1]


def run(name: str, mode: str, gap: float, deadline: float, resolve=None) -> tuple[str, str, float]:
    stop = threading.Event()
    port = serve(mode, gap, stop)
    host = "two.test" if resolve else "127.0.0.1"
    start = time.monotonic()
    try:
        kwargs = {"deadline": deadline} | ({"resolve": resolve} if resolve else {})
        page = fetch(f"http://{host}:{port}/p.html", **kwargs)
        outcome = f"fetched {len(page.body)} bytes"
    except FetchError as exc:
        outcome = f"FetchError: {exc.message.en}"
    elapsed = time.monotonic() - start
    stop.set()
    return name, outcome, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gap", type=float, default=2.5, help="seconds between dripped bytes")
    parser.add_argument("--deadline", type=float, default=FETCH_DEADLINE)
    args = parser.parse_args()
    os.environ[ENV_ALLOW] = "127.0.0.0/8"
    rows = [
        run("header-drip", "header-drip", args.gap, args.deadline),
        run("body-drip", "body-drip", args.gap, args.deadline),
        run(
            "refused-first",
            "fast",
            args.gap,
            args.deadline,
            resolve=lambda host, port: ["127.0.0.2", "127.0.0.1"],
        ),
    ]
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs; gap {args.gap} s, "
          f"deadline {args.deadline:g} s\n")  # fmt: skip
    print("| scenario | outcome | seconds |")
    print("|---|---|---|")
    for name, outcome, elapsed in rows:
        print(f"| {name} | {outcome} | {elapsed:.2f} |")


if __name__ == "__main__":
    main()
