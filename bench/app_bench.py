"""First paint of the home page: AppTest script run, and a real browser against `streamlit run`.

    python bench/app_bench.py [--runs 5]

"First paint" in the browser = from page.goto() until the home page's last section
("最近的文档") is drawn and the script run is over. The first load of a fresh server process
(cold: imports, taxonomy and documents loaded once per process) is reported separately.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]  # fmt: skip
READY = "[data-testid=stApp][data-test-script-state=notRunning]"


def apptest(runs: int) -> list[float]:
    from streamlit.testing.v1 import AppTest

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
        times.append(time.perf_counter() - start)
        assert not at.exception
    return times


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser(runs: int) -> tuple[float, list[float]]:
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="opskb-bench-"))
    for folder in ("playbooks", "cases", "articles"):
        shutil.copytree(REPO / folder, root / folder)
    port = _port()
    env = {**os.environ, "OPSKB_ROOT": str(root), "OPSKB_INDEX": str(root / ".index")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            times = []
            for _ in range(runs + 1):
                ctx = b.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
                page = ctx.new_page()
                start = time.perf_counter()
                page.goto(url)
                page.get_by_text("最近的文档").wait_for(timeout=60_000)
                page.wait_for_selector(READY)
                times.append(time.perf_counter() - start)
                ctx.close()
            b.close()
        return times[0], times[1:]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    at = apptest(args.runs)
    print(f"AppTest home run: first {at[0]:.2f} s, median of the rest "
          f"{statistics.median(at[1:] or at):.2f} s")  # fmt: skip
    if Path(CHROMIUM).exists():
        cold, warm = browser(args.runs)
        print(f"Browser first paint: cold server {cold:.2f} s, warm median "
              f"{statistics.median(warm):.2f} s (max {max(warm):.2f} s, {len(warm)} loads)")  # fmt: skip
    else:
        print(f"{CHROMIUM} not found: browser timing skipped")


if __name__ == "__main__":
    main()
