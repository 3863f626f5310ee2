"""Real browser: the problem-type picker adds ONE match on Enter (issue 13: "Select 5 matches")."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_enter_in_the_problem_picker_adds_one_match(
    server, page, wait_ready, screenshot, workspace
):
    typed = "下降"
    matching = [p for p in workspace.taxonomy if typed in p.name.zh]
    assert len(matching) >= 5  # Enter used to select all of these at once
    page.goto(f"{server}/add")
    wait_ready(page, "问题类型")
    picker = page.locator("[data-testid=stMultiSelect]").filter(has_text="问题类型").first
    picker.locator("input").first.click()
    page.keyboard.type(typed)
    page.wait_for_timeout(500)
    page.keyboard.press("Enter")
    page.wait_for_timeout(800)
    wait_ready(page)
    screenshot(page, "editor-problem-picker")
    tags = picker.locator(".react-aria-ComboBox [data-tag]")
    assert tags.count() == 1
    assert typed in tags.first.get_attribute("aria-label")
