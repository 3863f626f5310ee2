"""Full-text search over the content files: whoosh index, Chinese-aware, incremental.

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
from whoosh import index as windex
from whoosh import query as wq
from whoosh import sorting
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from kb.analysis import GramTokenizer, JiebaTokenizer, query_grams, query_words, words_key
from kb.config import Config
from kb.documents import Document, DocumentError, iter_document_paths, parse_document, text_sha
from kb.plaintext import markdown_to_text
from kb.query import ParsedQuery, parse_query
from kb.snippets import highlight_terms, make_snippet
from kb.vocabulary import Vocabulary

SCHEMA_VERSION = 4
# Field weights: a title match beats a summary/tag/problem match, which beats a body match;
# whole words (jieba) beat bare substrings (bigrams).
WEIGHTS = {
    "title": 8.0,
    "lead": 3.0,  # summary, tags, metrics, problem names
    "body": 1.0,
    "title_ng": 2.0,
    "body_ng": 0.3,
}
WORD_FIELDS = ("title", "lead", "body")
GRAM_FIELDS = ("title_ng", "body_ng")
SYNONYM_WEIGHT = 0.6
EXACT_TITLE_BOOST = 1000.0
BULK_DOCS = 500


def _title_key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def build_schema(user_words: tuple[str, ...]) -> Schema:
    words = JiebaTokenizer(user_words)  # both tokenizers emit lowercase text already
    grams = GramTokenizer()
    return Schema(
        path=ID(stored=True, unique=True),
        id=ID(stored=True),
        kind=ID(stored=True),
        title=TEXT(analyzer=words, stored=True, phrase=False),
        title_ng=TEXT(analyzer=grams, phrase=True),
        title_key=ID(),
        summary=STORED(),
        lead=TEXT(analyzer=words, phrase=False),
        body=TEXT(analyzer=words, phrase=False),
        body_ng=TEXT(analyzer=grams, phrase=True),
        plain=STORED(),
        problems=KEYWORD(stored=True, commas=True, scorable=False),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=False),
        metrics=KEYWORD(stored=True, commas=True, scorable=False),
        created=DATETIME(stored=True),
    )


@dataclass
class Hit:
    id: str
    kind: str
    title: str
    score: float
    snippet: str  # plain text
    snippet_html: str  # escaped text with <mark> around matches
    summary: str = ""
    problems: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    created: str | None = None

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "snippet_html": self.snippet_html,
            "summary": self.summary,
            "problems": self.problems,
            "tags": self.tags,
            "created": self.created,
        }


@dataclass
class Results:
    query: str
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]
    errors: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)  # other words to try when nothing found

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


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


class SearchIndex:
    """The search service for one content root. Thread-safe; one instance per process is enough."""

    def __init__(self, config: Config, vocabulary: Vocabulary | None = None):
        self.config = config
        self.vocab = vocabulary or Vocabulary.load(config)
        self.dir = config.index_dir
        self.version = f"{SCHEMA_VERSION}-{words_key(self.vocab.user_words)}"
        self._ix = None
        self._searcher = None
        self._lock = threading.RLock()
        self._file_lock = FileLock(str(self.dir.parent / f"{self.dir.name}.lock"), timeout=120)
        self._last_sync = 0.0

    # ---- index lifecycle ------------------------------------------------------------------
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

    def _write_manifest(self, files: dict) -> None:
        tmp = self._manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": self.version, "files": files}), encoding="utf-8")
        tmp.replace(self._manifest_path)

    def _open(self):
        """The open index, or None when it is missing, corrupt or of another version."""
        if self._read_manifest() is None:
            return None
        try:
            ix = windex.open_dir(str(self.dir))
            with ix.searcher() as s:
                s.doc_count()
            return ix
        except Exception:  # any damage means: rebuild from the files
            return None

    def _create(self):
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        return windex.create_in(str(self.dir), build_schema(self.vocab.user_words))

    def sync(self, progress: Callable[[int, int], None] | None = None) -> SyncStats:
        """Bring the index up to date with the files; rebuild it when it cannot be used."""
        started = time.perf_counter()
        self.dir.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self._file_lock:
            stats = SyncStats()
            ix = self._open()
            manifest = self._read_manifest() if ix is not None else None
            if ix is None:
                ix = self._create()
                manifest = {"files": {}}
                stats.rebuilt = True
            stats = self._apply_changes(ix, manifest["files"], stats, progress)
            self._ix = ix
            self._searcher = None  # reopened lazily on the new generation
            self._last_sync = time.monotonic()
        stats.seconds = time.perf_counter() - started
        return stats

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> SyncStats:
        with self._lock, self._file_lock:
            self._ix = self._searcher = None
            if self.dir.exists():
                shutil.rmtree(self.dir)
        return self.sync(progress)

    def _apply_changes(self, ix, files: dict, stats: SyncStats, progress) -> SyncStats:
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
            if known and known["mtime"] == mtime:
                new_files[rel] = known
                stats.unchanged += 1
                continue
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            sha = text_sha(text)
            if known and known["sha"] == sha:
                new_files[rel] = {"mtime": mtime, "sha": sha}
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
                writer.commit(optimize=False)
            except BaseException:
                writer.cancel()
                raise
        stats.deleted = len(deleted)
        self._write_manifest(new_files)
        if progress:
            progress(len(current), len(current))
        return stats

    def _fields(self, rel: str, doc: Document) -> dict:
        plain = markdown_to_text(doc.body)
        meta_words = [*doc.tags, *doc.metrics]
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
            "title_ng": doc.title,
            "title_key": _title_key(doc.title),
            "summary": doc.summary,
            "lead": " ".join([doc.summary, *meta_words]),
            "body": plain,
            "body_ng": plain,
            "plain": plain,
            "problems": ",".join(doc.problems),
            "tags": ",".join(t.replace(",", " ") for t in doc.tags),
            "metrics": ",".join(doc.metrics),
            "created": dt.datetime.combine(created, dt.time()) if created else None,
        }

    def ensure(self, max_age: float = 2.0) -> None:
        """Open the index, syncing with the files if the last sync is older than max_age s."""
        if self._ix is None or time.monotonic() - self._last_sync > max_age:
            self.sync()

    def _reader(self):
        """A long-lived searcher, refreshed when the index has a new generation: opening one per
        query costs more than many queries."""
        if self._searcher is None:
            self._searcher = self._ix.searcher()
        elif not self._searcher.up_to_date():
            self._searcher = self._searcher.refresh()
        return self._searcher

    def doc_count(self) -> int:
        self.ensure()
        with self._lock:
            return self._reader().doc_count()

    # ---- querying -------------------------------------------------------------------------
    def _chunk_query(self, chunk: str, weight: float = 1.0, expand: bool = True) -> wq.Query | None:
        """One search word/chunk: all its jieba words (each with synonyms), or it as a substring,
        or one of the chunk's own synonyms."""
        words = query_words(chunk, self.vocab.user_words)
        parts = []
        if words:
            per_word = []
            for w in words:
                alts = [self._term_any(w, weight)]
                if expand and w.casefold() != chunk.casefold():
                    alts += self._synonym_queries(w, weight)
                per_word.append(wq.Or(alts) if len(alts) > 1 else alts[0])
            parts.append(wq.And(per_word) if len(per_word) > 1 else per_word[0])
        grams = self._gram_query(chunk, weight)
        if grams is not None:
            parts.append(grams)
        if expand:
            parts += self._synonym_queries(chunk, weight)
        if not parts:
            return None
        return wq.Or(parts) if len(parts) > 1 else parts[0]

    def _synonym_queries(self, word: str, weight: float) -> list[wq.Query]:
        """Whole-word matches of the word's synonyms (no substring search: that is the costly
        part, and a synonym is a word in its own right)."""
        out, seen = [], {word.casefold()}
        for syn in self.vocab.synonyms_of(word):
            words = query_words(syn, self.vocab.user_words)
            key = " ".join(words)
            if not words or key in seen:
                continue
            seen.add(key)
            terms = [self._term_any(w, weight * SYNONYM_WEIGHT) for w in words]
            out.append(wq.And(terms) if len(terms) > 1 else terms[0])
        return out

    def _term_any(self, word: str, weight: float) -> wq.Query:
        return wq.Or([wq.Term(f, word, boost=WEIGHTS[f] * weight) for f in WORD_FIELDS])

    def _gram_query(self, text: str, weight: float) -> wq.Query | None:
        grams = query_grams(text)
        if not grams:
            return None
        out = []
        for f in GRAM_FIELDS:
            boost = WEIGHTS[f] * weight
            if len(grams) == 1:
                out.append(wq.Term(f, grams[0], boost=boost))
            else:
                out.append(wq.Phrase(f, grams, boost=boost))
        return wq.Or(out)

    def _build(self, pq: ParsedQuery, kind, problem, tag):
        must = []
        for term in pq.terms:
            q = self._chunk_query(term)
            if q is not None:
                must.append(q)
        for phrase in pq.phrases:
            q = self._gram_query(phrase, 1.0)
            if q is not None:
                must.append(q)
        main = wq.And(must) if len(must) > 1 else (must[0] if must else wq.Every())
        if pq.text:
            main = wq.Or([main, wq.Term("title_key", _title_key(pq.text), boost=EXACT_TITLE_BOOST)])
        filters = []
        for k in [*pq.kinds, *([kind] if kind else [])]:
            filters.append(wq.Term("kind", k))
        for p in [*pq.problems, *([problem] if problem else [])]:
            filters.append(wq.Term("problems", p))
        for t in [*pq.tags, *([tag] if tag else [])]:
            filters.append(wq.Term("tags", t.casefold()))
        for m in pq.metrics:
            canonical = self.vocab.metrics.resolve(m) if self.vocab.metrics else None
            names = {m, canonical} - {None}
            filters.append(wq.Or([wq.Term("metrics", n) for n in names]))
        if pq.after or pq.before:
            start = dt.datetime.combine(pq.after, dt.time()) if pq.after else None
            end = dt.datetime.combine(pq.before, dt.time.max) if pq.before else None
            filters.append(wq.DateRange("created", start, end))
        excludes = [q for q in (self._gram_query(x, 1.0) for x in pq.excludes) if q is not None]
        return (
            main,
            wq.And(filters) if filters else None,
            wq.Or(excludes) if excludes else None,
        )

    def search(
        self,
        text: str,
        *,
        kind: str | None = None,
        problem: str | None = None,
        tag: str | None = None,
        page: int = 1,
        per_page: int = 10,
    ) -> Results:
        self.ensure()
        pq = parse_query(text)
        main, filt, mask = self._build(pq, kind, problem, tag)
        facets = sorting.Facets()
        facets.add_field("kind")
        facets.add_field("problems", allow_overlap=True)
        facets.add_field("tags", allow_overlap=True)
        page = max(1, page)
        with self._lock:
            s = self._reader()
            results = s.search(
                main,
                limit=page * per_page,
                filter=filt,
                mask=mask,
                groupedby=facets,
                sortedby=None if not pq.is_empty else sorting.FieldFacet("created", reverse=True),
            )
            total = len(results)
            terms = highlight_terms(pq, self.vocab)
            hits = []
            for r in results[(page - 1) * per_page : page * per_page]:
                plain = r.get("plain", "")
                snippet_text, snippet_html = make_snippet(plain or r.get("summary", ""), terms)
                created = r.get("created")
                hits.append(
                    Hit(
                        id=r["id"],
                        kind=r["kind"],
                        title=r["title"],
                        score=float(r.score or 0.0),
                        snippet=snippet_text,
                        snippet_html=snippet_html,
                        summary=r.get("summary", ""),
                        problems=[p for p in r.get("problems", "").split(",") if p],
                        tags=[t for t in r.get("tags", "").split(",") if t],
                        created=created.date().isoformat() if created else None,
                    )
                )
            facet_counts = {
                "kind": _counts(results, "kind"),
                "problem": _counts(results, "problems"),
                "tag": _counts(results, "tags"),
            }
        suggestions = [] if total else self.vocab.suggestions_for(pq.terms)
        return Results(text, hits, total, page, per_page, facet_counts, pq.errors, suggestions)

    def similar(self, doc_id: str, limit: int = 5) -> list[Hit]:
        """Documents with similar text (key terms of this one), for 'related documents'."""
        self.ensure()
        with self._lock:
            s = self._reader()
            docnum = s.document_number(id=doc_id)
            if docnum is None:
                return []
            stored = s.stored_fields(docnum)
            found = s.more_like(docnum, "body", text=stored.get("plain", ""), top=limit)
            return [
                Hit(
                    id=r["id"],
                    kind=r["kind"],
                    title=r["title"],
                    score=float(r.score or 0.0),
                    snippet=r.get("summary", ""),
                    snippet_html="",
                    summary=r.get("summary", ""),
                    problems=[p for p in r.get("problems", "").split(",") if p],
                )
                for r in found
            ]


def _counts(results, name: str) -> dict[str, int]:
    groups = results.groups(name)
    counts = {str(k): len(v) for k, v in groups.items() if k not in (None, "")}
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
