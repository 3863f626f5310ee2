"""Full-text search: the query language and synonyms turned into term queries, evaluated
over the derived index (kb/indexing.py) with numpy (kb/postings.py), with facets and snippets.

Freshness stays off the query path: saves and imports sync the index themselves; a query only
compares the content folders' and data files' mtimes (a few stat calls) and re-scans every file
in a background thread now and then, for edits made outside the app.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kb.analysis import query_words, segmenter, substring_grams
from kb.config import KINDS, Config
from kb.indexing import RACY_NS, IndexStore, IndexUnavailable, SyncStats, title_key
from kb.postings import AllOf, AnyOf, PostingCache, ReaderLock, Term
from kb.query import KEYWORD_FILTERS, ParsedQuery, QueryMessage, parse_query
from kb.snippets import highlight_terms, make_snippet
from kb.vocabulary import Vocabulary

__all__ = ["Hit", "IndexUnavailable", "QueryMessage", "Results", "SearchIndex", "SyncStats"]

log = logging.getLogger(__name__)

# Field weights: a title match beats a summary/tag/problem match, which beats a body match;
# whole words (jieba) beat bare substrings (bigrams).
WEIGHTS = {
    "title": 8.0,
    "lead": 3.0,  # summary, tags, metrics, problem names
    "body": 1.0,
    "grams": 0.3,  # substrings (character bigrams) of title and body
}
WORD_FIELDS = ("title", "lead", "body")
SCORED_FIELDS = WORD_FIELDS  # BM25 with length normalisation
TF_FIELDS = ("grams",)  # BM25 without lengths: the index stores none for them
SYNONYM_WEIGHT = 0.6
EXACT_TITLE_BOOST = 1000.0
PHRASE_VERIFY_LIMIT = 3000
RESCAN_SECONDS = 30.0  # a query starts a background re-scan of every file at most this often
RACY_RECHECK_SECONDS = 0.5  # within a racy mtime tick, folder listings are compared this often
DATA_FILES = ("problems.yaml", "metrics.yaml", "glossary.yaml", "synonyms.yaml", "userdict.txt")
STATES = ("draft", "published", "all")


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
    state: str = "published"
    industry: str = ""
    platforms: list[str] = field(default_factory=list)
    tactics: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        out = {
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
            "state": self.state,
        }
        if self.kind == "case":  # the case library's fields (contract 8)
            out.update(industry=self.industry, platforms=self.platforms, tactics=self.tactics)
        return out


@dataclass
class Results:
    query: str
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]
    errors: list[QueryMessage] = field(default_factory=list)  # about the query: show them
    suggestions: list[str] = field(default_factory=list)  # other words to try when nothing found
    notices: list[QueryMessage] = field(default_factory=list)  # e.g. the index was repaired

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class SearchIndex:
    """The search service for one content root. Thread-safe; one instance per process is enough."""

    def __init__(self, config: Config, vocabulary: Vocabulary | None = None):
        self.config = config
        self.vocab = vocabulary or Vocabulary.load(config)
        self.store = IndexStore(config, self.vocab)
        segmenter(self.vocab.user_words)  # load jieba's dictionary now, not in the first query
        self._searcher = None
        self._cache: PostingCache | None = None
        self._warmer: threading.Thread | None = None
        self._warmer_stop = threading.Event()
        self._lock = ReaderLock()
        self._sync_lock = threading.Lock()
        self._synced_signature: tuple | None = None  # None while the last change is "racy"
        self._seen_signature: tuple | None = None  # the folders as the last sync saw them
        self._seen_names: tuple = ()  # their file names then (compared while a change is racy)
        self._racy_checked = 0.0
        self._data_signature = self._data_files_signature()
        self._rescan: threading.Thread | None = None
        self._rescan_lock = threading.Lock()
        self._notices: list[QueryMessage] = []  # shown with the next results, once

    # ---- keeping up with the files ----------------------------------------------------------
    def sync(
        self, progress: Callable[[int, int], None] | None = None, verify: bool = False
    ) -> SyncStats:
        """Bring the index up to date with the files (see IndexStore.sync). Searches go on
        meanwhile: their searcher reads the previous generation until the next query."""
        with self._sync_lock:
            self._reload_vocabulary_if_changed()
            signature = self._folders_signature()  # before the scan: later edits show next time
            names = self._folder_names()
            stats = self.store.sync(progress, verify=verify)
            self._seen_signature, self._seen_names = signature, names
            self._synced_signature = _settled(signature)
        if stats.repaired:
            self._notices = [QueryMessage("index_rebuilt")]
        return stats

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> SyncStats:
        # lock order everywhere: _sync_lock, then the reader lock (searches wait meanwhile)
        with self._sync_lock, self._lock:
            self._drop_searcher()
            signature = self._folders_signature()
            names = self._folder_names()
            stats = self.store.rebuild(progress)
            self._seen_signature, self._seen_names = signature, names
            self._synced_signature = _settled(signature)
            return stats

    def ensure(self, max_age: float = RESCAN_SECONDS) -> None:
        """Open the index (building it on first use); sync at once when a content folder or a
        data file changed (a few stat calls); otherwise re-scan every file in the background
        when the last scan is older than ``max_age`` seconds (edits in place by other tools)."""
        folders = self._folders_signature()
        now = time.monotonic()
        if (
            self.store.ix is None
            or self._data_files_signature() != self._data_signature
            or folders != (self._synced_signature or self._seen_signature)
        ):
            self.sync()
            return
        if self._synced_signature is None:
            # A folder changed within the same mtime tick as the last sync: a file added or
            # removed in that tick would not show in the signature, so compare the folders'
            # listings (a few ms at 10k) at most a few times a second, never a full re-check
            # of every file on every query (~100 ms at 10k).
            if now - self._racy_checked <= RACY_RECHECK_SECONDS:
                return
            self._racy_checked = now
            if self._folder_names() != self._seen_names:
                self.sync()
            elif _settled(folders) is not None:  # the tick has passed
                self._synced_signature = folders
                self._start_rescan()  # one look in the background for same-tick edits in place
            return
        if now - self.store.last_sync > max_age:
            self._start_rescan()

    def _start_rescan(self) -> None:
        with self._rescan_lock:  # not _sync_lock: a running sync must not block the query
            if self._rescan is not None and self._rescan.is_alive():
                return
            self._rescan = threading.Thread(target=self._rescan_quietly, daemon=True)
            self._rescan.start()

    def _rescan_quietly(self) -> None:
        try:
            self.sync()
        except Exception:  # the next query syncs in the foreground and reports it
            log.exception("background index sync failed")
            self.store.last_sync = 0.0

    def wait_for_rescan(self, timeout: float | None = None) -> None:
        """For tests and benchmarks: let a background re-scan finish."""
        thread = self._rescan
        if thread is not None:
            thread.join(timeout)

    def _folders_signature(self) -> tuple:
        """(folder, mtime, entries) of each content folder: adding, removing or renaming a file
        (and every save, which renames a temp file into place) changes it. O(folders)."""
        out = []
        for kind in KINDS:
            folder = self.config.kind_dir(kind)
            try:
                st = os.stat(folder)
                out.append((kind, st.st_mtime_ns, st.st_nlink, st.st_ino))
            except OSError:
                out.append((kind, None))
        return tuple(out)

    def _folder_names(self) -> tuple:
        """The file names in each content folder (what a same-tick add or remove changes)."""
        out = []
        for kind in KINDS:
            try:
                out.append(frozenset(os.listdir(self.config.kind_dir(kind))))
            except OSError:
                out.append(None)
        return tuple(out)

    def _data_files_signature(self) -> tuple:
        out = []
        for name in DATA_FILES:
            path = self.config.data_file(name)
            try:
                st = path.stat()
                out.append((str(path), st.st_mtime_ns, st.st_size))
            except OSError:
                out.append((str(path), None))
        return tuple(out)

    def _reload_vocabulary_if_changed(self) -> None:
        """A changed data file (a renamed problem type, a new synonym) takes effect without a
        restart; the index version includes what it feeds, so the index follows."""
        signature = self._data_files_signature()
        if signature == self._data_signature:
            return
        vocab = Vocabulary.load(self.config)
        segmenter(vocab.user_words)
        store = IndexStore(self.config, vocab)
        with self._lock:
            self._drop_searcher()
            self.vocab, self.store = vocab, store
            self._data_signature = signature

    def _reader(self):
        """A long-lived searcher and its posting cache, renewed when the index has a new
        generation: opening one per query costs more than many queries."""
        if self._searcher is None or not self._searcher.up_to_date():
            # a fresh searcher, not refresh(): whoosh's refresh reuses segment readers and misses
            # deletions committed to them since
            self._drop_searcher()
            self._searcher = self.store.ix.searcher()
            self._cache = PostingCache(self._searcher, SCORED_FIELDS, TF_FIELDS)
            self._warmer_stop = threading.Event()
            self._warmer = threading.Thread(
                target=self._cache.warm,
                kwargs={"lock": self._lock, "stop": self._warmer_stop},
                daemon=True,
            )
            self._warmer.start()
        return self._searcher

    def _drop_searcher(self) -> None:
        """Close the current searcher; its read-ahead stops at its next step (it checks the
        stop flag under our lock, before reading)."""
        self._warmer_stop.set()
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = self._cache = None

    def doc_count(self) -> int:
        self.ensure()
        with self._lock:
            return self._reader().doc_count()

    def _recover(self, exc: Exception) -> None:
        """The index failed while being read: if its files are damaged, rebuild them from the
        documents; if they are intact, it is a bug, and rebuilding would only hide it."""
        if self.store.intact():
            raise exc
        log.warning("search index damaged (%s: %s); rebuilding", type(exc).__name__, exc)
        self.rebuild()
        self._notices = [QueryMessage("index_rebuilt")]

    # ---- querying -------------------------------------------------------------------------
    def _chunk_query(self, chunk: str, weight: float = 1.0, expand: bool = True):
        """One search word/chunk: all its jieba words (each with synonyms), or it as a substring,
        or one of the chunk's own synonyms."""
        words = query_words(chunk, self.vocab.user_words)
        parts = []
        folded = chunk.casefold()  # once: per word it would cost the square of the chunk
        if words:
            per_word = []
            for w in words:
                alts = [self._term_any(w, weight)]
                if expand and w.casefold() != folded:
                    alts += self._synonym_queries(w, weight)
                per_word.append(AnyOf(tuple(alts)) if len(alts) > 1 else alts[0])
            parts.append(AllOf(tuple(per_word)) if len(per_word) > 1 else per_word[0])
        grams = self._substring_query(chunk, weight)
        if grams is not None:
            parts.append(grams)
        if expand:
            parts += self._synonym_queries(chunk, weight)
        if not parts:
            return None
        return AnyOf(tuple(parts)) if len(parts) > 1 else parts[0]

    def _synonym_queries(self, word: str, weight: float) -> list:
        """Whole-word matches of the word's synonyms (a synonym is a word in its own right)."""
        out, seen = [], {word.casefold()}
        for syn in self.vocab.synonyms_of(word):
            words = query_words(syn, self.vocab.user_words)
            key = " ".join(words)
            if not words or key in seen:
                continue
            seen.add(key)
            terms = [self._term_any(w, weight * SYNONYM_WEIGHT) for w in words]
            out.append(AllOf(tuple(terms)) if len(terms) > 1 else terms[0])
        return out

    def _term_any(self, word: str, weight: float):
        return AnyOf(tuple(Term(f, word, WEIGHTS[f] * weight) for f in WORD_FIELDS))

    def _substring_query(self, text: str, weight: float):
        grams = substring_grams(text)
        if not grams:
            return None
        terms = tuple(Term("grams", g, WEIGHTS["grams"] * weight) for g in grams)
        return AllOf(terms) if len(terms) > 1 else terms[0]

    def _filter_values(self, pq: ParsedQuery, errors: list[QueryMessage]):
        """Each keyword filter's values as stored in the index, checked: an unknown kind or
        problem type is an error (the filter is still applied, so it matches nothing)."""
        resolved: dict[tuple[str, bool], list[list[str]]] = {}
        for negate, table in ((False, pq.include), (True, pq.exclude)):
            for name, values in table.items():
                for value in values:
                    resolved.setdefault((name, negate), []).append(
                        self._resolve(name, value, errors)
                    )
        return resolved

    def _resolve(self, name: str, value: str, errors: list[QueryMessage]) -> list[str]:
        """The index terms a filter value stands for (any of them matches)."""
        if name == "kind":
            low = value.lower()
            if low not in KINDS:
                errors.append(
                    QueryMessage("bad_kind", {"value": value, "choices": ", ".join(KINDS)})
                )
            return [low]
        if name == "problem":
            taxonomy = self.vocab.taxonomy
            if taxonomy is None or taxonomy.get(value):
                return [value]
            folded = value.casefold()
            for p in taxonomy:  # a name works as well as an id (problem:新客转化率下降)
                if folded in (p.name.zh.casefold(), p.name.en.casefold(), p.id.casefold()):
                    return [p.id]
            errors.append(QueryMessage("bad_problem", {"value": value}))
            return [value]
        if name == "metric":
            canonical = self.vocab.metrics.resolve(value) if self.vocab.metrics else None
            return list(dict.fromkeys(v for v in (value, canonical) if v))
        if name == "state":
            low = value.lower()
            if low not in STATES:
                errors.append(QueryMessage("bad_state", {"value": value}))
            return [low]
        return [value.lower()]  # tags and case fields are indexed lowercase

    def _filter_mask(
        self,
        cache: PostingCache,
        pq: ParsedQuery,
        extra: dict[str, str | None],
        include_drafts: bool,
        errors: list[QueryMessage],
    ):
        mask = cache.live.copy()
        for name, value in extra.items():  # the page's filter widgets / CLI options
            if value:
                pq.include.setdefault(name, []).append(value)
        resolved = self._filter_values(pq, errors)
        for (name, negate), groups in resolved.items():
            field_name = KEYWORD_FILTERS[name]
            if name == "state":
                continue
            for terms in groups:
                any_term = np.zeros(cache.size, dtype=bool)
                for term in terms:
                    any_term |= cache.docs(field_name, term)
                mask &= ~any_term if negate else any_term
        # drafts: out unless asked for (state:draft only drafts, state:all both)
        wanted = {t for terms in resolved.get(("state", False), []) for t in terms}
        unwanted = {t for terms in resolved.get(("state", True), []) for t in terms}
        show_drafts = include_drafts or bool(wanted & {"draft", "all"})
        show_published = not wanted or bool(wanted & {"published", "all"})
        show_drafts &= not unwanted & {"draft", "all"}
        show_published &= not unwanted & {"published", "all"}
        drafts = cache.docs("state", "draft")
        if not show_drafts:
            mask &= ~drafts
        if not show_published:
            mask &= drafts
        if pq.after or pq.before:
            created = cache.created()
            if pq.after:
                mask &= created >= pq.after.toordinal()
            if pq.before:
                mask &= (created <= pq.before.toordinal()) & (created > 0)
        for x in pq.excludes:
            q = self._substring_query(x, 1.0)
            if q is not None:
                mask &= ~cache.evaluate(q)[0]
        return mask

    def _verify_phrases(self, s, mask: np.ndarray, phrases: list[str]) -> np.ndarray:
        """Quoted phrases must occur as written (the gram terms only say the pieces occur)."""
        # a phrase that is a single gram term (two Chinese characters, one Latin word) matched
        # exactly already
        long = [p for p in phrases if len(substring_grams(p)) > 1]
        wanted = [_squash(p) for p in long]
        if not wanted:
            return mask
        # a phrase that is one indexed word (跳出率): a document with that word in a word field
        # holds it as written; only the others (matched through their character grams) are read
        sure = np.ones_like(mask)
        for phrase in long:
            words = query_words(phrase, self.vocab.user_words)
            if len(words) != 1:
                sure[:] = False
                break
            have = np.zeros_like(mask)
            for name in WORD_FIELDS:
                have |= self._cache.docs(name, words[0])
            sure &= have
        candidates = np.flatnonzero(mask & ~sure)
        if len(candidates) > PHRASE_VERIFY_LIMIT:
            return mask  # too many to read: the gram match stands
        out = mask.copy()
        for docnum in candidates:
            fields = s.stored_fields(int(docnum))
            text = _squash(fields.get("title", "") + "\n" + fields.get("plain", ""))
            if not all(w in text for w in wanted):
                out[docnum] = False
        return out

    def search(
        self,
        text: str,
        *,
        kind: str | None = None,
        problem: str | None = None,
        tag: str | None = None,
        page: int = 1,
        per_page: int = 10,
        include_drafts: bool = False,
    ) -> Results:
        """One page of results. Problems with the query come back in ``Results.errors``
        (codes with parameters); a damaged index is rebuilt once, with a notice."""
        self.ensure()
        try:
            results = self._search(text, kind, problem, tag, page, per_page, include_drafts)
        except (IndexUnavailable, KeyboardInterrupt):
            raise
        except Exception as exc:  # damage found while reading: rebuild from the files, retry
            self._recover(exc)
            results = self._search(text, kind, problem, tag, page, per_page, include_drafts)
        if self._notices:
            results.notices, self._notices = self._notices, []
        return results

    def _search(self, text, kind, problem, tag, page, per_page, include_drafts) -> Results:
        pq = parse_query(text)
        errors = list(pq.errors)
        page = max(1, page)
        parts = [q for q in (self._chunk_query(t) for t in pq.terms) if q is not None]
        parts += [q for q in (self._substring_query(p, 1.0) for p in pq.phrases) if q is not None]
        extra = {"kind": kind, "problem": problem, "tag": tag}
        if not parts and not pq.is_empty:
            # only punctuation or symbols (「？？」): nothing to search for, not everything
            errors.append(QueryMessage("no_terms"))
            with self._lock:
                self._reader()
                self._filter_values(pq, errors)  # still report bad filters
            return Results(text, [], 0, page, per_page, {}, errors, [])
        with self._lock:
            s = self._reader()
            cache = self._cache
            if parts:
                mask, score = cache.evaluate(AllOf(tuple(parts)))
                exact = cache.docs("title_key", title_key(pq.text))
                score = score + exact * EXACT_TITLE_BOOST
                mask |= exact
            else:
                mask = cache.live.copy()
                score = cache.created().astype(np.float32)  # browse: newest first
            allowed = self._filter_mask(cache, pq, extra, include_drafts, errors)
            mask &= allowed
            if pq.phrases:
                mask = self._verify_phrases(s, mask, pq.phrases)
            if len(parts) > 1 and not pq.phrases and not mask.any():
                # no document holds every word (直播间 转化): those with some of them, most
                # words first (the scores add up), rather than an empty page
                some, some_score = cache.evaluate(AnyOf(tuple(parts)))
                some &= allowed
                if some.any():
                    mask, score = some, some_score
                    errors.append(QueryMessage("partial"))
            matched = np.flatnonzero(mask)
            total = len(matched)
            order = matched[np.argsort(-score[matched], kind="stable")]
            window = order[(page - 1) * per_page : page * per_page]
            terms = highlight_terms(pq, self.vocab)
            hits = [self._hit(s.stored_fields(int(d)), float(score[d]), terms) for d in window]
            facet_counts = {
                "kind": cache.facet_counts("kind", mask),
                "problem": cache.facet_counts("problems", mask),
                "tag": cache.facet_counts("tags", mask),
            }
        suggestions = [] if total else self.vocab.suggestions_for(pq.terms)
        return Results(text, hits, total, page, per_page, facet_counts, errors, suggestions)

    def _hit(self, r: dict, score: float, terms: list[str]) -> Hit:
        snippet_text, snippet_html = make_snippet(r.get("plain") or r.get("summary", ""), terms)
        created = r.get("created")
        return Hit(
            id=r["id"],
            kind=r["kind"],
            title=r["title"],
            score=score,
            snippet=snippet_text,
            snippet_html=snippet_html,
            summary=r.get("summary", ""),
            problems=[p for p in r.get("problems", "").split(",") if p],
            tags=[t for t in r.get("tags", "").split(",") if t],
            created=created.date().isoformat() if created else None,
            state=r.get("state") or "published",
            industry=r.get("industry", ""),
            platforms=[p for p in r.get("platforms", "").split(",") if p],
            tactics=[t for t in r.get("tactics", "").split(",") if t],
        )

    def similar(self, doc_id: str, limit: int = 5) -> list[Hit]:
        """Documents with similar text (key terms of this one), for 'related documents'."""
        self.ensure()
        with self._lock:
            s = self._reader()
            docnum = s.document_number(id=doc_id)
            if docnum is None:
                return []
            stored = s.stored_fields(docnum)
            if not stored.get("plain", "").strip():  # no text to compare (an empty body)
                return []
            found = s.more_like(docnum, "body", text=stored.get("plain", ""), top=limit + 20)
            found = [r for r in found if r.get("state") != "draft"][:limit]  # drafts stay out
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


def _settled(signature: tuple) -> tuple | None:
    """The folder signature, or None while a folder changed within the last two seconds: a
    second change in the same mtime tick would not change it, so the next query checks again."""
    recent = time.time_ns() - RACY_NS
    if any(len(entry) > 2 and entry[1] is not None and entry[1] >= recent for entry in signature):
        return None
    return signature


def _squash(text: str) -> str:
    return "".join(text.casefold().split())
