"""Edit history: the content root as a git repository, one commit per save of one file.

A real version store, not a private format: the team can push the content to its own git server,
review changes there, and run several app instances on one repository. Each save commits only the
saved file (``git commit --only``), so the content root may be the code repository itself without
sweeping anyone's staged work into the commit. Commits run inside the save lock (kb.store), which
also orders them. A root outside any repository becomes one on its first save (``git init``),
with a ``.gitignore`` for the derived index and temp files.

History is kept on a best-effort basis: when git is missing or refuses (a hook, a held index
lock), the save itself stands and the reason is returned to the caller to show.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import logging
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kb.config import Config

DEFAULT_AUTHOR = "OpsKB"
ENV_HISTORY = "OPSKB_HISTORY"  # "off" disables commits (e.g. a read-only deployment)
IGNORES = "# OpsKB: derived index and lock, temp files of interrupted saves\n.opskb/\n.*.tmp\n"
_SEP = "\x1f"
_GIT_ENV_DROP = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_OBJECT_DIRECTORY")


class HistoryError(RuntimeError):
    """git could not record or read a revision; the message says what git said."""


@dataclass(frozen=True)
class Revision:
    rev: str  # full commit hash
    author: str
    when: str  # ISO 8601 with offset
    message: str

    @property
    def short(self) -> str:
        return self.rev[:8]


def enabled() -> bool:
    return os.environ.get(ENV_HISTORY, "").lower() not in ("off", "0", "false", "no") and bool(
        shutil.which("git")
    )


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV_DROP}
    env.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    return env


def _git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    cmd = ["git", "-c", "user.name=OpsKB", "-c", "user.email=opskb@localhost"]
    cmd += ["-c", "commit.gpgsign=false", "-c", "core.quotepath=false", *args]
    out = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, timeout=60)
    if check and out.returncode != 0:
        message = out.stderr.decode("utf-8", "replace").strip() or f"exit {out.returncode}"
        raise HistoryError(f"git {args[0]}: {message[-500:]}")
    return out


def toplevel(root: Path) -> Path | None:
    """The git work tree holding ``root``, or None."""
    out = _git(root, "rev-parse", "--show-toplevel", check=False)
    if out.returncode != 0:
        return None
    return Path(out.stdout.decode().strip()).resolve()


def _ensure_repo(root: Path) -> Path:
    top = toplevel(root)
    if top is not None:
        return top
    _git(root, "init", "-q")
    ignore = root / ".gitignore"
    if not ignore.exists():
        ignore.write_text(IGNORES, encoding="utf-8")
    return root.resolve()


_TOPLEVEL: dict[Path, Path] = {}  # content root -> its work tree (each save would ask git again)


def _repo(root: Path) -> Path:
    key = Path(root).resolve()
    key.mkdir(parents=True, exist_ok=True)  # a fresh content root, before its first save
    top = _TOPLEVEL.get(key)
    if top is None or not (top / ".git").exists():
        top = _TOPLEVEL[key] = _ensure_repo(key)
    return top


def _author(name: str | None) -> str:
    clean = " ".join((name or "").replace("<", "").replace(">", "").split())[:80]
    return f"{clean or DEFAULT_AUTHOR} <>"


def _rel(top: Path, path: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), top)).as_posix()


_NOTHING = (b"nothing to commit", b"no changes added", b"nothing added")


def _commit(top: Path, rel: str, author: str | None, message: str) -> bool:
    """Commit the work-tree state of one path (its text, or its removal); False if unchanged.

    ``--only``: other staged changes in the repository stay staged and out of this commit.
    """
    args = ("commit", "-q", "--no-verify", "--only", "-m", message, f"--author={_author(author)}")
    out = _git(top, *args, "--", rel, check=False)
    if out.returncode == 0:
        return True
    said = out.stdout + out.stderr
    if b"did not match any file" in said and (top / rel).exists():  # new to git: add it first
        _git(top, "add", "--", rel)
        _git(top, *args, "--", rel)
        return True
    if any(n in said for n in _NOTHING) or b"did not match any file" in said:
        return False
    raise HistoryError(f"git commit: {said.decode('utf-8', 'replace').strip()[-500:]}")


# path -> hash of the text this process last committed for it: the next save of that same
# text needs no `git status` (the common case: a document edited twice in the app).
_COMMITTED: dict[str, str] = {}


def snapshot(config: Config, path: Path, sha: str | None = None) -> None:
    """Before a save: commit the file as it is on disk if git does not have that version yet
    (written outside the app, or never committed), so the save's commit is a true diff.
    ``sha``: the hash of the text on disk, when the caller knows it."""
    if not enabled() or not Path(path).exists():
        return
    if sha is not None and _COMMITTED.get(str(path)) == sha:
        return
    top = _repo(config.root)
    rel = _rel(top, path)
    if _git(top, "status", "--porcelain", "--", rel).stdout.strip():
        _commit(top, rel, DEFAULT_AUTHOR, f"Earlier version of {Path(path).stem}")


def record(
    config: Config,
    path: Path,
    author: str | None,
    message: str,
    *,
    new: bool = False,
    sha: str | None = None,
) -> None:
    """Commit this one file (its new text, or its removal) with ``author``.

    ``new``: the file was just created (added before committing: one git call fewer);
    ``sha``: the hash of the text committed (remembered for the next ``snapshot``).
    """
    if not enabled():
        return
    top = _repo(config.root)
    rel = _rel(top, path)
    _COMMITTED.pop(str(path), None)
    pending = _BATCH.get()
    if pending is not None and pending[0] == top:
        pending[1].add(rel)  # committed together when the batch ends
        return
    if new:
        _git(top, "add", "--", rel)
    _commit(top, rel, author, message)
    if sha is not None:
        _COMMITTED[str(path)] = sha


_BATCH: contextvars.ContextVar[tuple[Path, set[str]] | None] = contextvars.ContextVar(
    "opskb_history_batch", default=None
)


@contextlib.contextmanager
def batch(config: Config, author: str | None = None, message: str = "Import") -> Iterator[None]:
    """Saves inside become one commit at the end (a bulk import: one git call, not 1,000).

    The files are written and locked one by one as usual; if the process dies before the end,
    the next save of each file commits it first (``snapshot``), so nothing is lost.
    """
    if not enabled() or _BATCH.get() is not None:
        yield
        return
    top = _repo(config.root)
    paths: set[str] = set()
    token = _BATCH.set((top, paths))
    try:
        yield
    finally:
        _BATCH.reset(token)
        if paths:
            from kb.store import save_lock  # the commit, like every commit, under the save lock

            listed = "\n".join(sorted(paths)) + "\n"
            try:
                with save_lock(config.root):
                    _git_in(top, listed, "add", "--all", "--pathspec-from-file=-")
                    _git_in(top, listed, "commit", "-q", "--no-verify", "--only", "-m", message,
                            f"--author={_author(author)}", "--pathspec-from-file=-")  # fmt: skip
            except (HistoryError, OSError, subprocess.SubprocessError) as exc:
                # the files are saved; their next save commits them (snapshot)
                logging.getLogger(__name__).warning("history: batch not committed: %s", exc)


def _git_in(top: Path, stdin: str, *args: str) -> None:
    cmd = ["git", "-c", "user.name=OpsKB", "-c", "user.email=opskb@localhost"]
    cmd += ["-c", "commit.gpgsign=false", "-c", "core.quotepath=false", *args]
    out = subprocess.run(
        cmd, cwd=top, env=_env(), input=stdin.encode(), capture_output=True, timeout=300
    )
    if out.returncode != 0 and not any(n in out.stdout + out.stderr for n in _NOTHING):
        raise HistoryError(f"git {args[0]}: {out.stderr.decode('utf-8', 'replace')[-500:]}")


def _known_toplevel(root: Path) -> Path | None:
    """The work tree of ``root`` without creating one (read paths: log, text_at)."""
    key = Path(root).resolve()
    top = _TOPLEVEL.get(key)
    if top is not None and (top / ".git").exists():
        return top
    top = toplevel(key) if key.is_dir() else None
    if top is not None:
        _TOPLEVEL[key] = top
    return top


def log(config: Config, path: Path, limit: int = 200) -> list[Revision]:
    """Revisions of one file, newest first (also after it was deleted)."""
    if not enabled():
        return []
    top = _known_toplevel(config.root)
    if top is None:
        return []
    fmt = _SEP.join(("%H", "%an", "%aI", "%s"))
    out = _git(top, "log", f"-n{limit}", f"--format={fmt}", "--", _rel(top, path), check=False)
    if out.returncode != 0:  # no commit yet
        return []
    revs = []
    for line in out.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split(_SEP)
        if len(parts) == 4:
            revs.append(Revision(*parts))
    return revs


def text_at(config: Config, path: Path, rev: str) -> str | None:
    """The file's text in revision ``rev`` (None if it did not exist there)."""
    top = _known_toplevel(config.root)
    if top is None or not all(c in "0123456789abcdef" for c in rev.lower()):
        return None
    out = _git(top, "show", f"{rev}:{_rel(top, path)}", check=False)
    return out.stdout.decode("utf-8", "replace") if out.returncode == 0 else None


def diff(old: str, new: str, old_name: str = "old", new_name: str = "new") -> str:
    """A unified diff of two texts (for the history panel and the conflict screen)."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=old_name,
        tofile=new_name,
        n=2,
    )
    return "".join(lines)
