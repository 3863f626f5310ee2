"""The bundled playbooks and saved articles: enough of them, in the agreed shape, linked right.

A new hire follows a playbook step by step and jumps from it to problem types and other
playbooks, so each one must have the agreed sections, numbered steps, known problem ids and
no dangling references. Articles that summarise a public source must say so and name it.
"""

from __future__ import annotations

import re

import pytest

PLAYBOOK_SECTIONS = ["目的", "什么时候用", "需要的数据", "步骤", "判断与下一步", "常见坑", "产出"]
ROLES = {"content", "user", "promotion", "store", "all"}
FREQUENCIES = {"daily", "weekly", "monthly", "per-campaign", "once", "as-needed"}
STATUSES = {"unread", "reading", "read", "archived"}
HEADING = re.compile(r"^##\s+(.+?)\s*$", re.M)
NUMBERED_STEP = re.compile(r"^\d+\.\s+\S", re.M)
CODE_REF = re.compile(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`")
HAN = re.compile(r"[\u4e00-\u9fff]")

# The three pieces of the domain seed, identified by author and a word of their title.
SEED_PIECES = {
    "生意经问答": ("生意经", "电商运营每天的工作"),
    "章鱼怕黑": ("章鱼怕黑", "优秀运营人员"),
    "王伟晨": ("王伟晨", "年销售额过亿"),
}


def _of_kind(collection, kind):
    return sorted((d for d in collection.docs.values() if d.kind == kind), key=lambda d: d.id)


@pytest.fixture(scope="module")
def playbooks(collection):
    return _of_kind(collection, "playbook")


@pytest.fixture(scope="module")
def articles(collection):
    return _of_kind(collection, "article")


def _section(body: str, name: str) -> str:
    """The text under one '## name' heading, up to the next '## ' heading."""
    match = re.search(rf"^##\s+{re.escape(name)}\s*$(.*?)(?=^##\s|\Z)", body, re.M | re.S)
    return match.group(1) if match else ""


def test_there_are_at_least_fifteen_playbooks_and_eight_articles(playbooks, articles):
    assert len(playbooks) >= 15, [d.id for d in playbooks]
    assert len(articles) >= 8, [d.id for d in articles]


def test_playbook_and_article_files_load_without_errors(collection):
    errors = [
        str(e) for e in collection.errors if re.search(r"[/\\](playbooks|articles)[/\\]", str(e))
    ]
    assert errors == []


def test_every_playbook_has_the_agreed_sections_in_order(playbooks):
    wrong = {d.id: HEADING.findall(d.body) for d in playbooks}
    wrong = {k: v for k, v in wrong.items() if v != PLAYBOOK_SECTIONS}
    assert wrong == {}


def test_every_playbook_has_at_least_three_numbered_steps(playbooks):
    thin = {d.id: len(NUMBERED_STEP.findall(_section(d.body, "步骤"))) for d in playbooks}
    assert {k: n for k, n in thin.items() if n < 3} == {}


def test_every_playbook_links_one_to_four_known_problems(playbooks, workspace):
    taxonomy = workspace.taxonomy
    wrong = {
        d.id: d.problems
        for d in playbooks
        if not 1 <= len(d.problems) <= 4 or any(p not in taxonomy for p in d.problems)
    }
    assert wrong == {}


def test_every_playbook_says_who_runs_it_and_how_often(playbooks):
    wrong = {
        d.id: (d.meta.get("role"), d.meta.get("frequency"))
        for d in playbooks
        if d.meta.get("role") not in ROLES or d.meta.get("frequency") not in FREQUENCIES
    }
    assert wrong == {}


def test_every_playbook_is_a_practical_length(playbooks):
    """400-1200 Chinese characters: long enough to follow, short enough to read in one go."""
    lengths = {d.id: len(HAN.findall(d.body)) for d in playbooks}
    assert {k: n for k, n in lengths.items() if not 400 <= n <= 1200} == {}


def test_every_article_links_a_known_problem_and_has_a_reading_status(articles, workspace):
    taxonomy = workspace.taxonomy
    wrong = {
        d.id: (d.problems, d.meta.get("status"))
        for d in articles
        if not d.problems
        or any(p not in taxonomy for p in d.problems)
        or d.meta.get("status") not in STATUSES
    }
    assert wrong == {}


def test_references_in_the_text_point_to_existing_playbooks_or_problems(
    playbooks, articles, collection, workspace
):
    """`pb-…` and problem ids written in the text are links a reader follows: none may dangle."""
    dangling = {}
    for doc in playbooks + articles:
        for ref in CODE_REF.findall(doc.body):
            if ref in workspace.taxonomy or ref in collection.docs:
                continue
            dangling.setdefault(doc.id, []).append(ref)
    assert dangling == {}


@pytest.mark.parametrize("piece", sorted(SEED_PIECES))
def test_the_seed_pieces_are_summarised_and_name_their_source(articles, piece):
    who, title_word = SEED_PIECES[piece]
    found = [
        d
        for d in articles
        if title_word in d.title and (who in str(d.meta.get("author", "")) or who in d.title)
    ]
    assert len(found) == 1, piece
    doc = found[0]
    assert doc.meta.get("summary_of_source") is True
    assert doc.source.strip() and doc.meta.get("site")
    opening = doc.body[:300]
    assert "摘要" in opening and "不是原文" in opening


def test_team_notes_do_not_claim_to_summarise_a_source(articles):
    claims = [d.id for d in articles if d.source == "团队笔记" and d.meta.get("summary_of_source")]
    assert claims == []


def test_the_morning_reviews_watch_what_the_seed_says_each_role_watches(collection):
    """Content ops: UV, PV; user ops: the five user numbers; promotion: channels and quality."""
    expected = {
        "pb-morning-review-content": {"metrics": {"UV", "PV"}, "words": ["网页价值"]},
        "pb-morning-review-user": {
            "metrics": {"注册转化率", "新客数", "活跃用户数", "流失用户数", "订单数"},
            "words": ["四象限"],
        },
        "pb-morning-review-promotion": {
            "metrics": {"UV", "平均停留时长"},
            "words": ["渠道", "访问区域", "停留"],
        },
    }
    for doc_id, want in expected.items():
        doc = collection.docs[doc_id]
        assert want["metrics"] <= set(doc.metrics), doc_id
        assert all(word in doc.body for word in want["words"]), doc_id
