"""The bundled case studies: enough of them, in the agreed shape, with honest numbers.

A new hire reads these cases to learn how a metric problem was found and handled, so each one
must follow the same sections, say its numbers are illustrative, name a known metric for its
outcome, and together they must reach every problem area of the taxonomy.
"""

from __future__ import annotations

import re
from numbers import Number

import pytest

SECTIONS = ["背景", "现象(数据)", "分析", "措施", "结果", "复盘"]
AREAS = {"content", "user", "promotion", "store"}
VERDICTS = {"improved", "worsened", "unchanged"}
UNCHANGED_WITHIN = 0.05  # a relative change this small is "unchanged"
HEADING = re.compile(r"^##\s+(.+?)\s*$", re.M)


def _real_library_case(doc) -> bool:
    """A real, sourced marketing case from outside (issue 16): not illustrative and every
    result carries a link. Those follow the case-library shape and are checked in
    test_caselib.py; a post-mortem that merely lost its ``illustrative`` flag still lands here."""
    results = doc.meta.get("results") or []
    return (
        doc.meta.get("illustrative") is not True
        and bool(results)
        and all(
            isinstance(r, dict) and str(r.get("source", "")).startswith("http") for r in results
        )
    )


@pytest.fixture(scope="module")
def cases(collection):
    """Our own (illustrative) post-mortems."""
    return sorted(
        (d for d in collection.docs.values() if d.kind == "case" and not _real_library_case(d)),
        key=lambda d: d.id,
    )


def test_there_are_at_least_twenty_cases(cases):
    assert len(cases) >= 20, [d.id for d in cases]


def test_case_files_load_without_errors(collection):
    errors = [str(e) for e in collection.errors if "/cases/" in str(e).replace("\\", "/")]
    assert errors == []


def test_every_case_has_the_six_sections_in_order(cases):
    wrong = {}
    for doc in cases:
        headings = HEADING.findall(doc.body)
        if headings != SECTIONS:
            wrong[doc.id] = headings
    assert wrong == {}


def test_every_case_says_its_numbers_are_illustrative(cases):
    unmarked = [
        d.id for d in cases if d.meta.get("illustrative") is not True or "数据为示意" not in d.body
    ]
    assert unmarked == []


def test_every_case_shows_its_data_in_a_table(cases):
    def phenomenon(body: str) -> str:
        return body.split("## 现象(数据)", 1)[1].split("\n## ", 1)[0]

    without_table = [d.id for d in cases if "|---" not in phenomenon(d.body)]
    assert without_table == []


def test_every_case_links_one_to_three_problems_and_known_metrics(cases, workspace):
    bad = {}
    for doc in cases:
        unknown = [m for m in doc.metrics if workspace.metrics.resolve(m) is None]
        if not 1 <= len(doc.problems) <= 3 or not doc.metrics or unknown:
            bad[doc.id] = (doc.problems, unknown)
    assert bad == {}


def _verdict_from_numbers(before: float, after: float, better: str) -> str:
    if before and abs(after - before) / abs(before) <= UNCHANGED_WITHIN:
        return "unchanged"
    rose = after > before
    return "improved" if rose == (better == "up") else "worsened"


def test_outcomes_name_a_known_metric_and_match_their_verdict(cases, workspace):
    """The verdict must agree with the numbers and with which direction is good for the metric."""
    bad = {}
    for doc in cases:
        outcome = doc.meta.get("outcome")
        if not isinstance(outcome, dict):
            bad[doc.id] = "no outcome"
            continue
        name = workspace.metrics.resolve(str(outcome.get("metric", "")))
        before, after = outcome.get("before"), outcome.get("after")
        verdict = outcome.get("verdict")
        if name is None:
            bad[doc.id] = f"unknown metric {outcome.get('metric')!r}"
        elif not isinstance(before, Number) or not isinstance(after, Number):
            bad[doc.id] = "before/after must be numbers"
        elif verdict not in VERDICTS:
            bad[doc.id] = f"verdict {verdict!r}"
        else:
            expected = _verdict_from_numbers(before, after, workspace.metrics[name].better)
            if expected != verdict:
                bad[doc.id] = f"numbers say {expected}, verdict says {verdict}"
    assert bad == {}


def test_some_cases_end_unchanged_or_worse(cases):
    verdicts = [d.meta["outcome"]["verdict"] for d in cases]
    assert verdicts.count("unchanged") >= 2
    assert verdicts.count("worsened") >= 1


def test_cases_cover_all_four_problem_areas(cases, workspace):
    areas = {
        workspace.taxonomy.get(pid).area
        for doc in cases
        for pid in doc.problems
        if pid in workspace.taxonomy
    }
    assert areas >= AREAS


def test_every_problem_type_has_a_linked_document(collection, workspace):
    orphans = [p.id for p in workspace.taxonomy if not collection.by_problem(p.id)]
    assert orphans == []


def test_seed_patterns_have_a_case(cases):
    """The domain seed's patterns each appear as a worked case."""
    linked = {pid for doc in cases for pid in doc.problems}
    seed = {
        "pv-down-uv-flat",
        "uv-down-pv-up",
        "uv-pv-both-down",
        "acquisition-down-cost-up",
        "acquisition-down-cost-down",
        "acquisition-up-cost-up",
        "acquisition-up-cost-down",
        "registration-conversion-down",
        "channel-traffic-drop",
        "multi-channel-traffic-drop",
    }
    assert seed - linked == set()
