"""Searches a new hire types in the first weeks find the 2026 documents first.

Real index (jieba + numpy postings) over a copy of the bundled content.
"""

from __future__ import annotations

import pytest

from kb.config import load_config
from kb.search import SearchIndex

# query -> documents that answer it; the first hit must be one of them.
EXPECTED = {
    "直播间 转化": {"case-douyin-live-gpm-host-change", "pb-live-session-review"},
    "千川 起量": {"case-qianchuan-target-roi-underspend", "pb-ads-daily-routine"},
    "小红书 限流": {"case-xiaohongshu-notes-throttled-unreported", "pb-note-video-review"},
    "体验分": {"pb-experience-score-check", "case-douyin-experience-score-big-session"},
    "断货": {"pb-inventory-replenishment", "case-douyin-apparel-three-sku-stockout"},
    "私域": {"pb-private-domain-sop", "case-private-domain-broadcast-deletions"},
    "GPM": {"case-douyin-live-gpm-host-change", "pb-live-session-review"},
    "大促 准备": {"pb-big-promo-timeline"},
    "测款": {"pb-product-test-launch"},
    "控价": {"pb-price-control"},
    "跨店满减": {"art-2026-platform-rules-cheatsheet"},
    "好评返现": {"pb-experience-score-check", "art-2026-platform-rules-cheatsheet"},
    "发货超时": {"case-douyin-experience-score-big-session", "pb-experience-score-check"},
}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    from conftest import copy_bundled_content

    root = copy_bundled_content(tmp_path_factory.mktemp("content"))
    idx = SearchIndex(load_config(root))
    idx.rebuild()
    return idx


@pytest.mark.parametrize("query", sorted(EXPECTED))
def test_a_new_hires_search_finds_the_right_document_first(index, query):
    hits = [h.id for h in index.search(query).hits]
    assert hits, query
    assert hits[0] in EXPECTED[query], (query, hits[:5])
