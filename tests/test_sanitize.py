"""What reaches the browser: no script in any form, article structure kept."""

from __future__ import annotations

from kb.sanitize import MAX_INPUT_CHARS, clean_html, clean_markdown, render_markdown

HOSTILE_HTML = """
<h2 onclick="alert(1)">标题</h2>
<p style="color:red" onmouseover="alert(2)">段落<script>alert(3)</script></p>
<img src="x" onerror="alert(4)"><img src="https://img.example.com/a.png" alt="图">
<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">
<a href="javascript:alert(5)">js</a> <a href="JaVaScRiPt:alert(6)">js2</a>
<a href="data:text/html,<script>alert(7)</script>">data</a>
<a href="//evil.example/x">protocol-relative</a> <a href="/relative">relative</a>
<a href="https://example.com/ok" target="_blank">ok</a> <a href="mailto:ops@example.com">mail</a>
<iframe src="https://evil.example/"></iframe><object data="x.swf"></object><embed src="x.swf">
<style>body{display:none}</style><form action="https://evil.example"><input name="pw">登录</form>
<svg onload="alert(8)"><circle/></svg>
"""


def test_clean_html_removes_every_script_vector():
    out = clean_html(HOSTILE_HTML).lower()
    for bad in (
        "<script",
        "onerror",
        "onclick",
        "onmouseover",
        "onload",
        "javascript:",
        "data:",
        "<iframe",
        "<object",
        "<embed",
        "<style",
        "<form",
        "<input",
        "<svg",
        "style=",
        "evil.example",
        "display:none",
        "登录",
    ):
        assert bad not in out, bad


def test_clean_html_keeps_article_structure_and_safe_links():
    out = clean_html(HOSTILE_HTML)
    assert "<h2>标题</h2>" in out
    assert "段落" in out
    assert '<img src="https://img.example.com/a.png" alt="图">' in out
    assert 'href="https://example.com/ok"' in out
    assert 'href="mailto:ops@example.com"' in out
    assert 'rel="noopener noreferrer nofollow"' in out
    assert 'href="/relative"' not in out  # only absolute web links survive
    assert "target=" not in out


def test_render_markdown_sanitises_raw_html_and_links():
    md = (
        "# 周报\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[点我](javascript:alert(3)) [正常](https://example.com)\n\n"
        '<a href="javascript:alert(4)" onclick="x">raw</a>\n'
    )
    html = render_markdown(md)
    assert "<h1>周报</h1>" in html
    for bad in ("<script", "onerror", "onclick", "javascript:"):
        assert bad not in html.lower()
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">正常</a>' in html


def test_render_markdown_supports_tables_fenced_code_and_lists():
    md = "| 指标 | 变化 |\n|---|---|\n| UV | -21% |\n\n```python\nx = '<b>'\n```\n\n1. 一\n2. 二\n"
    html = render_markdown(md)
    assert "<table>" in html and "<td>UV</td>" in html
    assert '<code class="language-python">' in html and "&lt;b&gt;" in html
    assert "<ol>" in html and "<li>二</li>" in html


def test_render_markdown_bounds_input():
    html = render_markdown("运" * (MAX_INPUT_CHARS + 10))
    assert "已截断" in html
    assert html.count("运") <= MAX_INPUT_CHARS


def test_clean_markdown_neutralises_html_but_leaves_code_and_text():
    md = (
        "<script>alert(1)</script> 和 \\<iframe src=x>\n"
        "[坏](javascript:alert(1)) [好](https://example.com/a_(b)) ![图](data:image/png;base64,AA)\n"
        "[ref]: javascript:alert(2)\n"
        "<https://example.com/autolink> `<b>inline</b>`\n"
        "```html\n<div onclick=x>code</div>\n```\n"
    )
    out = clean_markdown(md)
    assert "<script" not in out and "<iframe" not in out
    assert "&lt;script>" in out  # still reads the same once rendered
    assert "javascript:" not in out and "data:image" not in out
    assert "坏" in out and "[好](https://example.com/a_(b))" in out
    assert "<https://example.com/autolink>" in out
    assert "`<b>inline</b>`" in out
    assert "<div onclick=x>code</div>" in out  # inside a fence: shown as code, never run
    rendered = render_markdown(out)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
