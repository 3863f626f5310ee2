"""Query evaluation over whoosh posting lists held as numpy arrays.

whoosh stores the index (segments, incremental updates, stored fields); evaluating a broad query
with its pure-Python matchers costs tens of microseconds per matching document, which at 10k
documents is far over a 50 ms budget once synonyms and facets are counted. Here each posting list
a query touches is read once per index generation into numpy arrays (document numbers, term
frequencies), and scoring (BM25), boolean combination, filters and facet counts become vector
operations over one array slot per document. Frequent terms are read ahead in a background thread
after the index changes, so the first query after a sync is fast too.
"""

from __future__ import annotations

import itertools
import math
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher, MultiMatcher
from whoosh.util.numeric import byte_to_length

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class Term:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class AllOf:
    parts: tuple


@dataclass(frozen=True)
class AnyOf:
    parts: tuple


Node = Term | AllOf | AnyOf


def read_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    """All (document number, term frequency) pairs of a whoosh matcher.

    whoosh decodes postings a block (up to 128) at a time; taking whole blocks instead of one
    posting per Python call is several times faster. Unknown matcher types (another codec) go
    through the public one-at-a-time interface.
    """
    if isinstance(matcher, MultiMatcher):
        parts = [read_postings(m) for m in matcher.matchers]
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        ids = np.concatenate([p[0] + off for p, off in zip(parts, matcher.offsets, strict=True)])
        return ids, np.concatenate([p[1] for p in parts])
    if isinstance(matcher, FilterMatcher):  # deleted documents: the caller masks them
        return read_postings(matcher.child)
    ids: list = []
    freqs: list = []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            ids.extend(matcher._ids[matcher._i :])
            freqs.extend(matcher._weights[matcher._i :])
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            freqs.append(matcher.weight())
            matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(freqs, dtype=np.float32)


_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


def read_lengths(reader, field: str, size: int) -> np.ndarray:
    """Every document's length in a field (as whoosh stores it: one quantised byte each).

    Read as one byte string per segment rather than one call per document (10k calls cost
    ~60 ms on the first query after each index change); other codecs go through the public
    per-document call.
    """
    segments = getattr(reader, "readers", None) or [reader]
    offsets = getattr(reader, "doc_offsets", None) or [0]
    out = np.zeros(size, dtype=np.float32)
    try:
        for seg, base in zip(segments, offsets, strict=True):
            column = seg._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
            if column is None:
                continue
            raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
            values = np.frombuffer(raw, dtype=np.uint8)
            out[base : base + len(values)] = _BYTE_TO_LENGTH[values]
        return out
    except (AttributeError, TypeError, ValueError):
        dfl = reader.doc_field_length
        return np.fromiter((dfl(i, field, 0) for i in range(size)), dtype=np.float32, count=size)


class ReaderLock:
    """The lock around a whoosh reader (not safe for concurrent use). Searches come first: the
    background read-ahead takes it only while no search is waiting for or holding it."""

    def __init__(self):
        self._lock = threading.RLock()
        self._count_lock = threading.Lock()
        self._busy = 0
        self._idle = threading.Event()
        self._idle.set()

    def __enter__(self):
        with self._count_lock:
            self._busy += 1
            self._idle.clear()
        self._lock.acquire()
        return self

    def __exit__(self, *exc):
        self._lock.release()
        with self._count_lock:
            self._busy -= 1
            if self._busy == 0:
                self._idle.set()

    @contextmanager
    def background(self):
        self._idle.wait()
        with self._lock:
            yield


