"""Importing files and exports (no network): every format, dedupe, safe ids, bulk, CLI."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from conftest import write_doc
from kb.documents import ID_RE, load_collection, read_document
from kb.importers import cli
from kb.importers.exports import detect_format
from kb.importers.service import import_export, import_file
from kb.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture
def ws(tmp_path):
    return Workspace.open(tmp_path)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def saved(ws: Workspace, doc_id: str):
    return read_document(ws.config.root / "articles" / f"{doc_id}.md")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("pocket.csv", "pocket"),
        ("bookmarks.html", "netscape"),
        ("wallabag.json", "wallabag"),
        ("karakeep.json", "karakeep"),
        ("note.md", "markdown"),
        ("standup.txt", "text"),
        ("zh-article.html", "html"),
    ],
)
def test_detects_the_format_of_each_fixture(name, expected):
    assert detect_format(name, fixture(name)) == expected
    assert detect_format("upload", fixture(name)) in (expected, "text")  # no extension: sniffed


def test_pocket_csv_entries_become_link_only_articles_with_tags_dates_status(ws):
    report = import_export(ws, "pocket.csv", fixture("pocket.csv"), fetch=False)
    assert len(report.imported) == 2 and report.failed == []
    assert len(report.skipped) == 1 and report.skipped[0][1].code == "dedupe.in_run"  # host case

    first, second = (saved(ws, i) for i in report.imported)
    assert first.title == "抖音渠道流量腰斩：一次复盘" and first.tags == ["抖音", "复盘"]
    assert str(first.created) == "2026-03-02" and first.meta["link_only"] is True
    assert first.source == "https://news.example.com/zh-article.html"  # no utm_* kept
    assert "仅链接" in first.body
    assert second.meta["status"] == "archived"
    assert set(report.link_only) == set(report.imported)


def test_netscape_bookmarks_keep_tags_folders_notes_and_refuse_scripts(ws):
    report = import_export(ws, "bookmarks.html", fixture("bookmarks.html"), fetch=False)
    assert len(report.imported) == 2
    assert report.failed[0][0] == "javascript:alert(1)"
    assert report.skipped[0][1].code == "dedupe.in_run"  # trailing-slash variant of the first one
    aarrr, roi = (saved(ws, i) for i in report.imported)
    assert aarrr.tags == ["增长", "AARRR"] and "书签栏" not in aarrr.tags
    assert aarrr.summary == "拉新、激活、留存、变现、推荐"
    assert roi.title == "广告 ROI & 出价" and roi.tags == ["ROI", "投放"]
    assert str(roi.created) == "2026-03-03"


def test_wallabag_entries_carry_their_content_sanitised(ws):
    report = import_export(ws, "wallabag.json", fixture("wallabag.json"), fetch=False)
    assert len(report.imported) == 2
    doc = saved(ws, report.imported[0])
    assert doc.title == "退款率上升的五个原因" and doc.tags == ["退款", "售后"]
    assert "先按商品看退款率" in doc.body and "link_only" not in doc.meta
    assert "<script" not in doc.body and "javascript:" not in doc.body
    assert doc.meta["author"] == "王芳" and doc.meta["status"] == "archived"
    assert str(doc.meta["published"]) == "2026-02-01" and str(doc.created) == "2026-02-10"
    assert report.suggestions[doc.id].problems[0].value == "refund-rate-up"
    assert saved(ws, report.imported[1]).meta["link_only"] is True  # no content, not fetched


def test_karakeep_links_and_text_notes(ws):
    report = import_export(ws, "karakeep.json", fixture("karakeep.json"), fetch=False)
    assert len(report.imported) == 2
    link, note = (saved(ws, i) for i in report.imported)
    assert link.meta["link_only"] is True and link.summary == "满减门槛要复核"
    assert link.tags == ["客单价", "优惠券"]
    assert note.title == "早会要点" and "UV 下降 12%" in note.body
    assert "<img" not in note.body and "link_only" not in note.meta
    assert any("asset" in n.en for n in report.notes)  # the unsupported image entry is reported


def test_markdown_file_keeps_known_front_matter_and_neutralises_html(ws):
    report = import_file(ws, "note.md", fixture("note.md"))
    doc = saved(ws, report.imported[0])
    assert doc.title == "周报模板笔记" and doc.tags == ["周报", "模板"]
    assert doc.source == "https://notes.example.com/weekly" and str(doc.created) == "2026-01-05"
    assert "color" not in doc.meta and any("color" in n.en for n in report.notes)
    assert "<script" not in doc.body and "javascript:" not in doc.body
    assert "[正常链接](https://example.com/ok)" in doc.body


def test_text_and_html_files(ws):
    text = import_file(ws, "standup.txt", fixture("standup.txt"))
    doc = saved(ws, text.imported[0])
    assert doc.title == "早会记录 2026-03-02" and "点击率从 2.5% 降到 1.1%" in doc.body
    html = import_file(ws, "saved page.html", fixture("zh-article.html"))
    page = saved(ws, html.imported[0])
    assert page.title == "抖音渠道流量腰斩：一次复盘" and page.meta["site"] == "运营研究社"


def test_same_text_or_existing_source_is_not_imported_twice(ws):
    write_doc(
        ws.config.root, "article", "old", "旧文", "正文", source="https://blog.example.com/repeat/"
    )
    assert import_file(ws, "a.txt", fixture("standup.txt")).imported
    again = import_file(ws, "copy of a.txt", fixture("standup.txt").replace(b"\n\n", b"\n \n"))
    assert again.imported == [] and again.skipped[0][1].code == "dedupe.text"
    pocket = import_export(ws, "pocket.csv", fixture("pocket.csv"), fetch=False)
    assert any("old" in reason.en for _, reason in pocket.skipped)


def test_hostile_titles_give_safe_ids_inside_the_articles_folder(ws):
    titles = [
        "../../etc/passwd",
        "..\\..\\boot.ini",
        "🔥🔥🔥",
        "复盘：双十一 🔥 GMV/ROI",
        "x" * 300,
        "",
    ]
    rows = "".join(
        f'<DT><A HREF="https://e.example.com/{i}" ADD_DATE="1">{t}</A>\n'
        for i, t in enumerate(titles)
    )
    data = f"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n{rows}</DL>".encode()
    report = import_export(ws, "b.html", data, fetch=False)
    assert len(report.imported) == len(titles)
    folder = ws.config.root / "articles"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{i}.md" for i in report.imported)
    for doc_id in report.imported:
        assert ID_RE.match(doc_id) and len(doc_id) <= 80 and "/" not in doc_id
    assert "etc-passwd" in report.imported and "复盘-双十一-gmv-roi" in report.imported
    assert not (ws.config.root / "etc").exists()


def test_same_title_gets_a_numbered_id_and_nothing_is_overwritten(ws):
    write_doc(ws.config.root, "article", "周报模板笔记", "已有", "已有的正文，不能被覆盖。")
    report = import_file(ws, "note.md", fixture("note.md"))
    assert report.imported == ["周报模板笔记-2"]
    assert "已有的正文" in saved(ws, "周报模板笔记").body


def test_accepting_suggestions_writes_problem_ids_that_validate(ws):
    report = import_file(
        ws, "s.txt", fixture("standup.txt"), accept_suggestions=True, tags=["早会"]
    )
    doc = saved(ws, report.imported[0])
    assert "channel-traffic-drop" in doc.problems and "UV" in doc.metrics
    assert "早会" in doc.tags
    assert load_collection(ws.config, ws.taxonomy, ws.metrics).errors == []


def test_bulk_import_of_1000_bookmarks_without_fetching(ws):
    rows = "".join(
        f'<DT><A HREF="https://site{i % 50}.example.com/post/{i}?utm_source=x" ADD_DATE="1772409600"'
        f' TAGS="批量,t{i % 7}">运营文章 {i}</A>\n'
        for i in range(1000)
    )
    dups = "".join(
        f'<DT><A HREF="https://SITE{i % 50}.example.com/post/{i}/" ADD_DATE="1">again</A>\n'
        for i in range(10)
    )
    data = f"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n{rows}{dups}</DL>".encode()
    progress = []
    report = import_export(
        ws, "big.html", data, fetch=False, on_progress=lambda d, t, i: progress.append((d, t))
    )
    assert len(report.imported) == 1000 and len(report.skipped) == 10 and report.failed == []
    assert len(list((ws.config.root / "articles").glob("*.md"))) == 1000
    assert progress[-1] == (1010, 1010) and len(progress) == 1010
    assert "导入 1000 篇" in report.summary().zh and "跳过 10 篇" in report.summary().zh
    assert report.summary().en.startswith("imported 1000 (1000 link only), skipped 10")


def test_oversized_file_is_refused(ws, monkeypatch):
    from kb.importers import limits

    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)
    report = import_file(ws, "pocket.csv", fixture("pocket.csv"))
    assert report.imported == [] and report.failed[0][1].code == "file.too_large"


def _cli(args: list[str], ws: Workspace, capsys) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    code = cli.run(parser.parse_args(args), ws)
    return code, capsys.readouterr().out


def test_cli_prints_the_summary_and_exit_code(ws, capsys):
    code, out = _cli([str(FIXTURES / "pocket.csv"), "--no-fetch", "--tag", "导入"], ws, capsys)
    assert code == 0 and "导入 2 篇" in out and "跳过 1 篇" in out
    code, out = _cli(["ftp://example.com/x", str(FIXTURES / "nope.csv")], ws, capsys)
    assert code == 1 and "失败 2 篇" in out and "http/https" in out and "文件不存在" in out


def test_cli_json_report(ws, capsys):
    code, out = _cli([str(FIXTURES / "karakeep.json"), "--no-fetch", "--json"], ws, capsys)
    data = json.loads(out)
    assert code == 0 and len(data["imported"]) == 2 and len(data["link_only"]) == 1
    assert set(data["suggestions"]) == set(data["imported"])


def test_user_accepts_or_changes_suggestions_after_import(ws):
    from kb.documents import DocumentError
    from kb.importers.later import apply_choices

    report = import_file(ws, "s.txt", fixture("standup.txt"))
    doc_id = report.imported[0]
    assert saved(ws, doc_id).problems == []  # nothing applied silently
    offered = [s.value for s in report.suggestions[doc_id].problems]
    assert offered[0] == "channel-traffic-drop"
    apply_choices(ws, doc_id, problems=[offered[0], "ctr-down"], tags=["早会", "抖音"])
    doc = saved(ws, doc_id)
    assert doc.problems == ["channel-traffic-drop", "ctr-down"] and doc.tags == ["早会", "抖音"]
    with pytest.raises(DocumentError, match="no-such-problem"):
        apply_choices(ws, doc_id, problems=["no-such-problem"])
    assert saved(ws, doc_id).problems == ["channel-traffic-drop", "ctr-down"]


def test_link_only_body_neutralises_hostile_notes_and_urls(ws):
    data = json.dumps(
        {
            "bookmarks": [
                {
                    "createdAt": 1772409600,
                    "title": "<img src=x onerror=alert(1)>标题",
                    "tags": ["<b>tag</b>"],
                    "content": {
                        "type": "link",
                        "url": 'https://e.example.com/a"><script>x</script>',
                    },
                    "note": "<script>alert(1)</script>[点](javascript:alert(2))",
                }
            ]
        }
    ).encode()
    report = import_export(ws, "k.json", data, fetch=False)
    text = (ws.config.root / "articles" / f"{report.imported[0]}.md").read_text("utf-8")
    body = text.split("---", 2)[2]
    assert "<script" not in body and "javascript:" not in body and "<img" not in body
    assert "%3Cscript%3E" in body  # the URL is kept, encoded


def test_preview_builds_documents_without_writing(ws):
    report = import_file(ws, "note.md", fixture("note.md"), save=False)
    doc = report.documents[report.imported[0]]
    assert doc.title == "周报模板笔记" and report.suggestions[doc.id].metrics
    assert not (ws.config.root / "articles").exists()


def test_entries_beyond_the_limit_are_reported_not_imported(ws, monkeypatch):
    from kb.importers import limits

    monkeypatch.setattr(limits, "MAX_ENTRIES", 1)
    report = import_export(ws, "pocket.csv", fixture("pocket.csv"), fetch=False)
    assert len(report.imported) == 1
    assert any("条目过多" in n.zh and "too many" in n.en for n in report.notes)
