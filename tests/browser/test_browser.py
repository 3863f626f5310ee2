"""Real-browser checks of the main journeys (Chromium + Playwright against `streamlit run`)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser


def test_home_renders(server, page, wait_ready, screenshot):
    page.goto(server)
    wait_ready(page, "最近的文档")
    assert page.get_by_role("heading", name="OpsKB 运营知识库与诊断台").is_visible()
    page.get_by_role("button", name="开始一次诊断").wait_for()
    screenshot(page, "home")


def test_chinese_search_shows_highlighted_results(server, page, wait_ready, screenshot):
    page.goto(f"{server}/search?q={quote('抖音 流量')}")
    page.get_by_text("找到").first.wait_for(timeout=90_000)  # the first search builds the index
    wait_ready(page)
    marks = page.locator("mark")
    marks.first.wait_for(timeout=90_000)
    assert marks.count() > 0
    assert "抖音" in " ".join(marks.all_inner_texts()) or "流量" in marks.first.inner_text()
    screenshot(page, "search")


def test_diagnosis_wizard_runs_on_a_sample(server, page, wait_ready, screenshot):
    page.goto(f"{server}/diagnose")
    wait_ready(page, "第 1 步")
    page.get_by_role("button", name="下一步").click()
    wait_ready(page, "第 2 步")
    page.get_by_role("button", name="开始分析").click()
    wait_ready(page, "因素拆解")
    charts = page.locator("[data-testid=stVegaLiteChart]")
    charts.nth(1).wait_for()
    assert charts.count() >= 3  # trend, waterfall, drill-down
    page.locator("canvas, svg").first.wait_for()
    screenshot(page, "diagnose-changes")
    page.mouse.move(800, 500)
    page.mouse.wheel(0, 600)  # the main area scrolls, not the window
    page.wait_for_timeout(800)  # let Vega finish drawing after the scroll
    screenshot(page, "diagnose-charts")
    page.get_by_role("button", name="下一步").click()
    wait_ready(page, "第 4 步")
    page.get_by_role("button", name="查看可能的原因").click()
    wait_ready(page, "第 5 步")
    screenshot(page, "diagnose-hypotheses")
    top = page.locator("[data-testid=stPageLink]").filter(has_text="单一渠道流量下降")
    assert top.first.is_visible()


def test_language_switch(server, page, wait_ready):
    page.goto(server)
    wait_ready(page, "最近的文档")
    page.locator("[data-testid=stSidebar]").get_by_text("English", exact=True).click()
    wait_ready(page, "Start a diagnosis")
    assert page.get_by_role(
        "heading", name="OpsKB — operations knowledge base & diagnosis"
    ).is_visible()
    assert page.get_by_text("Problem areas").is_visible()
