"""The command line: exit codes, messages and the JSON shapes other tools rely on."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO, write_doc


def run(*args, root=None):
    cmd = [sys.executable, "-m", "kb", *args]
    if root is not None:
        cmd += ["--root", str(root)]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_check_passes_on_good_content_and_fails_listing_every_problem(root):
    write_doc(root, "case", "case-ok", "好的案例", problems=["traffic-drop"])
    ok = run("check", root=root)
    assert ok.returncode == 0 and "OK: 1 case" in ok.stdout
    write_doc(root, "case", "case-bad", "坏的案例", problems=["nope"], created="2026-02-30")
    bad = run("check", root=root)
    assert bad.returncode == 1
    assert "case-bad.md: created: '2026-02-30' is not a date" in bad.stderr
    assert "1 problem(s) found" in bad.stderr


def test_search_json_shape(root):
    write_doc(
        root, "playbook", "pb-x", "转化率下降排查", body="先看口径。", problems=["traffic-drop"]
    )
    res = run("search", "转化率", "--json", root=root)
    assert res.returncode == 0, res.stderr
    hits = json.loads(res.stdout)
    assert hits[0]["id"] == "pb-x"
    assert {"id", "kind", "title", "score", "snippet"} <= hits[0].keys()


def test_index_and_show(root):
    write_doc(root, "article", "art-x", "一篇文章", body="正文内容", problems=["traffic-drop"])
    idx = run("index", "--json", root=root)
    assert idx.returncode == 0 and json.loads(idx.stdout)["added"] == 1
    again = run("index", "--json", root=root)
    assert json.loads(again.stdout)["unchanged"] == 1
    shown = run("show", "art-x", "--json", root=root)
    assert json.loads(shown.stdout)["title"] == "一篇文章"
    missing = run("show", "art-none", root=root)
    assert missing.returncode == 1 and "no document with id 'art-none'" in missing.stderr


def test_diagnose_json_keeps_the_design_contract():
    res = run("diagnose", "samples/channel-collapse.csv", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    contract = {"kpi", "current", "baseline", "change", "change_pct", "significant", "movements"}
    contract |= {"factors", "drilldown", "problems", "hypotheses", "documents"}
    assert contract <= out.keys()
    assert out["drilldown"][0]["segment"] == {"channel": "抖音"}
    assert out["problems"][0]["id"] == "channel-traffic-drop"
    assert {"text", "check", "problem"} <= out["hypotheses"][0].keys()
    assert {"id", "kind", "title"} <= out["documents"][0].keys()


def test_bundled_content_passes_check():
    res = run("check")
    assert res.returncode == 0, res.stderr
