"""Where content, team-editable data and the derived index live.

The content root holds ``playbooks/``, ``cases/``, ``articles/``, ``log/`` (the action log) and optionally ``data/``
(taxonomy, metric tree, synonyms, glossary...). A root without its own ``data/`` uses the
bundled one, so a fresh folder of documents works at once. The root comes from, in order:
an explicit argument (``--root``), the ``OPSKB_ROOT`` environment variable, the repository.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DATA = REPO_ROOT / "data"
KINDS = ("playbook", "article", "case", "log")
KIND_DIRS = {"playbook": "playbooks", "article": "articles", "case": "cases", "log": "log"}
ENV_ROOT = "OPSKB_ROOT"
ENV_INDEX = "OPSKB_INDEX"


@dataclass(frozen=True)
class Config:
    root: Path
    data_dir: Path
    index_dir: Path

    def kind_dir(self, kind: str) -> Path:
        return self.root / KIND_DIRS[kind]

    def data_file(self, name: str) -> Path:
        """A team-editable data file: the root's own copy if present, else the bundled one."""
        own = self.root / "data" / name
        return own if own.exists() else BUNDLED_DATA / name


def load_config(root: str | os.PathLike | None = None) -> Config:
    root_path = Path(root or os.environ.get(ENV_ROOT) or REPO_ROOT).resolve()
    data_dir = root_path / "data" if (root_path / "data").is_dir() else BUNDLED_DATA
    index_env = os.environ.get(ENV_INDEX)
    index_dir = Path(index_env).resolve() if index_env else root_path / ".opskb" / "index"
    return Config(root=root_path, data_dir=data_dir, index_dir=index_dir)