class PostingCache:
    """Posting lists and per-document arrays of one searcher generation."""

    def __init__(self, searcher, scored_fields: tuple[str, ...], tf_fields: tuple[str, ...] = ()):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.size = self.reader.doc_count_all()
        self.live = np.zeros(self.size, dtype=bool)
        self.live[list(self.reader.all_doc_ids())] = True
        self._lists: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._lengths: dict[str, tuple[np.ndarray, float]] = {}
        self._values: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self.scored_fields = scored_fields
        self.tf_fields = tf_fields

    # ---- raw data ---------------------------------------------------------------------------
    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        key = (field, text)
        found = self._lists.get(key)
        if found is not None:
            return found
        if (field, text) in self.reader:
            ids, freqs = read_postings(self.reader.postings(field, text))
            keep = self.live[ids]  # drop deleted documents
            found = (ids[keep], freqs[keep])
        else:
            found = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        with self._lock:
            self._lists[key] = found
        return found

    def lengths(self, field: str) -> tuple[np.ndarray, float]:
        found = self._lengths.get(field)
        if found is None:
            arr = read_lengths(self.reader, field, self.size)
            avg = float(arr[self.live].mean()) if self.live.any() else 1.0
            found = (arr, max(avg, 1.0))
            with self._lock:
                self._lengths[field] = found
        return found

    def warm(
        self,
        lock: ReaderLock,
        min_share: float = 0.02,
        stop: threading.Event | None = None,
    ) -> int:
        """Read ahead the posting lists of frequent terms (the costly ones); returns how many.

        Every read here holds the reader lock in background mode: a search waits for at most
        one posting list.
        """
        count = 0
        min_docs = max(20, int(self.size * min_share))
        try:
            for field in (*self.scored_fields, *self.tf_fields):
                with lock.background():
                    if stop is not None and stop.is_set():
                        return count
                    if field in self.scored_fields:
                        self.lengths(field)
                    terms = self._frequent(field, min_docs)
                while True:
                    with lock.background():  # the lexicon is read in batches, each under the lock
                        if stop is not None and stop.is_set():
                            return count
                        batch = list(itertools.islice(terms, 32))
                    if not batch:
                        break
                    for text in batch:
                        if text is None:
                            continue
                        with lock.background():
                            if stop is not None and stop.is_set():
                                return count
                            self.postings(field, text)
                        count += 1
        except Exception:  # the index changed under us; queries read what they need themselves
            pass
        return count

    def _frequent(self, field: str, min_docs: int):
        """The field's terms in lexicon order: the text of frequent ones, None for the others
        (so a batch of the lexicon is read even where it holds no frequent term)."""
        try:
            for text, info in self.reader.iter_field(field):
                if info.doc_frequency() >= min_docs:
                    yield text.decode("utf-8") if isinstance(text, bytes) else text
                else:
                    yield None
        except KeyError:
            return

    def created(self) -> np.ndarray:
        """Creation date per document as a day ordinal (0 when unknown)."""
        found = self._lengths.get("__created__")
        if found is None:
            column = self.reader.column_reader("created", translate=True)
            values = np.zeros(self.size, dtype=np.float32)
            for i in range(self.size):
                value = column[i]
                if value is not None and value.year > 1:
                    values[i] = value.toordinal()
            found = (values, 0.0)
            with self._lock:
                self._lengths["__created__"] = found
        return found[0]

    def facet_counts(self, field: str, mask: np.ndarray) -> dict[str, int]:
        """Matching documents per value of a keyword field, most first."""
        values = self._values.get(field)
        if values is None:
            values = [
                t.decode("utf-8") if isinstance(t, bytes) else t for t in self.reader.lexicon(field)
            ]
            self._values[field] = values
        counts = {}
        for value in values:
            n = int(np.count_nonzero(mask[self.postings(field, value)[0]]))
            if n:
                counts[value] = n
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    # ---- evaluation -------------------------------------------------------------------------
    def docs(self, field: str, text: str) -> np.ndarray:
        """A boolean mask of the documents that have this term (for filters and facets)."""
        mask = np.zeros(self.size, dtype=bool)
        ids, _ = self.postings(field, text)
        mask[ids] = True
        return mask

    def evaluate(self, node: Node) -> tuple[np.ndarray, np.ndarray]:
        """(mask, score) over all document numbers."""
        if isinstance(node, Term):
            return self._term(node)
        results = [self.evaluate(p) for p in node.parts]
        if not results:
            return np.zeros(self.size, dtype=bool), np.zeros(self.size, dtype=np.float32)
        masks = np.stack([r[0] for r in results])
        scores = np.sum([r[1] for r in results], axis=0)
        mask = masks.all(axis=0) if isinstance(node, AllOf) else masks.any(axis=0)
        return mask, np.where(mask, scores, 0.0).astype(np.float32)

    def _term(self, t: Term) -> tuple[np.ndarray, np.ndarray]:
        ids, tf = self.postings(t.field, t.text)
        mask = np.zeros(self.size, dtype=bool)
        score = np.zeros(self.size, dtype=np.float32)
        if len(ids) == 0:
            return mask, score
        mask[ids] = True
        if t.field in self.scored_fields or t.field in self.tf_fields:
            df = len(ids)
            idf = math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))
            if t.field in self.scored_fields:  # BM25 with document-length normalisation
                lengths, avg = self.lengths(t.field)
                norm = K1 * (1 - B + B * lengths[ids] / avg)
            else:  # BM25 without lengths (the index keeps none for this field)
                norm = K1
            score[ids] = t.boost * idf * tf * (K1 + 1) / (tf + norm)
        else:
            score[ids] = t.boost
        return mask, score
