"""Fetching pages: SSRF refusal, redirects, limits; URL import and refetch from a local server.

The server is http.server on 127.0.0.1 with an ephemeral port, serving saved pages; nothing here
touches the internet. 127.0.0.1 is reachable only because the tests put it on the allow-list.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kb.documents import read_document
from kb.importers.fetch import ENV_ALLOW, BlockedError, FetchError, fetch
from kb.importers.later import refetch
from kb.importers.service import import_export, import_url
from kb.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def _routes() -> dict[str, tuple[int, dict[str, str], bytes]]:
    html = {"Content-Type": "text/html; charset=utf-8"}
    return {
        "/zh-article.html": (200, html, (FIXTURES / "zh-article.html").read_bytes()),
        "/gbk.html": (200, {"Content-Type": "text/html"}, (FIXTURES / "zh-gbk.html").read_bytes()),
        "/hostile.html": (200, html, (FIXTURES / "hostile.html").read_bytes()),
        "/moved": (302, {"Location": "/zh-article.html"}, b""),
        "/to-private": (302, {"Location": "http://10.0.0.1/admin"}, b""),
        "/to-metadata": (301, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
        "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
        "/big.html": (200, html, b"<p>" + "很长的内容".encode() * 10_000 + b"</p>"),
        "/image.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n"),
        "/empty.html": (200, html, b"<html><head><title>t</title></head><body></body></html>"),
    }


class _Handler(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        status, headers, body = self.routes.get(self.path.split("?")[0], (404, {}, b"not found"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    _Handler.routes = _routes()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def allow_local(monkeypatch):
    monkeypatch.setenv(ENV_ALLOW, "127.0.0.1")


@pytest.fixture
def ws(tmp_path):
    return Workspace.open(tmp_path)


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/file.txt",
        "gopher://example.com/",
        "http://127.0.0.1/",
        "http://10.1.2.3/",
        "http://192.168.1.1/router",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://localhost/",  # a name that resolves to loopback
        "http://2130706433/",  # 127.0.0.1 written as a number
        "http://user:pw@example.com/",
    ],
)
def test_refuses_non_web_schemes_and_internal_addresses(monkeypatch, url):
    monkeypatch.delenv(ENV_ALLOW, raising=False)
    with pytest.raises(BlockedError):
        fetch(url)


def test_local_server_is_refused_without_the_allow_list(server, monkeypatch):
    monkeypatch.delenv(ENV_ALLOW, raising=False)
    with pytest.raises(BlockedError, match=ENV_ALLOW):
        fetch(server + "/zh-article.html")


@pytest.mark.parametrize("path", ["/to-private", "/to-metadata", "/to-file"])
def test_redirect_to_a_refused_address_is_refused(server, allow_local, path):
    with pytest.raises(BlockedError):
        fetch(server + path)


def test_allow_list_by_name_lets_a_named_host_through(server, monkeypatch):
    monkeypatch.setenv(ENV_ALLOW, "localhost")
    port = server.rsplit(":", 1)[1]
    page = fetch(f"http://localhost:{port}/zh-article.html")
    assert "抖音".encode() in page.body


# --- fetching ----------------------------------------------------------------------------


def test_follows_redirects_and_reports_the_final_url(server, allow_local):
    page = fetch(server + "/moved")
    assert page.url.endswith("/zh-article.html")
    assert page.content_type == "text/html" and page.charset == "utf-8"


def test_limits_redirects_size_and_content_type(server, allow_local):
    with pytest.raises(FetchError, match="重定向次数过多"):
        fetch(server + "/loop")
    with pytest.raises(FetchError, match="页面太大"):
        fetch(server + "/big.html", max_bytes=10_000)
    with pytest.raises(FetchError, match="不支持的内容类型"):
        fetch(server + "/image.png")
    with pytest.raises(FetchError, match="404"):
        fetch(server + "/missing")


# --- importing by URL ----------------------------------------------------------------------


def test_import_url_saves_a_chinese_article_with_metadata(server, allow_local, ws):
    url = server + "/zh-article.html?utm_source=weixin"
    report = import_url(ws, url)
    assert report.failed == [] and len(report.imported) == 1
    doc = read_document(ws.config.root / "articles" / f"{report.imported[0]}.md")
    assert doc.title == "抖音渠道流量腰斩：一次复盘"
    assert doc.id == "抖音渠道流量腰斩-一次复盘"
    assert doc.source == server + "/zh-article.html"  # tracking parameters dropped
    assert doc.meta["author"] == "李明" and doc.meta["site"] == "运营研究社"
    assert str(doc.meta["published"]) == "2026-03-02"
    assert "点击率从 3.1% 跌到 0.8%" in doc.body and "版权所有" not in doc.body
    assert [s.value for s in report.suggestions[doc.id].problems][0] == "channel-traffic-drop"
    again = import_url(ws, server + "/zh-article.html")  # same page without tracking params
    assert again.imported == [] and again.skipped[0][1].code == "dedupe.url"


def test_import_url_decodes_gbk_pages(server, allow_local, ws):
    report = import_url(ws, server + "/gbk.html")
    doc = report.documents[report.imported[0]]
    assert doc.title == "复购率下降怎么办" and "复购率从 32% 降到 25%" in doc.body


def test_import_url_sanitises_a_hostile_page(server, allow_local, ws):
    report = import_url(ws, server + "/hostile.html")
    text = (ws.config.root / "articles" / f"{report.imported[0]}.md").read_text("utf-8")
    for bad in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "<iframe",
        "<object",
        "<embed",
        "<style",
        "evil.example",
        "data:image",
    ):
        assert bad not in text, bad
    assert "转化率往往能提升一成以上" in text


def test_import_url_reports_refusals_and_failures(server, allow_local, ws):
    report = import_url(ws, server + "/to-private")
    assert report.imported == [] and report.failed[0][1].code == "fetch.address_refused"
    report = import_url(ws, server + "/empty.html")
    assert report.imported == [] and report.failed[0][1].code == "import.no_main_text"
    assert not (ws.config.root / "articles").exists() or not any(
        (ws.config.root / "articles").iterdir()
    )


# --- exports with fetching, link-only and refetch -------------------------------------------


def _bookmarks(server: str) -> bytes:
    return f"""<!DOCTYPE NETSCAPE-Bookmark-file-1>
