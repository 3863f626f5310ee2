"""Shared fixtures: temporary content roots with a few documents."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from kb.config import KIND_DIRS, load_config
from kb.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent


def write_doc(root: Path, kind: str, doc_id: str, title: str, body: str = "", **fields) -> Path:
    """Write a document file the way a person would, front matter first."""
    lines = ["---", f"id: {doc_id}", f"kind: {kind}", f"title: {title}"]
    fields.setdefault("created", "2026-03-01")
    for key, value in fields.items():
        if isinstance(value, list):
            value = "[" + ", ".join(str(v) for v in value) + "]"
        lines.append(f"{key}: {value}")
    lines += ["---", textwrap.dedent(body).strip(), ""]
    folder = root / KIND_DIRS[kind]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{doc_id}.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An empty content root (uses the bundled data/ for taxonomy and metrics)."""
    for folder in KIND_DIRS.values():
        (tmp_path / folder).mkdir()
    return tmp_path


@pytest.fixture
def config(root: Path):
    return load_config(root)


def copy_bundled_content(dest: Path) -> Path:
    """The bundled playbooks, cases and articles in a folder of their own (data/ stays shared)."""
    for folder in KIND_DIRS.values():
        shutil.copytree(REPO / folder, dest / folder)
    return dest


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A writable copy of the bundled content, for tests that save or edit."""
    return copy_bundled_content(tmp_path)


@pytest.fixture(scope="session")
def workspace() -> Workspace:
    """The repository's own content and data (read-only use)."""
    return Workspace.open(REPO)


@pytest.fixture(scope="session")
def collection(workspace):
    return workspace.collection()
