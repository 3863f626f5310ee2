"""Low-level file writing for the content root: one cross-process lock, atomic writes, temp files.

Every save of a document happens inside ``save_lock(root)`` (a file lock under ``.opskb/``), so the
read-compare-write of ``kb.documents.save_document`` is one step for every process and app
instance sharing the folder. Writes go to a temp file in the same folder and are renamed into
place: a reader never sees half a file, and a killed save leaves only a ``.name.md.*.tmp`` file,
which is git-ignored and removed by the next save in that folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import filelock

STATE_DIR = ".opskb"
LOCK_NAME = "save.lock"
LOCK_TIMEOUT = 30.0  # seconds; a save holds the lock for milliseconds (a git commit: ~50 ms)
STALE_TMP_SECONDS = 60.0
# Only our own temp names: ".<file>.<random>.tmp" (also mkstemp's from earlier versions).
TMP_RE = re.compile(r"^\..+\.[A-Za-z0-9_]{6,16}\.tmp\Z")


class StoreError(OSError):
    """The content folder cannot be written safely (lock unusable, folder blocked)."""


def state_dir(root: Path) -> Path:
    """``<root>/.opskb``, created if missing; a clear error if something else is in the way."""
    path = Path(root) / STATE_DIR
    if path.exists() and not path.is_dir():
        raise StoreError(
            f"{path} is a file, but OpsKB keeps its lock and index in a folder of that name: "
            "move or delete the file"
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the folder ({exc.strerror})") from None
    return path


@contextlib.contextmanager
def save_lock(root: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the content root's save lock (shared by all processes that save into it)."""
    lock_path = state_dir(root) / LOCK_NAME
    if lock_path.exists() and not lock_path.is_file():
        raise StoreError(
            f"{lock_path} is a folder, but OpsKB needs a lock file there: move or delete it"
        )
    lock = filelock.FileLock(str(lock_path), timeout=timeout)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise StoreError(
            f"{lock_path}: another save has held the lock for more than {timeout:.0f} s; "
            "try again (if it persists, a process is stuck: restart the app)"
        ) from None
    except (IsADirectoryError, PermissionError) as exc:
        raise StoreError(f"{lock_path}: cannot use the lock file ({exc.strerror})") from None
    try:
        yield
    finally:
        lock.release()


def clean_stale_temp(folder: Path, max_age: float = STALE_TMP_SECONDS) -> int:
    """Remove temp files left by interrupted saves (older than ``max_age``); return how many."""
    removed = 0
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not TMP_RE.match(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and now - entry.stat().st_mtime > max_age:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue  # another process removed or is writing it
    return removed


def _write_temp(folder: Path, name: str, text: str, mode: int | None) -> Path:
    """A new temp file with ``text``: mode as given, else the umask default (like any new file)."""
    for _ in range(100):
        tmp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 collisions of 32 random bits
        raise StoreError(f"{folder}: cannot create a temp file")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def atomic_write(path: Path, text: str, *, exclusive: bool = False) -> None:
    """Write via a temp file in the same folder + rename: readers never see half a file.

    An existing file keeps its permission bits. ``exclusive`` refuses to replace an existing file
    (FileExistsError), atomically where the file system supports hard links.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    if exclusive and mode is not None:
        raise FileExistsError(path)
    tmp = _write_temp(path.parent, path.name, text, mode)
    try:
        if exclusive:
            try:
                os.link(tmp, path)  # fails if the name exists: no window for a second creator
            except FileExistsError:
                raise
            except OSError:  # no hard links here (some network/FAT folders): checked above
                os.replace(tmp, path)
            else:
                tmp.unlink()
        else:
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
