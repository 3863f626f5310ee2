"""Real-browser layout check from the QA pass: the search page's kind buttons (four names with
counts) were cut off at the right edge when they shared a row with two select boxes."""

from __future__ import annotations

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

CLIPPED = """(el) => {
  // a button group is cut off when its content is wider than what it is given
  const group = el.closest('[data-testid=stButtonGroup]') || el;
  let box = group.parentElement;
  const right = box.getBoundingClientRect().right + 1;
  return Array.from(group.querySelectorAll('button'))
      .filter(b => b.getBoundingClientRect().right > right).map(b => b.innerText);
}"""


def test_search_kind_buttons_are_not_cut_off(server, page, wait_ready):
    page.goto(f"{server}/search?q={quote('流量')}")
    page.get_by_text("找到").first.wait_for(timeout=90_000)
    wait_ready(page)
    group = page.locator("[data-testid=stMain] [data-testid=stButtonGroup]").first
    assert "运营日志" in group.inner_text()
    assert group.evaluate(CLIPPED) == []
