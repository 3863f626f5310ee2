"""QA finding on import: a saved HTML page with no text to extract (only scripts, or a page
the extractor gives up on) was saved as an empty article, named after nothing ("article").
It is now reported as failed, with the reason, and nothing is written."""

from __future__ import annotations

import pytest

from kb.importers.service import import_file
from kb.workspace import Workspace


@pytest.fixture
def ws(tmp_path):
    return Workspace.open(tmp_path)


@pytest.mark.parametrize(
    "page",
    [
        b"<html><head><title>Only a title</title></head><body><script>var a=1</script></body>"
        b"</html>",
        b"<html><body><div></div><p>   </p></body></html>",
    ],
)
def test_html_file_without_text_fails_with_a_reason_and_writes_nothing(ws, tmp_path, page):
    report = import_file(ws, "page.html", page)
    assert report.imported == []
    assert [label for label, _ in report.failed] == ["page.html"]
    reason = report.failed[0][1]
    assert "正文" in reason.zh and "text" in reason.en
    assert not list(tmp_path.glob("articles/*.md"))


def test_html_file_with_text_is_still_imported(ws):
    page = "<html><head><title>直播间转化</title></head><body><p>直播间的转化率由停留时长决定。</p></body></html>"
    report = import_file(ws, "ok.html", page.encode())
    assert len(report.imported) == 1 and report.failed == []


def test_a_refused_document_is_reported_per_field_without_the_servers_path(ws, tmp_path):
    page = "---\nkind: log\ntitle: 预算下调\n---\n正文".encode()
    report = import_file(ws, "log.md", page)
    assert report.imported == []
    reason = report.failed[0][1]
    for text in (reason.zh, reason.en):
        assert str(tmp_path) not in text  # the file name is in the label; no server path
        assert "date" in text and "action" in text
    assert reason.zh.startswith("无法保存")
