"""The query language as a user meets it: exclusion filters, unknown filter values, glossary
synonyms, queries with nothing to search, drafts, case-library fields, renamed problem types,
and freshness without re-scanning on every query."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest

from conftest import REPO, write_doc
from kb import documents
from kb.config import BUNDLED_DATA, load_config
from kb.search import SearchIndex

# Front-matter fields other helpers own: `state` (contract 2, the save path) and the case
# library's fields (contract 8). Until their validation lands these tests allow them; once it
# has, this is a no-op.
EXTRA_FIELDS = {
    None: {"state": "draft | published"},
    "case": {"industry": "str", "platforms": "list", "tactics": "list"},
}
ALLOW_FIELDS = f"""
import kb.documents as d
for kind, extra in {EXTRA_FIELDS!r}.items():
    table = d.COMMON_FIELDS if kind is None else d.KIND_FIELDS[kind]
    for name, text in extra.items():
        table.setdefault(name, text)
"""


@pytest.fixture(autouse=True)
def allow_fields():
    exec(ALLOW_FIELDS, {})  # noqa: S102 - our own constant
    yield
    for kind, extra in EXTRA_FIELDS.items():
        table = documents.COMMON_FIELDS if kind is None else documents.KIND_FIELDS[kind]
        for name in extra:
            if table.get(name) == extra[name]:
                del table[name]


def run_cli(*args):
    """python -m kb, with the fields above allowed."""
    code = ALLOW_FIELDS + "import sys\nfrom kb.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def corpus(root):
    write_doc(
        root,
        "case",
        "case-douyin",
        "抖音渠道流量腰斩",
        body="抖音渠道的访客数下降一半。",
        tags=["抖音", "投放"],
        problems=["channel-traffic-drop"],
        industry="美妆",
        platforms=["抖音", "小红书"],
        tactics=["直播", "达人"],
    )
    write_doc(
        root,
        "case",
        "case-tmall",
        "天猫店铺流量下降",
        body="天猫店铺访客数下降。",
        tags=["天猫"],
        problems=["traffic-drop"],
        industry="母婴",
        platforms=["天猫"],
        tactics=["搜索优化"],
    )
    write_doc(
        root,
        "playbook",
        "pb-traffic",
        "流量下降排查",
        body="流量下降时先看渠道,再看抖音和天猫各自的访客数。",
        tags=["流量"],
        problems=["traffic-drop", "channel-traffic-drop"],
    )
    write_doc(
        root,
        "article",
        "art-groups",
        "社群运营笔记",
        body="把老客拉进社群,每周做一次专属活动。",
        problems=["repeat-purchase-down"],
    )
    write_doc(
        root,
        "case",
        "case-draft",
        "新客转化率下降诊断草稿",
        body="流量下降,新客转化率也下降了。待确认。",
        problems=["new-customer-conversion-drop"],
        state="draft",
    )
    return root


@pytest.fixture
def index(corpus):
    return SearchIndex(load_config(corpus))


def ids(results):
    return sorted(h.id for h in results.hits)


def codes(results):
    return [e.code for e in results.errors]


# ---- exclusion filters ------------------------------------------------------------------------
def test_exclusion_filters_exclude(index):
    everything = ids(index.search("流量"))
    assert everything == ["case-douyin", "case-tmall", "pb-traffic"]
    assert ids(index.search("流量 -kind:case")) == ["pb-traffic"]
    assert ids(index.search("流量 kind:case")) == ["case-douyin", "case-tmall"]
    assert ids(index.search("流量 -tag:抖音")) == ["case-tmall", "pb-traffic"]
    assert ids(index.search("流量 -problem:channel-traffic-drop")) == ["case-tmall"]
    assert ids(index.search("流量 -kind:case -tag:流量")) == []
    assert codes(index.search("流量 -kind:case")) == []


def test_a_filter_the_engine_cannot_apply_is_an_error(index):
    res = index.search("流量 kind:blog")
    assert codes(res) == ["bad_kind"] and res.total == 0
    assert "blog" in res.errors[0].get("zh") and "case" in res.errors[0].get("en")
    res = index.search("流量 problem:no-such-problem")
    assert codes(res) == ["bad_problem"] and res.total == 0
    assert codes(index.search("-after:2026-01-01 下降")) == ["negated_date"]
    assert codes(index.search("下降 tag:")) == ["empty_filter"]
    assert codes(index.search("state:maybe")) == ["bad_state"]


def test_a_problem_filter_takes_the_name_too(index):
    by_name = index.search("problem:单一渠道流量下降")
    by_id = index.search("problem:channel-traffic-drop")
    assert codes(by_name) == [] and ids(by_name) == ids(by_id) == ["case-douyin", "pb-traffic"]


# ---- synonyms and empty queries ---------------------------------------------------------------
def test_glossary_aliases_are_synonyms(index):
    # data/glossary.yaml: 私域 with aliases 私域流量, 社群
    assert ids(index.search("私域")) == ["art-groups"]


@pytest.mark.parametrize("query", ["？？", "?!", "——", "？？ kind:case"])
def test_a_query_with_nothing_to_search_finds_nothing_and_says_why(index, query):
    res = index.search(query)
    assert res.total == 0 and res.hits == []
    assert "no_terms" in codes(res)
    assert "标点" in next(e for e in res.errors if e.code == "no_terms").get("zh")


def test_an_empty_query_still_browses(index):
    assert index.search("").total == 4  # every published document
    assert codes(index.search("")) == []


# ---- drafts (contract 2) ----------------------------------------------------------------------
def test_drafts_stay_out_unless_asked_for(index):
    assert "case-draft" not in ids(index.search("新客转化率"))
    assert "case-draft" not in ids(index.search("", per_page=50))
    assert ids(index.search("新客转化率 state:draft")) == ["case-draft"]
    assert "case-draft" in ids(index.search("下降 state:all"))
    assert "case-draft" in ids(index.search("新客转化率", include_drafts=True))
    assert ids(index.search("下降 state:published")) == ids(index.search("下降"))
    hit = index.search("state:draft").hits[0]
    assert hit.state == "draft" and hit.to_json()["state"] == "draft"
    assert all(h.id != "case-draft" for h in index.similar("case-tmall", limit=10))


# ---- case-library fields (contract 8) ---------------------------------------------------------
def test_case_fields_filter(index):
    assert ids(index.search("industry:美妆")) == ["case-douyin"]
    assert ids(index.search("platform:天猫")) == ["case-tmall"]
    assert ids(index.search("platform:小红书")) == ["case-douyin"]
    assert ids(index.search("tactic:直播")) == ["case-douyin"]
    assert ids(index.search("下降 -industry:美妆 kind:case")) == ["case-tmall"]
    assert ids(index.search("industry:汽车")) == []  # documents without the field don't match


def test_search_json_of_cases_has_the_case_fields(corpus):
    out = run_cli("search", "抖音渠道", "--root", str(corpus), "--json")
    assert out.returncode == 0, out.stderr
    hits = {h["id"]: h for h in json.loads(out.stdout)}
    case = hits["case-douyin"]
    for key in ("id", "kind", "title", "score", "snippet", "snippet_html", "summary"):
        assert key in case
    for key in ("problems", "tags", "created"):
        assert key in case
    assert case["industry"] == "美妆"
    assert case["platforms"] == ["抖音", "小红书"] and case["tactics"] == ["直播", "达人"]
    assert "industry" not in hits["pb-traffic"]


def test_cli_prints_query_messages_in_chinese(corpus):
    out = run_cli("search", "kind:blog", "--root", str(corpus))
    assert out.returncode == 0 and "不是文档类型" in out.stderr


# ---- the index follows the data files ---------------------------------------------------------
def test_renaming_a_problem_type_reindexes(corpus):
    data = corpus / "data"
    shutil.copytree(BUNDLED_DATA, data)
    config = load_config(corpus)
    index = SearchIndex(config)
    assert ids(index.search("母婴专属流量塌方")) == []
    problems = data / "problems.yaml"
    text = problems.read_text(encoding="utf-8")
    assert "name: {zh: 流量下降," in text
    problems.write_text(
        text.replace("name: {zh: 流量下降,", "name: {zh: 母婴专属流量塌方,"), encoding="utf-8"
    )
    # the running index notices the changed data file; a new process rebuilds as well
    assert ids(index.search("母婴专属流量塌方")) == ["case-tmall", "pb-traffic"]
    assert ids(SearchIndex(config).search("母婴专属流量塌方")) == ["case-tmall", "pb-traffic"]


# ---- freshness off the query path -------------------------------------------------------------
def test_queries_do_not_rescan_or_rewrite_the_manifest(index, corpus, monkeypatch):
    time.sleep(2.1)  # past the two-second window in which a folder change is re-checked
    index.search("下降")
    manifest = index.config.index_dir / "manifest.json"
    before = manifest.stat().st_mtime_ns
    scans = []
    real_sync = index.store.sync
    monkeypatch.setattr(index.store, "sync", lambda *a, **k: scans.append(1) or real_sync(*a, **k))
    for _ in range(5):
        index.search("抖音")
    assert scans == []  # nothing changed: no file was looked at
    index.ensure(max_age=0)  # a background re-scan (edits in place by other tools)
    index.wait_for_rescan(10)
    assert scans == [1] and manifest.stat().st_mtime_ns == before  # nothing changed: no write


def test_a_new_file_is_found_by_the_next_query(index, corpus):
    index.search("下降")
    write_doc(corpus, "article", "art-new", "新文章", body="小程序的复购率提升。")
    assert ids(index.search("小程序")) == ["art-new"]


def test_an_edit_in_place_is_found_by_the_background_rescan(index, corpus):
    index.search("下降")
    time.sleep(2.1)
    path = corpus / "articles" / "art-groups.md"
    with open(path, "r+", encoding="utf-8") as f:  # in place: the folder's mtime stays
        text = f.read().replace("专属活动", "专属直播福利")
        f.seek(0)
        f.write(text)
        f.truncate()
    index.ensure(max_age=0)
    index.wait_for_rescan(10)
    assert ids(index.search("直播福利")) == ["art-groups"]
