"""The case library: fields validated by kb check, facets, similar cases, article -> case."""

from __future__ import annotations

import pytest

from conftest import write_doc
from kb import caselib
from kb.checks import run_checks
from kb.documents import parse_document, read_document, save_document
from kb.similar import by_library
from kb.workspace import Workspace


@pytest.fixture
def ws(root):
    write_doc(
        root,
        "case",
        "case-oats-xhs",
        "燕麦品牌小红书种草",
        industry="食品饮料",
        platforms=["小红书", "天猫"],
        objectives=["拉新"],
        tactics=["达人种草", "付费投放"],
        brand="某燕麦",
        budget="10-100万",
        sources=["https://example.com/oats"],
        results="[{metric: 搜索量, before: 1000, after: 2600, unit: 次, source: 'https://example.com/oats'}]",
    )
    write_doc(
        root,
        "case",
        "case-coffee-live",
        "咖啡品牌抖音直播",
        industry="食品饮料",
        platforms=["抖音"],
        objectives=["转化"],
        tactics=["直播", "付费投放"],
        illustrative="true",
        problems=["ad-roi-down"],
    )
    write_doc(
        root,
        "case",
        "case-lipstick",
        "口红联名",
        industry="美妆个护",
        platforms=["小红书"],
        tactics=["联名"],
        illustrative="true",
    )
    write_doc(root, "case", "case-plain", "我们自己的复盘", illustrative="true")
    return Workspace.open(root)


def test_bundled_content_passes_the_library_checks(workspace):
    report = run_checks(workspace)
    assert not [e for e in report.errors if "case_library" in e or "results" in e], report.errors


def test_unknown_values_are_named_with_the_fix(ws, root):
    write_doc(
        root,
        "case",
        "case-bad",
        "错的",
        industry="美妆",
        platforms=["抖因"],
        tactics=["直播"],
        results="[{metric: GMV, after: 'lots'}]",
    )
    errors = "\n".join(run_checks(Workspace.open(root)).errors)
    assert "case-bad.md: industry: '美妆' is not in the industries list: write '美妆个护'" in errors
    assert "'抖因' is not in the platforms list: add it to data/case_library.yaml" in errors
    assert "results[1].after: 'lots' is not a number" in errors
    assert "results[1].source: a real case names the source of each number" in errors


def test_source_article_must_exist(ws, root):
    write_doc(root, "case", "case-orphan", "孤儿", illustrative="true", source_article="no-such")
    errors = "\n".join(run_checks(Workspace.open(root)).errors)
    assert "source_article: 'no-such' is not an article" in errors


def test_facets_filter_and_count(ws):
    cases = caselib.infos(ws.collection())
    counts = caselib.facet_counts(cases)
    assert counts["industry"]["食品饮料"] == 2 and counts["platform"]["小红书"] == 2
    assert counts["real"] == {"real": 1, "illustrative": 3}
    assert [
        c.id for c in caselib.filter_cases(cases, platform=["小红书"], tactic=["达人种草"])
    ] == ["case-oats-xhs"]
    assert {
        c.id for c in caselib.filter_cases(cases, real="illustrative", industry=["食品饮料"])
    } == {"case-coffee-live"}
    assert [c.id for c in caselib.filter_cases(cases, problem="ad-roi-down")] == [
        "case-coffee-live"
    ]


def test_similar_cases_share_industry_or_tactics(ws):
    cases = caselib.infos(ws.collection())
    oats = next(c for c in cases if c.id == "case-oats-xhs")
    similar = [c.id for c, _ in by_library(oats, cases)]
    assert similar[0] == "case-coffee-live"  # same industry and a shared tactic
    assert "case-plain" not in similar


def test_playbooks_for_tactics(ws, workspace):
    library = caselib.workspace_library(workspace)
    docs = workspace.collection().docs
    live = caselib.case_info(
        parse_document(
            "---\nid: x\nkind: case\ntitle: x\ncreated: 2026-01-01\ntactics: [直播]\n---\n"
        )
    )
    found = [d.id for d in caselib.playbooks_for(live, library, docs)]
    for pid in found:
        assert docs[pid].kind == "playbook"
    term = library.lists["tactics"]["直播"]
    assert found == [p for p in term.playbooks if p in docs]


