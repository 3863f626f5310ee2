"""Fetching one web page without becoming a door into the internal network (no SSRF).

Only http(s). The host is resolved once, every address is checked (private, loopback,
link-local, multicast, reserved and unspecified ranges are refused, IPv4 and IPv6, including
IPv4 addresses wrapped in IPv6), and the connection goes to exactly the address that was checked,
so a DNS answer that changes between check and use cannot slip through. Each redirect is checked
the same way. Hosts or networks the team trusts go in ``OPSKB_ALLOW_HOSTS`` (comma-separated
host names, addresses or CIDR networks, e.g. ``127.0.0.1`` for tests or ``wiki.intra``).
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

from kb.importers import limits
from kb.importers.messages import msg

ENV_ALLOW = "OPSKB_ALLOW_HOSTS"
USER_AGENT = "Mozilla/5.0 (compatible; OpsKB/0.1; read-later import)"
OK_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/markdown", "text/x-markdown")
REDIRECTS = (301, 302, 303, 307, 308)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class FetchError(Exception):
    """The page could not be fetched; ``message`` says why (a code, both languages)."""

    def __init__(self, code: str, **params: object):
        self.message = msg(code, **params)
        super().__init__(str(self.message))


class BlockedError(FetchError):
    """The URL is refused by policy (scheme or address), not by the network."""


@dataclass
class AllowList:
    names: set[str] = field(default_factory=set)
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = field(default_factory=list)

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        out = cls()
        for raw in entries:
            entry = raw.strip().strip("[]").lower()
            if not entry:
                continue
            try:
                out.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                out.names.add(entry.rstrip("."))
        return out

    @classmethod
    def from_env(cls, extra: Iterable[str] = ()) -> AllowList:
        env = os.environ.get(ENV_ALLOW, "").replace(";", ",").replace(" ", ",")
        return cls.parse([*env.split(","), *extra])

    def allows_name(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.names

    def allows_ip(self, ip: IP) -> bool:
        return any(ip.version == n.version and ip in n for n in self.networks)


@dataclass
class Page:
    url: str  # final URL, after redirects
    content_type: str
    charset: str | None
    body: bytes


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IP) -> bool:
    """True for an address on the public internet; False for anything internal or special."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None and not is_public(inner):
            return False
    special = (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
        or (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED)
    )
    return ip.is_global and not special


def system_resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("fetch.dns_failed", host=host, error=str(exc)) from None
    return list(dict.fromkeys(info[4][0] for info in infos))


@dataclass
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path + query, percent-encoded
    ips: tuple[str, ...]  # the checked addresses, tried in this order

    @property
    def ip(self) -> str:
        return self.ips[0]


def check_url(url: str, allow: AllowList, resolve: Resolver = system_resolve) -> Target:
    """Refuse what policy forbids; return where to connect. Raises BlockedError / FetchError."""
    if len(url) > limits.MAX_URL_CHARS:
        raise BlockedError("fetch.url_too_long")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise BlockedError("fetch.url_invalid", error=str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise BlockedError(
            "fetch.scheme_refused", scheme=f"{scheme}:" if scheme else msg("fetch.no_scheme")
        )
    if parts.username or parts.password:
        raise BlockedError("fetch.credentials_refused")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise BlockedError("fetch.no_host")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise BlockedError("fetch.host_invalid", host=host) from None
    port = port or (443 if scheme == "https" else 80)
    try:
        literal = ipaddress.ip_address(host)
        addresses = [str(literal)]
    except ValueError:
        literal = None
        addresses = resolve(host, port)
    if not addresses:
        raise FetchError("fetch.no_address", host=host)
    named_ok = literal is None and allow.allows_name(host)
    for text in addresses:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
        if not (named_ok or allow.allows_ip(ip) or is_public(ip)):
            raise BlockedError("fetch.address_refused", host=host, ip=str(ip), env=ENV_ALLOW)
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    ips = tuple(dict.fromkeys(a.split("%", 1)[0] for a in addresses))
    return Target(scheme, host, port, path, ips)


class _Clock:
    """The whole fetch's deadline; every socket operation gets at most what is left of it."""

    def __init__(self, total: float, per_op: float):
        self.end = time.monotonic() + total
        self.per_op = per_op

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("fetch deadline passed")
        return min(left, self.per_op)


class _Deadline:
    """Mixin: a socket whose timeout is set to the time left before every receive and send.

    http.client reads headers line by line and the body in chunks, each a separate recv; a
    server sending one byte every few seconds would otherwise restart a per-call timeout forever.
    """

    clock: _Clock

    def recv(self, *args, **kwargs):
        self.settimeout(self.clock.left())
        return super().recv(*args, **kwargs)

    def recv_into(self, *args, **kwargs):
        self.settimeout(self.clock.left())
        return super().recv_into(*args, **kwargs)

    def send(self, *args, **kwargs):
        self.settimeout(self.clock.left())
        return super().send(*args, **kwargs)

    def sendall(self, *args, **kwargs):  # one deadline for the whole call (CPython)
        self.settimeout(self.clock.left())
        return super().sendall(*args, **kwargs)


class _DeadlineSocket(_Deadline, socket.socket):
    """A plain socket under the deadline."""


class _DeadlineSSLSocket(_Deadline, ssl.SSLSocket):
    """A TLS socket under the deadline (its reads and writes go through the same methods)."""


def _within(resolve: Resolver, clock: _Clock) -> Resolver:
    """The resolver, bounded by the deadline too (a slow DNS server must not hold an import).

    The lookup runs in a daemon thread; when time is up the fetch fails and the thread is left
    to finish on its own (getaddrinfo cannot be interrupted)."""

    def bounded(host: str, port: int) -> list[str]:
        box: dict[str, object] = {}

        def work() -> None:
            try:
                box["value"] = resolve(host, port)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                box["error"] = exc

        thread = threading.Thread(target=work, name=f"resolve {host}", daemon=True)
        thread.start()
        thread.join(clock.left())
        if thread.is_alive():
            raise TimeoutError(f"resolving {host} took too long")
        if "error" in box:
            raise box["error"]  # type: ignore[misc]
        return box["value"]  # type: ignore[return-value]

    return bounded


def _connect(target: Target, clock: _Clock) -> socket.socket:
    """Connect to the checked addresses in order; the first that answers wins."""
    last: OSError | None = None
    for ip in target.ips:
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        sock = _DeadlineSocket(family, socket.SOCK_STREAM)
        sock.clock = clock
        try:
            sock.settimeout(clock.left())  # TimeoutError once the deadline has passed: stop
            sock.connect((ip, target.port))
            return sock
        except TimeoutError:
            sock.close()
            if clock.end <= time.monotonic():
                raise
            last = TimeoutError(f"connect to {ip} timed out")
        except OSError as exc:
            sock.close()
            last = exc
    raise last or OSError("no address to connect to")


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, clock: _Clock):
        super().__init__(target.host, target.port, timeout=clock.per_op)
        self._target, self._clock = target, clock

    def connect(self) -> None:
        self.sock = _connect(self._target, self._clock)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, clock: _Clock):
        context = ssl.create_default_context()
        context.sslsocket_class = _DeadlineSSLSocket
        super().__init__(target.host, target.port, timeout=clock.per_op, context=context)
        self._target, self._clock = target, clock

    def connect(self) -> None:
        sock = _connect(self._target, self._clock)
        sock.settimeout(self._clock.left())  # the handshake: one deadline for the whole call
        ssl_sock = self._context.wrap_socket(sock, server_hostname=self.host)
        ssl_sock.clock = self._clock
        self.sock = ssl_sock


