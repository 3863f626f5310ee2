"""Learning progress in a small local file (optional): <content root>/.progress/<name>.json.

Progress lives in the browser session; a learner who types a name keeps it across sessions on
this machine (the Learn page remembers the name in the URL, ``?learner=``). The folder is
git-ignored: progress is personal, not team content.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from kb.documents import atomic_write

_SAFE = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff_-]+")


def _path(root: Path, name: str) -> Path | None:
    safe = _SAFE.sub("", name.strip())[:40]
    return root / ".progress" / f"{safe}.json" if safe else None


def load(root: Path, name: str) -> set[str]:
    path = _path(root, name)
    if path is None or not path.exists():
        return set()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()  # a broken file starts over rather than breaking the page
    return {str(x) for x in data.get("done", [])} if isinstance(data, dict) else set()


def save(root: Path, name: str, done: set[str]) -> None:
    path = _path(root, name)
    if path is not None:
        atomic_write(path, json.dumps({"done": sorted(done)}, ensure_ascii=False, indent=1))