def test_every_tactic_playbook_exists(workspace):
    library = caselib.workspace_library(workspace)
    docs = workspace.collection().docs
    missing = [(t.name, p) for t in library.terms("tactics") for p in t.playbooks if p not in docs]
    assert not missing


ARTICLE = """---
id: art-brand-campaign
kind: article
title: 某茶饮×国漫联名:小红书种草与抖音直播的组合打法
summary: 一次联名活动的复盘。
source: https://example.com/tea
created: 2026-05-02
published: 2026-04-20
---
2026年4月,品牌联合国漫 IP 推出联名款,先在小红书找 200 位达人种草,再在抖音直播间首发。
活动期间话题曝光破 3 亿,抖音直播间场观 120 万,首日销量 15 万杯,会员新增 8 万。
"""


def test_article_to_case_suggests_and_links_both_ways(root):
    ws = Workspace.open(root)
    article = parse_document(ARTICLE)
    save_document(ws.config, article)
    library = caselib.workspace_library(ws)
    hint = caselib.suggest_from_article(article, library)
    assert hint.brand == "某茶饮"
    assert hint.industry == "食品饮料"
    assert set(hint.platforms) >= {"小红书", "抖音"}
    assert {"联名", "达人种草", "直播"} <= set(hint.tactics)
    assert any(n.value == "3亿" and "曝光" in n.text for n in hint.numbers)
    assert hint.period == "2026-04"
    case = caselib.case_from_article(
        article,
        "case-tea-collab",
        "茶饮联名",
        {
            "brand": hint.brand,
            "industry": hint.industry,
            "platforms": ["小红书", "抖音"],
            "tactics": ["联名", "达人种草"],
            "illustrative": False,
            "results": [
                {"metric": "话题曝光", "after": 300000000, "unit": "次", "source": article.source}
            ],
        },
    )
    save_document(ws.config, case)
    saved = read_document(root / "cases" / "case-tea-collab.md")
    assert saved.meta["source_article"] == "art-brand-campaign"
    assert "/read?doc=art-brand-campaign" in saved.body
    cases = caselib.infos(Workspace.open(root).collection())
    assert [c.id for c in caselib.cases_from_article("art-brand-campaign", cases)] == [
        "case-tea-collab"
    ]
    assert not [e for e in run_checks(Workspace.open(root)).errors if "case-tea-collab" in e]


def test_bundled_starter_cases_are_real_sourced_and_cover_the_platforms(workspace):
    """Issue 16: at least 12 real public cases (2023-2026), every number with its link,
    across 抖音, 小红书, 天猫/淘宝, 京东, 微信 and B站."""
    real = [c for c in caselib.infos(workspace.collection()) if c.real]
    assert len(real) >= 12, [c.id for c in real]
    problems = []
    for c in real:
        links = [str(s).split()[0] for s in c.doc.meta.get("sources") or []]
        if not c.results:
            problems.append(f"{c.id}: no results")
        if not links or not all(link.startswith(("http://", "https://")) for link in links):
            problems.append(f"{c.id}: sources must start with a link")
        if not str(c.doc.meta.get("reviewed") or ""):
            problems.append(f"{c.id}: no reviewed date")
        if str(c.doc.meta.get("period") or "")[:4] not in {"2023", "2024", "2025", "2026"}:
            problems.append(f"{c.id}: period {c.doc.meta.get('period')!r} is not 2023-2026")
        for r in c.results:
            if not r.source.startswith(("http://", "https://")):
                problems.append(f"{c.id}: {r.metric}: source {r.source!r} is not a link")
            elif r.source not in links:
                problems.append(f"{c.id}: {r.metric}: {r.source} is not listed in sources")
    assert not problems, "\n".join(problems)
    platforms = {p for c in real for p in c.platforms}
    assert {"抖音", "小红书", "京东", "微信", "B站"} <= platforms, platforms
    assert platforms & {"天猫", "淘宝"}, platforms
