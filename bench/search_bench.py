"""Search benchmark: whoosh index vs SQLite FTS5 on the same jieba-cut text.

Builds a synthetic Chinese corpus (sentences of the bundled documents and the domain seed,
recombined with a fixed seed) of N documents in a temporary content root, then reports:
full index time, incremental add of one document, query latency p50/p95 over a fixed query list
(each query run through the full SearchIndex.search: parsing, synonyms, facets, snippets), and
the same for SQLite FTS5 over the jieba-tokenised text (a plain MATCH, no facets or snippets).
Then, on the same index: a query after 2.5 s idle (the freshness check on the query path), a
full re-scan of the files with nothing changed (what that check did before; it now runs in the
background), and queries of 500 and 100,000 characters (cut at 500, with a message).

    python bench/search_bench.py                 # 1k and 10k documents
    python bench/search_bench.py --sizes 1000
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.analysis import query_words, word_tokens  # noqa: E402
from kb.config import REPO_ROOT, load_config  # noqa: E402
from kb.documents import iter_document_paths, read_document  # noqa: E402
from kb.plaintext import markdown_to_text  # noqa: E402
from kb.search import SearchIndex  # noqa: E402

QUERIES = [
    "转化率",
    "转化率 下降",
    "复购",
    "GMV下降",
    "ROI 低",
    "双11",
    "客单价",
    "流量 渠道",
    '"跳出率"',
    "内容 质量 -抖音",
    "kind:case 退款",
    "访客",
    "成交额",
    "推荐 点击",
    "用户 流失 活跃",
    "数据分析",
]
PROBLEMS = ["traffic-drop", "channel-traffic-drop", "pv-down-uv-flat"]
TAGS = ["抖音", "淘宝", "小红书", "投放", "内容", "用户", "活动", "双11"]


def sentences() -> list[str]:
    texts = [(REPO_ROOT.parent / "shared" / "seed" / "ops-daily-work.txt")]
    out: list[str] = []
    for path in texts:
        if path.exists():
            out += re.split(r"(?<=[。！？\n])", path.read_text(encoding="utf-8"))
    for path in iter_document_paths(load_config(REPO_ROOT)):
        try:
            out += re.split(r"(?<=[。！？\n])", markdown_to_text(read_document(path).body))
        except Exception:
            continue
    return [s.strip() for s in out if 8 <= len(s.strip()) <= 200]


def make_corpus(root: Path, n: int, pool: list[str], rng: random.Random) -> list[str]:
    kinds = {"case": "cases", "playbook": "playbooks", "article": "articles"}
    bodies = []
    for folder in kinds.values():
        (root / folder).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        kind = rng.choice(list(kinds))
        body = "".join(rng.choices(pool, k=rng.randint(8, 30)))
        title = rng.choice(pool)[:30].replace(":", " ").replace("#", " ").strip() or f"文档{i}"
        bodies.append(body)
        front = (
            f"---\nid: doc-{i}\nkind: {kind}\ntitle: '{title.replace(chr(39), '')}'\n"
            f"problems: [{rng.choice(PROBLEMS)}]\ntags: [{rng.choice(TAGS)}]\n"
            f"created: 2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n---\n"
        )
        (root / kinds[kind] / f"doc-{i}.md").write_text(front + body + "\n", encoding="utf-8")
    return bodies


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def bench_whoosh(root: Path) -> dict:
    index = SearchIndex(load_config(root))
    t0 = time.perf_counter()
    stats = index.sync()
    full = time.perf_counter() - t0
    extra = root / "cases" / "doc-new.md"
    extra.write_text(
        "---\nid: doc-new\nkind: case\ntitle: 新增一篇\ncreated: 2026-01-01\n---\n新增的直播间复盘。\n",
        encoding="utf-8",
    )
    t0 = time.perf_counter()
    index.sync()
    add = time.perf_counter() - t0
    latencies = []
    for _round in range(3):
        for q in QUERIES:
            t0 = time.perf_counter()
            index.search(q)
            latencies.append((time.perf_counter() - t0) * 1000)
    idle = []
    for _round in range(5):
        time.sleep(2.5)  # longer than the old 2 s freshness window
        t0 = time.perf_counter()
        index.search(QUERIES[_round])
        idle.append((time.perf_counter() - t0) * 1000)
    index.wait_for_rescan(60)
    rescans = []
    for _round in range(5):
        t0 = time.perf_counter()
        index.sync()
        rescans.append((time.perf_counter() - t0) * 1000)
    long_query = {}
    rng = random.Random(3)
    for n in (500, 100_000):
        text = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(n))
        t0 = time.perf_counter()
        index.search(text)
        long_query[n] = (time.perf_counter() - t0) * 1000
    return {
        "docs": stats.added,
        "full": full,
        "add": add,
        "lat": latencies,
        "idle": statistics.median(idle),
        "rescan": statistics.median(rescans),
        "long": long_query,
    }


def bench_fts5(bodies: list[str], user_words: tuple[str, ...]) -> dict:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='unicode61')")
    t0 = time.perf_counter()
    rows = [(" ".join(w for w, *_ in word_tokens(b, user_words)),) for b in bodies]
    con.executemany("INSERT INTO docs(body) VALUES (?)", rows)
    con.commit()
    full = time.perf_counter() - t0
    latencies = []
    for _round in range(3):
        for q in QUERIES:
            words = [w for w in query_words(re.sub(r"\w+:|-\S+|\"", " ", q), user_words)]
            if not words:
                continue
            match = " AND ".join(f'"{w}"' for w in words)
            t0 = time.perf_counter()
            con.execute(
                "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10", (match,)
            ).fetchall()
            latencies.append((time.perf_counter() - t0) * 1000)
    return {"full": full, "lat": latencies}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    pool = sentences()
    print(f"sentence pool: {len(pool)} sentences from the seed and bundled documents")
    print(
        "| docs | whoosh full index | add 1 doc | query p50 | query p95 | FTS5 index | FTS5 p50 | FTS5 p95 | p95 ratio |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    freshness = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            bodies = make_corpus(root, n, pool, random.Random(args.seed))
            w = bench_whoosh(root)
            index = SearchIndex(load_config(root))
            f = bench_fts5(bodies, index.vocab.user_words)
            wp50, wp95 = statistics.median(w["lat"]), pct(w["lat"], 95)
            fp50, fp95 = statistics.median(f["lat"]), pct(f["lat"], 95)
            print(
                f"| {n:,} | {w['full']:.1f} s | {w['add'] * 1000:.0f} ms | {wp50:.1f} ms | "
                f"{wp95:.1f} ms | {f['full']:.1f} s | {fp50:.2f} ms | {fp95:.2f} ms | "
                f"{wp95 / max(fp95, 1e-6):.1f}x |",
                flush=True,
            )
            freshness.append(
                f"| {n:,} | {w['idle']:.1f} ms | {w['rescan']:.1f} ms | "
                f"{w['long'][500]:.0f} ms | {w['long'][100_000]:.0f} ms |"
            )
    print()
    print(
        "| docs | query after 2.5 s idle (p50) | full re-scan, nothing changed | 500-char query | 100,000-char query |"
    )
    print("|---:|---:|---:|---:|---:|")
    print("\n".join(freshness))


if __name__ == "__main__":
    main()
