"""Search under hostile input and damaged state: long queries, flipped index bytes, manifests
of the wrong shape, a file where the index folder belongs, killed bulk builds."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from conftest import REPO, write_doc
from kb import analysis
from kb.config import load_config
from kb.query import MAX_QUERY_CHARS
from kb.search import SearchIndex


@pytest.fixture
def small(root):
    write_doc(root, "case", "case-douyin", "抖音渠道流量腰斩", body="抖音渠道的访客数下降一半。")
    write_doc(root, "playbook", "pb-cr", "转化率下降排查", body="转化率下降时先看口径和埋点。")
    return root


def ids(results):
    return [h.id for h in results.hits]


def _random_chinese(n: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    return "".join(chr(rnd.randint(0x4E00, 0x9FA5)) for _ in range(n))


# ---- long queries ---------------------------------------------------------------------------
def test_a_very_long_query_is_cut_with_a_message(small):
    index = SearchIndex(load_config(small))
    res = index.search("抖音" + _random_chinese(100_000))
    assert [(e.code, e.params) for e in res.errors] == [("too_long", {"max": MAX_QUERY_CHARS})]
    assert "500" in res.errors[0].get("zh") and "500" in res.errors[0].get("en")
    # the first 500 characters were searched (nothing matches all of them), no exception
    assert res.total == 0
    assert ids(index.search("抖音 " + "x" * 10)) == []  # normal queries are unaffected
    assert ids(index.search("抖音")) == ["case-douyin"]


def test_jieba_is_given_bounded_pieces_so_the_cut_is_linear(monkeypatch):
    """jieba's HMM costs the square of an unknown run's length; word_tokens hands it pieces of
    at most PIECE_CHARS characters, and the tokens still point into the original text."""
    seg = analysis.segmenter(())
    seen: list[int] = []
    original = seg.tokenize

    def spy(text, *args, **kwargs):
        seen.append(len(text))
        return original(text, *args, **kwargs)

    monkeypatch.setattr(seg, "tokenize", spy)
    text = _random_chinese(5_000) + " 转化率下降，" + _random_chinese(3_000, seed=2)
    tokens = list(analysis.word_tokens(text, ()))
    assert seen and max(seen) <= analysis.PIECE_CHARS
    assert sum(seen) == len(text)  # every character once
    for word, start, end, primary in tokens:
        if primary:
            assert text[start:end].lower() == word
    assert "转化率" in {w for w, *_ in tokens}


def test_pieces_cut_at_a_separator_when_there_is_one():
    text = "甲" * 250 + "，" + "乙" * 100
    parts = list(analysis.pieces(text, limit=300))
    assert [p for _, p in parts] == ["甲" * 250 + "，", "乙" * 100]
    assert "".join(p for _, p in parts) == text


# ---- damaged index --------------------------------------------------------------------------
def _segment(config):
    segs = sorted(config.index_dir.glob("*.seg"), key=lambda p: p.stat().st_size)
    assert segs, "no segment file"
    return segs[-1]


def _flip_bytes(path, count=2000, seed=3):
    data = bytearray(path.read_bytes())
    rnd = random.Random(seed)
    for _ in range(min(count, len(data) // 2)):
        i = rnd.randrange(len(data))
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def test_flipped_bytes_in_a_segment_are_repaired_on_open(small):
    config = load_config(small)
    SearchIndex(config).sync()
    _flip_bytes(_segment(config))
    fresh = SearchIndex(config)
    res = fresh.search("抖音")
    assert ids(res) == ["case-douyin"]
    assert [n.code for n in res.notices] == ["index_rebuilt"]
    assert fresh.search("抖音").notices == []  # shown once


def test_damage_under_an_open_index_is_repaired_at_search(small, monkeypatch):
    config = load_config(small)
    index = SearchIndex(config)
    assert ids(index.search("抖音")) == ["case-douyin"]
    _flip_bytes(_segment(config))
    calls = {"n": 0}
    real = index._search

    def failing_once(*args):  # what whoosh raises when it reads the flipped bytes
        calls["n"] += 1
        if calls["n"] == 1:
            import zlib

            raise zlib.error("Error -3 while decompressing data: invalid block type")
        return real(*args)

    monkeypatch.setattr(index, "_search", failing_once)
    res = index.search("转化率")
    assert ids(res) == ["pb-cr"] and [n.code for n in res.notices] == ["index_rebuilt"]
    assert SearchIndex(config).sync().changed == 0  # the rebuilt index is intact


def test_kb_index_repairs_a_damaged_segment(small):
    config = load_config(small)
    SearchIndex(config).sync()
    _flip_bytes(_segment(config))
    cmd = [sys.executable, "-m", "kb", "index", "--root", str(small), "--json"]
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["repaired"] and report["rebuilt"] and report["added"] == 2
    search = [sys.executable, "-m", "kb", "search", "抖音", "--root", str(small), "--json"]
    out = subprocess.run(search, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert [h["id"] for h in json.loads(out.stdout)] == ["case-douyin"]


@pytest.mark.parametrize(
    "manifest",
    [
        "[1, 2]",
        '"just a string"',
        "{not json",
        None,  # a files entry that is a string
        "{}",
    ],
)
def test_a_manifest_of_the_wrong_shape_means_rebuild(small, manifest):
    config = load_config(small)
    SearchIndex(config).sync()
    path = config.index_dir / "manifest.json"
    if manifest is None:
        data = json.loads(path.read_text())
        data["files"][next(iter(data["files"]))] = "x"
        manifest = json.dumps(data)
    path.write_text(manifest)
    fresh = SearchIndex(config)
    stats = fresh.sync()
    assert stats.rebuilt and stats.repaired and stats.added == 2
    assert ids(fresh.search("抖音")) == ["case-douyin"]


def test_an_outdated_index_is_rebuilt_but_not_called_damaged(small):
    config = load_config(small)
    SearchIndex(config).sync()
    path = config.index_dir / "manifest.json"
    path.write_text(path.read_text().replace('"version": "', '"version": "old-'))
    stats = SearchIndex(config).sync()
    assert stats.rebuilt and not stats.repaired


def _run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "kb", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_opskb_being_a_file_is_a_clear_message(small):
    (small / ".opskb").write_text("not a folder")
    for args in (["index"], ["search", "抖音"]):
        out = _run_cli(*args, "--root", str(small))
        assert out.returncode == 2
        assert "Traceback" not in out.stderr
        assert ".opskb" in out.stderr and "文件" in out.stderr
    assert (small / ".opskb").read_text() == "not a folder"  # left as it was


def test_lock_path_being_a_folder_is_a_clear_message(small):
    (small / ".opskb" / "index.lock").mkdir(parents=True)
    out = _run_cli("index", "--root", str(small))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "index.lock" in out.stderr and "文件夹" in out.stderr


# ---- killed bulk builds ---------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="bulk writer processes need 2 cores")
def test_killing_a_bulk_build_leaves_no_worker_processes(root):
    filler = "流量下降的原因有很多,先看渠道再看转化率。" * 40
    for i in range(1200):  # above BULK_DOCS: the build runs in worker processes
        write_doc(root, "article", f"art-{i}", f"文章{i}", body=f"第{i}篇。" + filler)
    cmd = [sys.executable, "-m", "kb", "index", "--rebuild", "--root", str(root)]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers: list[int] = []
    deadline = time.monotonic() + 240  # the scan before the build is slow on a loaded machine
    while time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        if workers:
            break
        time.sleep(0.1)
    assert workers, "the build finished or failed before any worker started"
    # the workers' own children (multiprocessing's resource tracker) count too
    everyone = set(workers)
    for pid in workers:
        everyone.update(_children(pid))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(p) for p in everyone):
        time.sleep(0.1)
    survivors = [p for p in everyone if _alive(p)]
    for pid in survivors:  # clean up before failing
        os.kill(pid, signal.SIGKILL)
    assert survivors == []


def test_an_error_with_an_intact_index_is_raised_not_hidden_by_a_rebuild(small, monkeypatch):
    config = load_config(small)
    index = SearchIndex(config)
    index.search("抖音")
    rebuilds = []
    monkeypatch.setattr(index, "rebuild", lambda *a, **k: rebuilds.append(1))

    def bug(*args):
        raise ValueError("a bug in the engine, not damage")

    monkeypatch.setattr(index, "_search", bug)
    with pytest.raises(ValueError, match="a bug"):
        index.search("抖音")
    assert rebuilds == []
