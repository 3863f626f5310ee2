"""Real browser: the case library page filters by facet through shareable URLs."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from kb import caselib
from kb.workspace import Workspace

pytestmark = pytest.mark.browser


def test_case_library_facets_in_the_url(server, page, wait_ready, screenshot):
    cases = caselib.infos(Workspace.open().collection())
    page.goto(f"{server}/cases")
    wait_ready(page, "案例库")
    page.get_by_text(f"共 {len(cases)} 个案例").first.wait_for()
    page.get_by_text("行业", exact=True).first.wait_for()  # the facet widgets drew
    first = caselib.filter_cases(cases)[0] if cases else None
    if first is not None:
        page.locator("[data-testid=stPageLink-NavLink]").nth(8).wait_for()
    wait_ready(page)
    screenshot(page, "cases")
    real = caselib.filter_cases(cases, real="real")
    page.goto(f"{server}/cases?real=real")
    wait_ready(page, "案例库")
    page.get_by_text(f"共 {len(real)} 个案例").first.wait_for()
    counts = caselib.facet_counts(cases)["platform"]
    if counts:
        platform, n = counts.most_common(1)[0]
        page.goto(f"{server}/cases?platform={quote(platform)}")
        wait_ready(page, "案例库")
        page.get_by_text(f"共 {n} 个案例").first.wait_for()
