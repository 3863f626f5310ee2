"""Platform-rule knowledge says where it comes from and when it was checked (kb/freshness.py).

`kb check` refuses rule-dependent documents and problem types without sources or a review date,
and the review list shows what has not been checked for a year.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml

from conftest import REPO, write_doc
from kb.checks import run_checks
from kb.documents import DocumentError, parse_document, read_document
from kb.freshness import document_review, is_rule_dependent, needs_review
from kb.workspace import Workspace

TODAY = dt.date(2026, 12, 1)


def errors_for(root, doc_id: str) -> list[str]:
    return [e for e in run_checks(Workspace.open(root)).errors if f"{doc_id}.md" in e]


def test_the_bundled_content_passes_kb_check():
    assert run_checks(Workspace.open(REPO)).errors == []


def test_a_document_tagged_with_an_ad_product_needs_sources_and_a_review_date(root):
    write_doc(root, "playbook", "pb-qc", "千川日常", "正文", tags=["千川", "投放"])
    errors = errors_for(root, "pb-qc")
    assert len(errors) == 1
    assert "sources" in errors[0] and "reviewed" in errors[0] and "千川" in errors[0]


def test_sources_and_a_review_date_satisfy_the_check(root):
    path = write_doc(root, "playbook", "pb-qc", "千川日常", "正文", tags=["千川"])
    text = path.read_text(encoding="utf-8").replace(
        "tags: [千川]", 'tags: [千川]\nreviewed: 2026-12-01\nsources: ["https://example.com/a"]'
    )
    path.write_text(text, encoding="utf-8")
    assert errors_for(root, "pb-qc") == []
    review = document_review(read_document(path))
    assert review.reviewed == dt.date(2026, 12, 1)
    assert review.sources == ("https://example.com/a",)


def test_the_platform_rules_flag_makes_any_document_rule_dependent(root):
    write_doc(root, "case", "case-rule", "发货规则", "正文", platform_rules="true")
    assert any("platform_rules: true" in e for e in errors_for(root, "case-rule"))


def test_naming_only_the_platform_is_not_a_rule_claim(root):
    path = write_doc(root, "case", "case-tb", "淘宝店复盘", "正文", tags=["淘宝", "抖音"])
    assert not is_rule_dependent(read_document(path))
    assert errors_for(root, "case-tb") == []


def test_sources_must_be_a_list_of_texts(root):
    write_doc(root, "case", "case-bad", "坏来源", "正文", sources="5")
    # A single string is accepted as one source; a number is not a source.
    path = root / "cases" / "case-bad.md"
    path.write_text(path.read_text(encoding="utf-8").replace("sources: 5", "sources: [5]"))
    assert any("sources" in e and "list" in e for e in errors_for(root, "case-bad"))


def test_a_review_date_that_is_not_a_date_is_refused_with_the_field_named():
    text = "---\nid: x\nkind: case\ntitle: t\ncreated: 2026-01-01\nreviewed: 上周\n---\n正文\n"
    with pytest.raises(DocumentError) as exc:
        parse_document(text, "cases/x.md")
    assert "reviewed" in str(exc.value) and "YYYY-MM-DD" in str(exc.value)


@pytest.fixture
def own_data(root):
    """A content root with its own copy of data/, which the test may edit."""
    shutil.copytree(REPO / "data", root / "data")
    return root


def test_a_rule_dependent_problem_type_without_sources_is_reported(own_data):
    path = own_data / "data" / "problems.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    dsr = next(p for p in data["problems"] if p["id"] == "dsr-down")
    assert dsr["platform_rules"] is True and dsr["sources"] and dsr["reviewed"]
    del dsr["sources"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    errors = run_checks(Workspace.open(own_data)).errors
    assert any("'dsr-down'" in e and "sources" in e for e in errors), errors


def test_the_review_list_shows_old_and_unsourced_items_rule_dependent_first(own_data):
    write_doc(own_data, "case", "case-old", "旧案例", "正文", created="2024-03-01")
    write_doc(own_data, "case", "case-new", "新案例", "正文", created="2026-11-01")
    write_doc(own_data, "playbook", "pb-qc", "千川日常", "正文", tags=["千川"])
    path = own_data / "data" / "problems.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    old = next(p for p in data["problems"] if p["id"] == "live-traffic-down")
    old["reviewed"] = dt.date(2025, 6, 1)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    ws = Workspace.open(own_data)
    due = needs_review(ws, ws.collection().docs.values(), TODAY)
    ids = [r.id for r in due]
    assert "case-old" in ids and "pb-qc" in ids and "live-traffic-down" in ids
    assert "case-new" not in ids
    # Problem types with no date that state no rules are not tracked, so not listed.
    assert "gmv-drop" not in ids
    rule_first = [r.rule_dependent for r in due]
    assert rule_first == sorted(rule_first, reverse=True)
    assert next(r for r in due if r.id == "pb-qc").missing == ("sources", "reviewed")


def test_the_bundled_content_has_nothing_due_today(workspace, collection):
    assert needs_review(workspace, collection.docs.values(), TODAY) == []
    later = needs_review(workspace, collection.docs.values(), TODAY + dt.timedelta(days=800))
    assert {r.id for r in later} >= {"dsr-down", "case-douyin-experience-score-big-session"}


def test_only_knowledge_kinds_go_stale(own_data):
    """Records of what happened (any kind other than playbook/article/case) never go stale."""
    from kb.documents import Document

    old = Document(id="x", kind="log", title="调价", created=dt.date(2020, 1, 1), tags=["千川"])
    case = Document(id="y", kind="case", title="旧", created=dt.date(2020, 1, 1), tags=["千川"])
    ws = Workspace.open(own_data)
    assert [r.id for r in needs_review(ws, [old, case], TODAY) if r.kind != "problem"] == ["y"]
    assert not is_rule_dependent(old)


def test_the_stale_command_lists_due_items_and_fails_so_a_job_can_remind(own_data, capsys):
    import json

    from kb.cli import main

    assert main(["stale", "--root", str(own_data), "--today", "2026-12-01"]) == 0
    assert "OK" in capsys.readouterr().out
    write_doc(own_data, "case", "case-old", "旧案例", "正文", created="2024-03-01")
    code = main(["stale", "--root", str(own_data), "--today", "2026-12-01", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [r["id"] for r in rows] == ["case-old"]
    assert rows[0]["age_days"] == (TODAY - dt.date(2024, 3, 1)).days


def test_an_imported_article_cites_its_own_page(root):
    """Import may tag an article 千川; its source URL and date are its citation."""
    write_doc(
        root, "article", "art-qc", "千川投放笔记", "正文", tags=["千川"], status="unread",
        source="https://example.com/qc", problems=["ad-roi-down"],
    )  # fmt: skip
    assert errors_for(root, "art-qc") == []
    write_doc(
        root, "article", "art-note", "千川团队笔记", "正文", tags=["千川"], status="read",
        source="团队笔记", problems=["ad-roi-down"],
    )  # fmt: skip
    # A team note is not a citation: it needs its own sources.
    review = document_review(read_document(root / "articles" / "art-note.md"))
    assert review.sources == () and review.missing == ("sources",)
