"""The fetch deadline holds against a slow server, and every checked address is tried in order.

The servers are plain sockets on 127.0.0.1 with an ephemeral port, in a thread; nothing touches
the internet. 127.0.0.0/8 is reachable only because the tests put it on the allow-list.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kb.importers.fetch import ENV_ALLOW, BlockedError, FetchError, fetch
from kb.importers.service import import_url
from kb.workspace import Workspace

PAGE = (
    b"<html><head><title>Drip</title></head><body><h1>Drip</h1>"
    + b"<p>"
    + "慢慢来的正文内容，足够长。".encode() * 20
    + b"</p></body></html>"
)


class _Drip:
    """Accepts connections and sends a valid response one byte every ``gap`` seconds."""

    def __init__(self, gap: float, head_only: bool = False):
        self.gap, self.head_only = gap, head_only
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(PAGE)}\r\n\r\n"
        ).encode()
        data = head + PAGE
        try:
            conn.recv(65536)
            for i in range(len(data)):
                if self.stop.is_set():
                    break
                conn.sendall(data[i : i + 1])
                time.sleep(self.gap)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(2)


@pytest.fixture
def drip():
    server = _Drip(gap=0.2)
    yield f"http://127.0.0.1:{server.port}"
    server.close()


@pytest.fixture
def allow_loopback(monkeypatch):
    monkeypatch.setenv(ENV_ALLOW, "127.0.0.0/8")


def test_a_dripping_server_fails_within_the_deadline(drip, allow_loopback):
    """Each byte comes well inside the per-operation timeout; only the overall deadline stops it."""
    start = time.monotonic()
    with pytest.raises(FetchError, match="超时"):
        fetch(drip + "/slow.html", timeout=5.0, deadline=1.0)
    assert time.monotonic() - start < 1.0 + 0.5


def test_import_from_a_dripping_server_fails_within_the_deadline(drip, allow_loopback, tmp_path):
    ws = Workspace.open(tmp_path)
    start = time.monotonic()
    report = import_url(ws, drip + "/slow.html", fetch_page=functools.partial(fetch, deadline=1.0))
    elapsed = time.monotonic() - start
    assert report.imported == [] and len(report.failed) == 1
    assert "超时" in str(report.failed[0][1])
    assert elapsed < 1.0 + 1.0  # deadline plus a small margin (the workspace is opened too)
    assert not (tmp_path / "articles").exists() or not any((tmp_path / "articles").iterdir())


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def page_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_every_checked_address_is_tried_in_order(page_server, allow_loopback):
    """The name resolves to 127.0.0.2 first (nothing listens there: refused), then 127.0.0.1."""
    seen = []

    def resolve(host: str, port: int) -> list[str]:
        seen.append(host)
        return ["127.0.0.2", "127.0.0.1"]

    page = fetch(f"http://two-addresses.test:{page_server}/p.html", resolve=resolve)
    assert seen == ["two-addresses.test"] and b"Drip" in page.body


def test_when_no_address_answers_the_error_says_so(page_server, allow_loopback):
    with pytest.raises(FetchError, match="ConnectionRefused"):
        fetch(
            f"http://nobody.test:{page_server}/p.html",
            resolve=lambda host, port: ["127.0.0.2", "127.0.0.3"],
        )


def test_a_slow_name_lookup_counts_against_the_deadline(allow_loopback):
    def slow(host: str, port: int) -> list[str]:
        time.sleep(3)
        return ["127.0.0.1"]

    start = time.monotonic()
    with pytest.raises(FetchError, match="超时"):
        fetch("http://slow-dns.test/", resolve=slow, deadline=0.5)
    assert time.monotonic() - start < 0.5 + 0.5


def test_a_name_with_any_refused_address_is_refused(page_server, monkeypatch):
    """A DNS answer mixing an allowed and a refused address is the rebinding trick: no fetch."""
    monkeypatch.setenv(ENV_ALLOW, "127.0.0.1")
    with pytest.raises(BlockedError):
        fetch(
            f"http://mixed.test:{page_server}/p.html",
            resolve=lambda host, port: ["127.0.0.1", "10.0.0.1"],
        )


def test_a_stalled_tls_handshake_counts_against_the_deadline(allow_loopback):
    """The server accepts the connection and never answers the TLS hello."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)
    try:
        start = time.monotonic()
        with pytest.raises(FetchError, match="超时"):
            fetch(f"https://127.0.0.1:{silent.getsockname()[1]}/", timeout=5.0, deadline=1.0)
        assert time.monotonic() - start < 1.0 + 0.5
    finally:
        silent.close()


TLS = Path(__file__).parent / "fixtures" / "tls"


class _SlowTLSPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        gap = 0.2 if "slow" in self.path else 0
        for i in range(0, len(PAGE), 64 if not gap else 1):
            self.wfile.write(PAGE[i : i + (64 if not gap else 1)])
            self.wfile.flush()
            time.sleep(gap)

    def log_message(self, *args) -> None:
        pass

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # the client gave up: expected in the slow case
            super().handle()


@pytest.fixture
def tls_server(monkeypatch):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _SlowTLSPage)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
    httpd.socket = server_ctx.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    default_context = ssl.create_default_context

    def trusting(*args, **kwargs):  # the fetcher trusts the test certificate, nothing else changes
        ctx = default_context(*args, **kwargs)
        ctx.load_verify_locations(TLS / "cert.pem")
        return ctx

    monkeypatch.setattr(ssl, "create_default_context", trusting)
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_https_pages_are_fetched_and_a_slow_one_stops_at_the_deadline(tls_server, allow_loopback):
    assert b"Drip" in fetch(tls_server + "/fast.html", deadline=5.0).body
    start = time.monotonic()
    with pytest.raises(FetchError, match="超时"):
        fetch(tls_server + "/slow.html", timeout=5.0, deadline=1.0)
    assert time.monotonic() - start < 1.0 + 0.5
