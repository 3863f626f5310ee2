"""What an imported page keeps: its structure (short pages too) and a date only from metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kb.importers.extract import extract_html
from kb.sanitize import render_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def test_a_short_page_keeps_headings_numbered_lists_and_links():
    found = extract_html((FIXTURES / "short-page.html").read_bytes(), url="https://e.example/x")
    assert found.title == "退款审核清单"
    body = found.body
    assert "## 先看三件事" in body
    assert "1. 退款原因分布\n2. 退款时效\n3. 高退款 SKU" in body
    assert "[退款处理指南](https://example.com/refund-guide)" in body
    assert "退款审核清单" not in body  # the title is not repeated in the body
    assert "首页" not in body and "©" not in body  # navigation and footer stay out
    html = render_markdown(body)
    assert "<h2>先看三件事</h2>" in html and "<ol>" in html and "<li>退款时效</li>" in html


def test_a_long_page_keeps_its_structure_and_drops_the_boilerplate():
    found = extract_html((FIXTURES / "zh-article.html").read_bytes())
    assert "## 原因排查" in found.body and "- 点击率：大幅下降" in found.body
    assert "版权所有" not in found.body and "关于我们" not in found.body


def _page(head: str = "", body: str = "<p>正文内容足够长，可以被当作文章正文来提取。</p>") -> str:
    return (
        f"<html><head><title>T</title>{head}</head><body><article><h1>T</h1>{body}</article>"
        "<footer><p>© 2026 某某运营社 版权所有 2026-05-05</p></footer></body></html>"
    )


@pytest.mark.parametrize(
    "head, body, expected",
    [
        ('<meta property="article:published_time" content="2025-03-02T08:00:00+08:00">', "", "2025-03-02"),
        ('<meta name="pubdate" content="2024/11/30">', "", "2024-11-30"),
        (
            '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": '
            '[{"@type": "WebPage"}, {"@type": "Article", "datePublished": "2025-07-09"}]}</script>',
            "",
            "2025-07-09",
        ),
        ("", '<p>发布于 <time datetime="2025-01-15">1月15日</time>，正文内容足够长。</p>', "2025-01-15"),
    ],
)  # fmt: skip
def test_published_comes_from_the_page_metadata(head, body, expected):
    found = extract_html(_page(head, body or "<p>正文内容足够长，可以被当作文章正文来提取。</p>"))
    assert found.published == dt.date.fromisoformat(expected)


def test_a_copyright_footer_is_never_the_publication_date():
    assert extract_html(_page()).published is None
    short = (FIXTURES / "short-page.html").read_bytes()  # "© 2026" in its footer
    assert extract_html(short).published is None
    broken = _page('<script type="application/ld+json">{"datePublished": "soon"</script>')
    assert extract_html(broken).published is None
    footer_time = _page(body="<p>正文内容足够长，可以被当作文章正文来提取。</p>").replace(
        "</footer>", '<time datetime="2026-01-01">2026</time></footer>'
    )
    assert extract_html(footer_time).published is None
