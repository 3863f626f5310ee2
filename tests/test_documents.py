"""Document parsing, validation (one test per rule), atomic save and the no-lost-edit rule."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from conftest import write_doc
from kb.checks import run_checks
from kb.documents import (
    ConflictError,
    Document,
    DocumentError,
    document_path,
    parse_document,
    read_document,
    save_document,
)
from kb.workspace import Workspace

GOOD = """---
id: case-good
kind: case
title: 抖音渠道流量腰斩后的复盘
problems: [traffic-drop]
metrics: [UV, 转化率]
tags: [抖音]
created: 2026-03-02
---
正文
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(DocumentError) as exc:
        parse_document(text, "cases/x.md")
    return [f"{e.field}: {e.message}" for e in exc.value.errors]


def test_good_document_parses_with_typed_fields():
    doc = parse_document(GOOD, "cases/case-good.md")
    assert doc.id == "case-good" and doc.kind == "case"
    assert doc.problems == ["traffic-drop"] and doc.metrics == ["UV", "转化率"]
    assert doc.created.isoformat() == "2026-03-02"
    assert doc.body.strip() == "正文"


def test_utf8_bom_file_still_parses(tmp_path):
    path = tmp_path / "case-good.md"
    path.write_bytes("\ufeff".encode() + GOOD.encode("utf-8"))
    assert read_document(path).title == "抖音渠道流量腰斩后的复盘"


def test_missing_required_field_is_named():
    errs = errors_of(GOOD.replace("title: 抖音渠道流量腰斩后的复盘\n", ""))
    assert errs == ["title: missing required field"]


def test_unknown_field_is_named_with_the_allowed_ones():
    errs = errors_of(GOOD.replace("tags:", "colour: red\ntags:"))
    assert len(errs) == 1 and errs[0].startswith("colour: unknown field; allowed:")


def test_field_of_another_kind_is_unknown():
    errs = errors_of(GOOD.replace("tags:", "frequency: daily\ntags:"))
    assert errs[0].startswith("frequency: unknown field")


def test_bad_date_is_named():
    errs = errors_of(GOOD.replace("2026-03-02", "2026-13-45"))
    assert errs == ["created: '2026-13-45' is not a date: write YYYY-MM-DD"]


def test_id_must_be_url_safe():
    for bad in ("Case Good", "../etc/passwd", "a/b", "a--b", "-a", "x" * 81):
        errs = errors_of(GOOD.replace("id: case-good", f"id: '{bad}'"))
        assert errs and errs[0].startswith("id:") and "url-safe" in errs[0], bad


def test_chinese_ids_are_allowed():
    assert parse_document(GOOD.replace("id: case-good", "id: case-抖音复盘")).id == "case-抖音复盘"


def test_unknown_kind_is_named():
    errs = errors_of(GOOD.replace("kind: case", "kind: memo"))
    assert errs[0].startswith("kind: 'memo' is not one of")


def test_list_fields_must_be_lists():
    errs = errors_of(GOOD.replace("tags: [抖音]", "tags: {a: 1}"))
    assert errs == ["tags: must be a list of names, e.g. [a, b]"]


def test_invalid_yaml_reports_the_line():
    errs = errors_of(GOOD.replace("tags: [抖音]", "tags: [抖音"))
    assert "front matter is not valid YAML" in errs[0] and "line" in errs[0]


def test_missing_front_matter_says_what_to_do():
    errs = errors_of("# just markdown\n")
    assert "start the file with a '---' block" in errs[0]


def test_all_problems_are_listed_at_once():
    errs = errors_of(GOOD.replace("id: case-good", "id: Bad").replace("2026-03-02", "soon"))
    assert {e.split(":")[0] for e in errs} == {"id", "created"}


def test_check_reports_cross_file_rules(root):
    write_doc(root, "case", "case-a", "甲", problems=["traffic-drop"])
    write_doc(root, "case", "case-b", "乙", problems=["no-such-problem"], metrics=["不存在的指标"])
    dup = write_doc(root, "playbook", "case-a", "重复")  # duplicate id, other folder
    wrong = write_doc(root, "case", "case-c", "丙")
    wrong.rename(wrong.with_name("other-name.md"))
    misplaced = write_doc(root, "case", "pb-misplaced", "丁")
    misplaced.rename(root / "playbooks" / "pb-misplaced.md")
    report = run_checks(Workspace.open(root))
    text = "\n".join(report.errors)
    assert "unknown problem id 'no-such-problem'" in text
    assert "unknown metric '不存在的指标'" in text
    dup_line = next(line for line in report.errors if "duplicate id 'case-a'" in line)
    assert str(dup) in dup_line and str(root / "cases" / "case-a.md") in dup_line
    assert "file name must be 'case-c.md'" in text
    assert "a case belongs in cases/" in text
    assert len(report.errors) == 5


def _doc(doc_id="case-new", body="原文") -> Document:
    return Document(
        id=doc_id,
        kind="case",
        title="新案例",
        body=body,
        problems=["traffic-drop"],
        created=dt.date(2026, 3, 2),
    )


def test_save_writes_a_file_that_parses_back(config):
    doc = _doc()
    doc.created = None
    with pytest.raises(DocumentError):  # created is required: validated before writing
        save_document(config, doc)
    assert not (config.root / "cases" / "case-new.md").exists()
    doc.created = dt.date(2026, 3, 2)
    path = save_document(config, doc)
    back = read_document(path)
    assert back.title == "新案例" and back.problems == ["traffic-drop"]
    assert back.sha == doc.sha


def test_save_refuses_ids_that_escape_the_folder(config):
    for bad in ("../../evil", "a/b", "..", "/etc/passwd"):
        with pytest.raises(DocumentError):
            document_path(config, "case", bad)


def test_new_document_never_overwrites_an_existing_one(config):
    save_document(config, _doc())
    with pytest.raises(ConflictError, match="already exists"):
        save_document(config, _doc(body="别人的"), expected_sha=None)


def test_edit_after_someone_changed_the_file_is_refused(config):
    path = write_doc(
        config.root, "case", "case-edit", "原标题", body="原文", problems=["traffic-drop"]
    )
    mine = read_document(path)
    theirs = read_document(path)
    theirs.body = "别人的修改"
    save_document(config, theirs, expected_sha=theirs.sha)
    mine.body = "我的修改"
    with pytest.raises(ConflictError, match="changed on disk"):
        save_document(config, mine, expected_sha=mine.sha)
    assert "别人的修改" in path.read_text(encoding="utf-8")


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(config, monkeypatch):
    path = write_doc(config.root, "case", "case-keep", "原标题", body="原文")
    before = path.read_bytes()
    doc = read_document(path)
    doc.body = "新内容"

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        save_document(config, doc, expected_sha=doc.sha)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["case-keep.md"]


def test_field_errors_speak_the_users_language():
    """The engine writes both languages; the UI shows the chosen one (issue 13)."""
    import pytest as _pytest

    from kb.documents import DocumentError, parse_document

    with _pytest.raises(DocumentError) as exc:
        parse_document("---\nid: Bad Id\nkind: case\ncreated: 2026-13-01\n---\n")
    zh, en = exc.value.get("zh"), exc.value.get("en")
    assert "必填字段没有填写" in zh and "不是日期" in zh and "不能作为 id" in zh
    assert "missing required field" in en and "is not a date" in en and "不" not in en
