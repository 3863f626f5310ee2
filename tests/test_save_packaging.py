"""`pip install .` installs the engine package `kb` with its data files and pinned dependencies.

Issue 15: setuptools' automatic discovery found kb, ui, data, cases ... as packages and refused.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_pip_install_builds_the_kb_package(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "requirements.txt", "README.md"):
        shutil.copy(REPO / name, src / name)
    shutil.copytree(REPO / "kb", src / "kb", ignore=shutil.ignore_patterns("__pycache__"))
    for folder in ("ui", "data", "cases"):  # top-level folders setuptools used to trip over
        shutil.copytree(REPO / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "site"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert (target / "kb" / "documents.py").is_file()
    assert (target / "kb" / "importers" / "suggest.yaml").is_file()
    assert not (target / "ui").exists() and not (target / "cases").exists()
    (meta,) = target.glob("opskb-*.dist-info/METADATA")
    requires = [line for line in meta.read_text().splitlines() if line.startswith("Requires-Dist")]
    pinned = [
        line.strip()
        for line in (REPO / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert requires == [f"Requires-Dist: {p}" for p in pinned]
