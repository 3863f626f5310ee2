"""Full-text search: the query language and synonyms turned into term queries, evaluated
over the derived index (kb/indexing.py) with numpy (kb/postings.py), with facets and snippets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kb.analysis import query_words, segmenter, substring_grams
from kb.config import Config
from kb.indexing import IndexStore, SyncStats, title_key
from kb.postings import AllOf, AnyOf, PostingCache, ReaderLock, Term
from kb.query import ParsedQuery, parse_query
from kb.snippets import highlight_terms, make_snippet
from kb.vocabulary import Vocabulary

__all__ = ["Hit", "Results", "SearchIndex", "SyncStats"]

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

    def sync(self, progress: Callable[[int, int], None] | None = None) -> SyncStats:
        """Bring the index up to date with the files (see IndexStore.sync). Searches go on
        meanwhile: their searcher reads the previous generation until the next query."""
        return self.store.sync(progress)

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> SyncStats:
        with self._lock:
            self._drop_searcher()
            return self.store.rebuild(progress)

    def ensure(self, max_age: float = 2.0) -> None:
        """Open the index, syncing with the files if the last sync is older than max_age s."""
        if self.store.ix is None or time.monotonic() - self.store.last_sync > max_age:
            self.sync()

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

    # ---- querying -------------------------------------------------------------------------
    def _chunk_query(self, chunk: str, weight: float = 1.0, expand: bool = True):
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

    def _filter_mask(self, cache: PostingCache, pq: ParsedQuery, kind, problem, tag):
        mask = cache.live.copy()
        for k in [*pq.kinds, *([kind] if kind else [])]:
            mask &= cache.docs("kind", k)
        for p in [*pq.problems, *([problem] if problem else [])]:
            mask &= cache.docs("problems", p)
        for t in [*pq.tags, *([tag] if tag else [])]:
            mask &= cache.docs("tags", t.casefold())
        for m in pq.metrics:
            canonical = self.vocab.metrics.resolve(m) if self.vocab.metrics else None
            any_name = np.zeros(cache.size, dtype=bool)
            for name in {m, canonical} - {None}:
                any_name |= cache.docs("metrics", name)
            mask &= any_name
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
        wanted = [_squash(p) for p in phrases if len(substring_grams(p)) > 1]
        if not wanted:
            return mask
        candidates = np.flatnonzero(mask)
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
    ) -> Results:
        self.ensure()
        pq = parse_query(text)
        page = max(1, page)
        parts = [q for q in (self._chunk_query(t) for t in pq.terms) if q is not None]
        parts += [q for q in (self._substring_query(p, 1.0) for p in pq.phrases) if q is not None]
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
            mask &= self._filter_mask(cache, pq, kind, problem, tag)
            if pq.phrases:
                mask = self._verify_phrases(s, mask, pq.phrases)
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
        return Results(text, hits, total, page, per_page, facet_counts, pq.errors, suggestions)

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


def _squash(text: str) -> str:
    return "".join(text.casefold().split())
