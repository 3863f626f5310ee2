"""The derived whoosh index: schema, what goes into it, and keeping it in step with the files.

The Markdown files are the source of truth; the index under ``Config.index_dir`` is derived. It is
(re)built on its own when missing, corrupt or of another schema/dictionary, and ``sync()`` brings it
up to date with the files (only changed, added or deleted files, found by mtime then content
hash). A file lock serialises writers across processes; readers never block.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage

from kb.analysis import GramTokenizer, JiebaTokenizer, words_key
from kb.config import Config
from kb.documents import Document, DocumentError, iter_document_paths, parse_document, text_sha
from kb.plaintext import markdown_to_text
from kb.vocabulary import Vocabulary

SCHEMA_VERSION = 7
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
    )


@dataclass
class SyncStats:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    rebuilt: bool = False
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
        self.version = f"{SCHEMA_VERSION}-{words_key(vocab.user_words)}"
        self.ix = None
        self._lock = threading.RLock()
        self._file_lock = FileLock(str(self.dir.parent / f"{self.dir.name}.lock"), timeout=120)
        self.last_sync = 0.0

    @property
    def _manifest_path(self) -> Path:
        return self.dir / "manifest.json"

    def _read_manifest(self) -> dict | None:
        try:
            data = json.loads(self._manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("version") != self.version or not isinstance(data.get("files"), dict):
            return None
        return data

    def _write_manifest(self, files: dict, synced_ns: int) -> None:
        tmp = self._manifest_path.with_suffix(".tmp")
        data = {"version": self.version, "synced_ns": synced_ns, "files": files}
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(self._manifest_path)

    def _storage(self) -> FileStorage:
        # No mmap: another process may rebuild (or a person damage) the files under a reader;
        # with plain reads that is an exception we recover from, with mmap a SIGBUS crash.
        return FileStorage(str(self.dir), supports_mmap=False)

    def _open(self):
        """The open index, or None when it is missing, corrupt or of another version."""
        if self._read_manifest() is None:
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

    def sync(self, progress: Callable[[int, int], None] | None = None) -> SyncStats:
        """Bring the index up to date with the files; rebuild it when it cannot be used."""
        started = time.perf_counter()
        self.dir.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self._file_lock:
            stats = SyncStats()
            manifest = self._read_manifest()
            ix = self.ix if manifest is not None else None
            if ix is None and manifest is not None:
                ix = self._open()
            if ix is None:
                ix = self._create()
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
        with self._lock, self._file_lock:
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
                ix.writer(procs=min(os.cpu_count(), 4), limitmb=128, multisegment=True)
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
        self._write_manifest(new_files, started_ns)
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
        }


def _segment_count(ix) -> int:
    try:
        return len(ix._segments())
    except Exception:  # private API: if it changes, merge as whoosh would
        return MAX_SEGMENTS