def _media_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "text/html", None
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media.strip().lower(), charset


def _read(resp: http.client.HTTPResponse, max_bytes: int) -> bytes:
    length = resp.getheader("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise FetchError("fetch.too_large", size=int(length), limit=max_bytes)
    chunks, total = [], 0
    while True:
        chunk = resp.read(65536)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise FetchError("fetch.too_large_read", limit=max_bytes)
        chunks.append(chunk)
    body = b"".join(chunks)
    encoding = (resp.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        wbits = 47 if "gzip" in encoding else 15  # 47 = auto-detect gzip/zlib header
        inflater = zlib.decompressobj(wbits)
        try:
            body = inflater.decompress(body, max_bytes + 1)
        except zlib.error as exc:
            raise FetchError("fetch.corrupt_gzip", error=str(exc)) from None
        if len(body) > max_bytes or inflater.unconsumed_tail:
            raise FetchError("fetch.too_large_unzipped", limit=max_bytes)
    elif encoding not in ("identity", ""):
        raise FetchError("fetch.encoding_unsupported", encoding=encoding)
    return body


def fetch(
    url: str,
    *,
    allow: AllowList | None = None,
    resolve: Resolver = system_resolve,
    timeout: float = limits.FETCH_TIMEOUT,
    deadline: float = limits.FETCH_DEADLINE,
    max_bytes: int = limits.MAX_PAGE_BYTES,
    max_redirects: int = limits.MAX_REDIRECTS,
) -> Page:
    """GET one page (HTML or text) under the policy above; raise FetchError with the reason.

    ``timeout`` bounds each network operation, ``deadline`` the whole fetch (all redirects,
    connects, header and body reads): every socket call gets at most the time left.
    """
    allow = allow if allow is not None else AllowList.from_env()
    clock = _Clock(deadline, min(timeout, deadline))
    current = url.strip()
    for _hop in range(max_redirects + 1):
        try:
            target = check_url(current, allow, _within(resolve, clock))
        except TimeoutError:
            waited = deadline if time.monotonic() >= clock.end else clock.per_op
            raise FetchError("fetch.timeout", seconds=waited) from None
        cls = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
        conn = cls(target, clock)
        try:
            conn.request(
                "GET",
                target.path,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": "text/html,application/xhtml+xml,text/plain;q=0.8,*/*;q=0.1",
                    "Accept-Encoding": "gzip, identity",
                    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
                },
            )
            resp = conn.getresponse()
            if resp.status in REDIRECTS:
                location = resp.getheader("Location")
                if not location:
                    raise FetchError("fetch.redirect_no_location", status=resp.status)
                current = urljoin(current, location.strip())
                continue
            if resp.status != 200:
                raise FetchError("fetch.http_status", status=resp.status, reason=resp.reason)
            media, charset = _media_type(resp.getheader("Content-Type"))
            if media not in OK_TYPES:
                raise FetchError("fetch.type_unsupported", media=media)
            body = _read(resp, max_bytes)
            return Page(url=current, content_type=media, charset=charset, body=body)
        except (OSError, http.client.HTTPException) as exc:
            if isinstance(exc, TimeoutError | socket.timeout):
                waited = deadline if time.monotonic() >= clock.end else clock.per_op
                raise FetchError("fetch.timeout", seconds=waited) from None
            raise FetchError("fetch.network", error=f"{exc.__class__.__name__}: {exc}") from None
        finally:
            conn.close()
    raise FetchError("fetch.too_many_redirects", limit=max_redirects)