<DL><p>
<DT><A HREF="{server}/zh-article.html" ADD_DATE="1772409600" TAGS="抖音">渠道复盘</A>
<DT><A HREF="{server}/gbk.html" ADD_DATE="1772496000">复购</A>
<DT><A HREF="{server}/missing" ADD_DATE="1772582400">Gone</A>
<DT><A HREF="http://10.0.0.7/wiki" ADD_DATE="1772582400">Intranet wiki</A>
</DL><p>""".encode()


def test_export_entries_are_fetched_or_kept_as_link_only(server, allow_local, ws):
    seen = []
    report = import_export(
        ws, "bookmarks.html", _bookmarks(server), on_progress=lambda d, t, i: seen.append((d, t))
    )
    assert len(report.imported) == 4 and report.failed == []
    assert len(report.link_only) == 2
    assert seen[-1] == (4, 4) and [d for d, _ in seen] == [1, 2, 3, 4]
    fetched = report.documents[report.imported[0]]
    assert (
        fetched.title == "渠道复盘" and "抖音" in fetched.tags and "UV 下降了 21%" in fetched.body
    )
    gone = report.documents[report.imported[2]]
    assert gone.meta["link_only"] is True and "404" in gone.body and "仅链接" in gone.body
    intranet = report.documents[report.imported[3]]
    assert intranet.meta["link_only"] is True and "拒绝" in intranet.body


def test_refetch_fills_a_link_only_article(server, allow_local, ws):
    data = f"title,url,time_added,tags,status\n复盘,{server}/moved,1772409600,抖音,unread\n"
    report = import_export(ws, "pocket.csv", data.encode(), fetch=False)
    doc_id = report.link_only[0]
    before = read_document(ws.config.root / "articles" / f"{doc_id}.md")
    assert before.meta["link_only"] is True and str(before.created) == "2026-03-02"
    again = refetch(ws, doc_id)
    assert again.imported == [doc_id]
    after = read_document(ws.config.root / "articles" / f"{doc_id}.md")
    assert "link_only" not in after.meta
    assert "UV 下降了 21%" in after.body
    assert after.tags == ["抖音"] and after.title == "复盘" and after.created == before.created


def test_refetch_failure_leaves_the_article_as_it_was(server, allow_local, ws):
    data = f"title,url,time_added,tags,status\nGone,{server}/missing,1772409600,,unread\n"
    doc_id = import_export(ws, "pocket.csv", data.encode(), fetch=False).imported[0]
    path = ws.config.root / "articles" / f"{doc_id}.md"
    text = path.read_text("utf-8")
    report = refetch(ws, doc_id)
    assert report.imported == [] and "404" in report.failed[0][1].zh
    assert path.read_text("utf-8") == text
