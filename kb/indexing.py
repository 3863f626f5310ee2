"""The derived whoosh index: schema, what goes into it, and keeping it in step with the files.

The Markdown files are the source of truth; the index under ``Config.index_dir`` is derived. It is
(re)built on its own when missing, damaged or of another version (schema, dictionary, problem
names: whatever feeds it), and ``sync()`` brings it up to date with the files (only changed, added
or deleted files, found by mtime then content hash). The manifest records a checksum of every
index file, so flipped bytes are found when the index is opened, not as a zlib error mid-search.
A file lock serialises writers across processes; readers never block.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import sys
import threading
import time
import zlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.multiproc import MpWriter, SubWriterTask

from kb.analysis import GramTokenizer, JiebaTokenizer, words_key
from kb.config import Config
from kb.documents import Document, DocumentError, iter_document_paths, parse_document, text_sha
from kb.plaintext import markdown_to_text
from kb.query import QueryMessage
from kb.vocabulary import Vocabulary

SCHEMA_VERSION = 8
BULK_DOCS = 500  # from this many changed files on, analysis runs on all cores
MAX_SEGMENTS = 12  # small updates add segments; merge once there are this many
RACY_NS = 2_000_000_000  # mtimes this close to the last sync are checked by content


def title_key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _unscored(field):
    field.scorable = False  # TEXT has no parameter for it; the writer reads the attribute
    return field


def build_schema(user_words: tuple[str, ...]) -> Schema:
    words = JiebaTokenizer(user_words)  # both tokenizers emit lowercase text already
    grams = GramTokenizer()
    return Schema(
        path=ID(stored=True, unique=True),
        id=ID(stored=True),
        kind=ID(stored=True),
        title=TEXT(analyzer=words, stored=True, phrase=False),
        title_key=ID(),
        summary=STORED(),
        lead=TEXT(analyzer=words, phrase=False),
        body=TEXT(analyzer=words, phrase=False),
        # no per-document lengths for the substring field: half of all postings are here, and
        # storing lengths is a third of the indexing time
        grams=_unscored(TEXT(analyzer=grams, phrase=False)),
        plain=STORED(),
        problems=KEYWORD(stored=True, commas=True, scorable=False),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=False),
        metrics=KEYWORD(stored=True, commas=True, scorable=False),
        created=DATETIME(stored=True, sortable=True),
        state=ID(stored=True),  # draft | published (absent in the file = published)
        # case-library fields (contract 8); documents without them just do not match a filter
        industry=KEYWORD(stored=True, commas=True, lowercase=True, scorable=False),
        platforms=KEYWORD(stored=True, commas=True, lowercase=True, scorable=False),
        tactics=KEYWORD(stored=True, commas=True, lowercase=True, scorable=False),
    )


def data_key(vocab: Vocabulary) -> str:
    """A short hash of every data value the index holds beyond the files themselves: the user
    dictionary (userdict, metric and glossary names) and the problem names indexed with each
    document. Renaming a problem type changes it, so the index is rebuilt with the new name."""
    parts = [words_key(vocab.user_words)]
    if vocab.taxonomy:
        parts += [f"{p.id}\t{p.name.zh}\t{p.name.en}" for p in vocab.taxonomy]
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()[:12]


class IndexUnavailable(RuntimeError):
    """The index folder or its lock cannot be used (e.g. ``.opskb`` is a file): nothing to
    rebuild automatically, the person has to move something. ``message`` has both languages."""

    def __init__(self, message: QueryMessage):
        self.message = message
        super().__init__(str(message))


# ---- bulk writer processes that die with their parent -------------------------------------------
def _exit_with_parent(parent: int) -> None:
    """In a worker process: exit as soon as the parent is gone (killed with -9 included), so no
    300 MB orphan keeps waiting on its job queue."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # died before prctl took effect
        os._exit(1)

    def watch() -> None:  # every platform: poll (prctl is Linux only)
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


class _WorkerTask(SubWriterTask):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.daemon = True  # also ends when the parent exits normally
        self.parent_pid = os.getpid()

    def run(self):
        _exit_with_parent(self.parent_pid)
        super().run()


