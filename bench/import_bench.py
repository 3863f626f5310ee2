"""Bulk import benchmark: 1,000 bookmarks, without fetching and with fetching from a local server.

    python bench/import_bench.py [--n 1000] [--workers 8]

Scenarios (each into a fresh temporary content root):
  no-fetch    Netscape export of N bookmarks -> N link-only articles
  re-import   the same export again into that root -> N skipped as duplicates
  fetch       N bookmarks pointing at a local http.server (127.0.0.1, allow-listed) that serves
              a distinct ~2 KB Chinese article per URL -> fetched, extracted, sanitised, saved
Prints a Markdown table (wall time, items/s, peak RSS) to paste into bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.importers.fetch import ENV_ALLOW  # noqa: E402
from kb.importers.service import import_export  # noqa: E402
from kb.workspace import Workspace  # noqa: E402

PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>第{n}期：渠道流量复盘 - 运营周刊</title><meta name="author" content="作者{n}">
<meta property="og:site_name" content="运营周刊"></head><body>
<nav><a href="/">首页</a> <a href="/about">关于</a></nav><article><h1>第{n}期：渠道流量复盘</h1>
<p>第{n}周，店铺 GMV 比前一周下降了 {pct}%。把 GMV 拆成 UV × 转化率 × 客单价之后，转化率和客单价基本持平，
问题出在流量：UV 下降了 {pct}%，其中抖音渠道下降最多，其他渠道基本正常。</p>
<p>按渠道下钻后发现，投放计划没有暂停，广告花费持平，但主力素材的点击率从 3.{n3}% 跌到 1.{n3}%，CPC 上升。
更换素材后第二周流量恢复。结论：素材要有备份，点击率异常要在日报里预警。编号 {n}。</p>
<ul><li>广告花费：持平</li><li>点击率：下降</li><li>CPC：上升</li></ul>
<script>alert({n})</script><img src=x onerror="alert({n})"></article>
<footer>© 运营周刊</footer></body></html>"""


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        try:
            n = int(self.path.split("?")[0].rsplit("/", 1)[-1])
        except ValueError:
            n = 0
        body = PAGE.format(n=n, pct=10 + n % 30, n3=n % 10).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def bookmarks(urls: list[str]) -> bytes:
    rows = "".join(
        f'<DT><A HREF="{u}?utm_source=bench" ADD_DATE="{1772409600 + i}" TAGS="bench,t{i % 7}">'
        f"运营文章 {i}</A>\n"
        for i, u in enumerate(urls)
    )
    return f"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n{rows}</DL><p>\n".encode()


def timed(label: str, root: Path, data: bytes, fetch: bool, workers: int) -> dict:
    ws = Workspace.open(root)
    start = time.perf_counter()
    report = import_export(ws, f"{label}.html", data, fetch=fetch, workers=workers)
    seconds = time.perf_counter() - start
    n = len(report.imported) + len(report.skipped) + len(report.failed)
    return {
        "scenario": label,
        "items": n,
        "imported": len(report.imported),
        "link_only": len(report.link_only),
        "skipped": len(report.skipped),
        "failed": len(report.failed),
        "seconds": seconds,
        "per_s": n / seconds if seconds else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    os.environ[ENV_ALLOW] = "127.0.0.1"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        offline = bookmarks([f"https://site{i % 50}.example.com/post/{i}" for i in range(args.n)])
        rows.append(timed("no-fetch", Path(tmp) / "a", offline, False, args.workers))
        rows.append(timed("re-import", Path(tmp) / "a", offline, False, args.workers))
        online = bookmarks([f"{base}/post/{i}" for i in range(args.n)])
        rows.append(
            timed(f"fetch ({args.workers} workers)", Path(tmp) / "b", online, True, args.workers)
        )
        if args.workers != 1:
            rows.append(timed("fetch (1 worker)", Path(tmp) / "c", online, True, 1))
    httpd.shutdown()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; N = {args.n}; peak RSS {peak_mb:.0f} MB\n"
    )
    print("| scenario | items | imported | link-only | skipped | failed | seconds | items/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['scenario']} | {r['items']} | {r['imported']} | {r['link_only']} | "
            f"{r['skipped']} | {r['failed']} | {r['seconds']:.1f} | {r['per_s']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
