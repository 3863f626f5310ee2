"""URL normalisation, text fingerprints, safe ids and suggestions, one rule at a time."""

from __future__ import annotations

import pytest

from kb.documents import ID_RE
from kb.importers.dedupe import Seen, fingerprint, normalise_url
from kb.importers.ids import make_id, slugify
from kb.importers.suggest import build_vocabulary, load_glossary, suggest
from kb.workspace import Workspace

BASE = "https://example.com/a/b?id=3&page=2"


@pytest.mark.parametrize(
    "variant",
    [
        "HTTPS://EXAMPLE.com/a/b?id=3&page=2",
        "https://example.com:443/a/b?id=3&page=2",
        "https://example.com/a/b/?id=3&page=2",
        "https://example.com/a/b?page=2&id=3",
        "https://example.com/a/b?id=3&page=2#section-2",
        "https://example.com/a/b?id=3&utm_source=wx&utm_medium=share&page=2",
        "https://example.com/a/b?spm=a2c4.b&id=3&fbclid=XY&gclid=1&page=2&from=timeline",
        "https://example.com/a/b?id=3&page=2&share_type=wechat",
    ],
)
def test_url_variants_normalise_to_the_same_page(variant):
    assert normalise_url(variant) == normalise_url(BASE) == "https://example.com/a/b?id=3&page=2"


def test_different_pages_stay_different():
    assert normalise_url(BASE) != normalise_url("https://example.com/a/b?id=4&page=2")
    assert normalise_url("http://example.com:8080/x") == "http://example.com:8080/x"
    assert normalise_url("ftp://example.com/x") == "" and normalise_url("not a url") == ""


def test_seen_catches_http_https_and_identical_text_but_not_short_text():
    seen = Seen()
    body = "复购率从 32% 降到 25%，老客 GMV 跟着下滑。我们把用户按最近一次购买时间分层。"
    seen.add("doc-1", "http://example.com/a/", body)
    assert "doc-1" in seen.duplicate_of(url="https://EXAMPLE.com/a?utm_campaign=x").zh
    assert "doc-1" in seen.duplicate_of(text="  " + body.replace("。", "。\n\n  ") + "\n").en
    assert seen.duplicate_of(url="https://example.com/b", text="短文") is None
    assert fingerprint("仅链接") == ""


@pytest.mark.parametrize(
    "title, expected",
    [
        ("../../etc/passwd", "etc-passwd"),
        ("抖音 ROI 复盘: Q1/2026", "抖音-roi-复盘-q1-2026"),
        ("🔥爆款🔥打法", "爆款-打法"),
        ("Café  Résumé!!", "cafe-resume"),
        ("ＧＭＶ拆解", "gmv拆解"),
        ("CON", "article-con"),
        ("🔥🔥🔥", "article"),
    ],
)
def test_safe_ids_from_hostile_titles(title, expected):
    assert make_id(title) == expected
    assert ID_RE.match(make_id(title))


def test_long_titles_and_collisions_stay_within_the_limit():
    long_id = make_id("增长" * 100)
    assert len(long_id) == 80 and ID_RE.match(long_id)
    taken = {long_id}
    second = make_id("增长" * 100, lambda i: i in taken)
    assert second.endswith("-2") and len(second) <= 80 and ID_RE.match(second)
    assert slugify("a/b\\c..d") == "a-b-c-d"


@pytest.fixture(scope="module")
def vocab():
    ws = Workspace.open()
    glossary = load_glossary(ws.config.data_file("glossary.yaml"))
    return ws.taxonomy, build_vocabulary(ws.taxonomy, ws.metrics, glossary)


def test_suggestions_follow_the_metric_movements_in_the_text(vocab):
    taxonomy, v = vocab
    found = suggest("本周新客数下降 20%，CAC 上升了 35%，拉新渠道要复盘。", taxonomy, v)
    assert found.problems[0].value == "acquisition-down-cost-up"
    assert any("新客数(down)" in r for r in found.problems[0].reasons)
    found = suggest("退款率上升，但 GMV 持平。", taxonomy, v)
    assert found.problems[0].value in ("gmv-flat-profit-down", "refund-rate-up")
    assert {s.value for s in found.metrics} >= {"退款率", "GMV"}


def test_suggestions_name_problem_types_and_ignore_look_alikes(vocab):
    taxonomy, v = vocab
    found = suggest("这是一篇讲复购率下降的文章", taxonomy, v)
    assert found.problems[0].value == "repeat-purchase-down"
    assert "复购率下降" in found.problems[0].reasons
    # lowercase header aliases and words inside URLs are not metric mentions
    assert suggest("see https://x.example.com/uv/pv?roi=1 for users", taxonomy, v).metrics == []
    assert suggest("天气不错，适合散步。", taxonomy, v).problems == []


def test_suggestions_work_without_a_glossary(tmp_path):
    ws = Workspace.open(tmp_path)
    assert load_glossary(tmp_path / "missing.yaml") == []
    (tmp_path / "bad.yaml").write_text("terms: [unclosed", encoding="utf-8")
    assert load_glossary(tmp_path / "bad.yaml") == []
    v = build_vocabulary(ws.taxonomy, ws.metrics, [])
    assert suggest("转化率下降", ws.taxonomy, v).problems[0].value == "conversion-rate-drop"