class _BulkWriter(MpWriter):
    """whoosh's multi-process writer with workers bound to this process's life; cancel stops
    them (whoosh's own cancel only flips a flag in the parent's copy of each task)."""

    def _new_task(self):
        task = _WorkerTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task

    def cancel(self):
        try:
            for task in self.tasks:
                if task.is_alive():
                    task.kill()
                task.join(timeout=5)
        finally:
            from whoosh.writing import SegmentWriter

            SegmentWriter.cancel(self)


@dataclass
class SyncStats:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    rebuilt: bool = False
    repaired: bool = False  # it was rebuilt because it was damaged (not new, not outdated)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.deleted


class IndexStore:
    """One content root's index directory: open, create, sync, rebuild. Thread- and
    process-safe for writers (a lock file beside the index)."""

    def __init__(self, config: Config, vocab: Vocabulary):
        self.config = config
        self.vocab = vocab
        self.dir = config.index_dir
        self.version = f"{SCHEMA_VERSION}-{data_key(vocab)}"
        self.ix = None
        self._lock = threading.RLock()
        self.lock_path = self.dir.parent / f"{self.dir.name}.lock"
        self._file_lock = FileLock(str(self.lock_path), timeout=120)
        self.last_sync = 0.0
        self._sums: dict[str, list] = {}  # file name -> [size, mtime_ns, crc32] of the last sync
        self._manifest_damaged = False

    @property
    def _manifest_path(self) -> Path:
        return self.dir / "manifest.json"

    def _read_manifest(self) -> dict | None:
        """The manifest, or None when it is missing, unreadable, of another version or of the
        wrong shape (any of which means: rebuild)."""
        self._manifest_damaged = False
        try:
            data = json.loads(self._manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            self._manifest_damaged = True
            return None
        version = data.get("version") if isinstance(data, dict) else None
        if isinstance(version, str) and version != self.version:
            return None  # outdated, not damaged
        self._manifest_damaged = True  # from here on, anything wrong is damage
        if not isinstance(data, dict):
            return None
        files, sums = data.get("files"), data.get("index_files")
        if not isinstance(files, dict) or not isinstance(sums, dict):
            return None
        if not isinstance(data.get("synced_ns", 0), int):
            return None
        for entry in files.values():
            if not (
                isinstance(entry, dict)
                and isinstance(entry.get("mtime"), int)
                and isinstance(entry.get("sha"), str)
            ):
                return None
        for entry in sums.values():
            if not (
                isinstance(entry, list)
                and len(entry) == 3
                and all(isinstance(v, int) for v in entry)
            ):
                return None
        self._manifest_damaged = False
        return data

    def _write_manifest(self, files: dict, synced_ns: int) -> None:
        tmp = self._manifest_path.with_suffix(".tmp")
        self._sums = self._checksums(reuse=self._sums)
        data = {
            "version": self.version,
            "synced_ns": synced_ns,
            "files": files,
            "index_files": self._sums,
        }
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(self._manifest_path)

    def _index_files(self) -> list[os.DirEntry]:
        return [
            e
            for e in os.scandir(self.dir)
            if e.is_file()
            and not e.name.startswith("manifest.")
            and "LOCK" not in e.name
            and not e.name.endswith(".tmp")
        ]

    def _checksums(self, reuse: dict | None = None) -> dict[str, list]:
        """[size, mtime_ns, crc32] of every index file; unchanged files (same size and mtime,
        whoosh never rewrites a segment) keep the checksum computed before."""
        out = {}
        for entry in self._index_files():
            st = entry.stat()
            old = (reuse or {}).get(entry.name)
            if old and old[0] == st.st_size and old[1] == st.st_mtime_ns:
                out[entry.name] = old
            else:
                out[entry.name] = [st.st_size, st.st_mtime_ns, _crc32(entry.path)]
        return out

    def _intact(self, manifest: dict) -> bool:
        """Every index file the manifest knows is there with the bytes it had (read-verify)."""
        sums = manifest["index_files"]
        if not sums:
            return False
        try:
            for name, (size, _mtime, crc) in sums.items():
                path = self.dir / name
                if path.stat().st_size != size or _crc32(path) != crc:
                    return False
        except OSError:
            return False
        self._sums = sums
        return True

    def intact(self) -> bool:
        """Whether the index on disk is the one the manifest describes (every byte checked)."""
        with self._writing():  # not in the middle of another process's commit
            manifest = self._read_manifest()
            return manifest is not None and self._intact(manifest)

    def _check_location(self) -> None:
        """A clear message instead of a traceback when the index folder or its lock cannot be
        used (a file where a folder belongs, a folder where the lock file belongs)."""
        for folder in (self.dir, *self.dir.parents):
            if folder.exists() and not folder.is_dir():
                raise IndexUnavailable(QueryMessage("index_not_folder", {"path": str(folder)}))
            if folder == self.config.root:
                break
        if self.lock_path.is_dir():
            raise IndexUnavailable(QueryMessage("index_lock_folder", {"path": str(self.lock_path)}))
        try:
            self.dir.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IndexUnavailable(
                QueryMessage("index_unusable", {"path": str(self.dir), "error": str(exc)})
            ) from exc

    @contextmanager
    def _writing(self):
        """This process's and every other process's writers, one at a time."""
        self._check_location()
        with self._lock:
            try:
                self._file_lock.acquire()
            except OSError as exc:  # e.g. a read-only folder
                raise IndexUnavailable(
                    QueryMessage("index_unusable", {"path": str(self.lock_path), "error": str(exc)})
                ) from exc
            try:
                yield
            finally:
                self._file_lock.release()

    def _storage(self) -> FileStorage:
        # No mmap: another process may rebuild (or a person damage) the files under a reader;
        # with plain reads that is an exception we recover from, with mmap a SIGBUS crash.
        return FileStorage(str(self.dir), supports_mmap=False)

    def _open(self, manifest: dict):
        """The open index, or None when it is missing, damaged or of another version."""
        if not self._intact(manifest):
            return None
        try:
            ix = self._storage().open_index()
            with ix.searcher() as s:
                s.doc_count()
            return ix
        except Exception:  # any damage means: rebuild from the files
            return None

    def _create(self):
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        return self._storage().create_index(build_schema(self.vocab.user_words))

    def sync(
        self, progress: Callable[[int, int], None] | None = None, verify: bool = False
    ) -> SyncStats:
        """Bring the index up to date with the files; rebuild it when it cannot be used.
        ``verify`` re-reads every index file against its checksum even when it is open."""
        started = time.perf_counter()
        with self._writing():
            stats = SyncStats()
            manifest = self._read_manifest()
            ix = self.ix if manifest is not None else None
            if ix is not None and verify and not self._intact(manifest):
                ix = None
            if ix is None and manifest is not None:
                ix = self._open(manifest)
            if ix is None:
                # a repair (not a first build or an upgrade): a manifest of the right version
                # whose index files fail their checksums, or a manifest of the wrong shape
                stats.repaired = manifest is not None or self._manifest_damaged
                ix = self._create()
                self._sums = {}
                manifest = {"files": {}}
                stats.rebuilt = True
            stats = self._apply_changes(
                ix, manifest["files"], manifest.get("synced_ns", 0), stats, progress
            )
            self.ix = ix
            self.last_sync = time.monotonic()
        stats.seconds = time.perf_counter() - started
        return stats

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> SyncStats:
        with self._writing():
            self.ix = None
            if self.dir.exists():
                shutil.rmtree(self.dir)
        return self.sync(progress)

    def _apply_changes(
        self, ix, files: dict, last_sync_ns: int, stats: SyncStats, progress
    ) -> SyncStats:
        # A file whose mtime is not clearly older than the last sync may have been written again
        # within the same clock tick (file-system timestamps are coarse): its mtime alone proves
        # nothing, so its content hash decides (git's "racily clean" rule).
        racy_from = last_sync_ns - RACY_NS
        started_ns = time.time_ns()
        root = self.config.root
        current = {p.relative_to(root).as_posix(): p for p in iter_document_paths(self.config)}
        to_index: list[tuple[str, Document]] = []
        new_files = {}
        settled = False  # a file re-read only for its racy mtime is now clearly older
        for n, (rel, path) in enumerate(current.items(), 1):
            try:
                mtime = path.stat().st_mtime_ns
            except FileNotFoundError:
                continue
            known = files.get(rel)
            if known and known["mtime"] == mtime and mtime < racy_from:
                new_files[rel] = known
                stats.unchanged += 1
                continue
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            sha = text_sha(text)
            if known and known["sha"] == sha:
                new_files[rel] = {**known, "mtime": mtime}
                stats.unchanged += 1
                settled = settled or known["mtime"] != mtime or mtime < started_ns - RACY_NS
                continue
            new_files[rel] = {"mtime": mtime, "sha": sha}
            try:
                doc = parse_document(text, path)
            except DocumentError as exc:
                stats.errors.extend(str(e) for e in exc.errors)
                new_files[rel]["invalid"] = True
                if known and not known.get("invalid"):
                    to_index.append((rel, None))  # remove the stale version
                continue
            to_index.append((rel, doc))
            if known and not known.get("invalid"):
                stats.updated += 1
            else:
                stats.added += 1
            if progress and n % 200 == 0:
                progress(n, len(current))
        deleted = [rel for rel in files if rel not in current]
        if to_index or deleted:
            bulk = len(to_index) >= BULK_DOCS and os.cpu_count() and os.cpu_count() > 1
            # A bulk (re)build spreads analysis over the cores; small updates stay in-process.
            writer = (
                _BulkWriter(ix, procs=min(os.cpu_count(), 4), limitmb=128, multisegment=True)
                if bulk
                else ix.writer(timeout=60.0, limitmb=256)
            )
            try:
                for rel in deleted:
                    writer.delete_by_term("path", rel)
                for rel, doc in to_index:
                    if doc is None:
                        writer.delete_by_term("path", rel)
                    else:
                        writer.update_document(**self._fields(rel, doc))
                # Small updates add a segment without merging (a merge rewrites whole segments
                # and costs seconds at 10k documents); merge once segments pile up.
                writer.commit(optimize=False, merge=bulk or _segment_count(ix) >= MAX_SEGMENTS)
            except BaseException:
                writer.cancel()
                raise
        stats.deleted = len(deleted)
        if to_index or deleted or settled or stats.rebuilt or new_files.keys() != files.keys():
            self._write_manifest(new_files, started_ns)  # only when something changed
        if progress:
            progress(len(current), len(current))
        return stats

    def _fields(self, rel: str, doc: Document) -> dict:
        plain = markdown_to_text(doc.body)
        meta_words = [*doc.tags, *doc.metrics]
        if doc.kind == "log":  # the action log: its segment values (抖音, 新客) are search words
            meta_words += [str(v) for v in (doc.meta.get("segment") or {}).values()]
        for pid in doc.problems:
            problem = self.vocab.taxonomy.get(pid) if self.vocab.taxonomy else None
            meta_words.append(pid)
            if problem:
                meta_words += [problem.name.zh, problem.name.en]
        created = doc.created
        meta = doc.meta or {}
        state = str(meta.get("state") or "published").strip().lower()
        return {
            "path": rel,
            "id": doc.id,
            "kind": doc.kind,
            "title": doc.title,
            "title_key": title_key(doc.title),
            "summary": doc.summary,
            "lead": " ".join([doc.summary, *meta_words]),
            "body": plain,
            "grams": doc.title + "\n" + plain,
            "plain": plain,
            "problems": ",".join(doc.problems),
            "tags": ",".join(t.replace(",", " ") for t in doc.tags),
            "metrics": ",".join(doc.metrics),
            "created": dt.datetime.combine(created, dt.time()) if created else None,
            "state": state,
            "industry": _keywords(meta.get("industry")),
            "platforms": _keywords(meta.get("platforms")),
            "tactics": _keywords(meta.get("tactics")),
        }


def _keywords(value) -> str:
    """A front-matter string or list of strings as a keyword field (commas separate values)."""
    if value is None:
        return ""
    values = value if isinstance(value, list) else [value]
    return ",".join(
        str(v).replace(",", " ").strip() for v in values if isinstance(v, str | int | float)
    )


def _segment_count(ix) -> int:
    try:
        return len(ix._segments())
    except Exception:  # private API: if it changes, merge as whoosh would
        return MAX_SEGMENTS


def _crc32(path) -> int:
    crc = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return crc
