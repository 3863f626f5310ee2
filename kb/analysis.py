"""Text analysis for Chinese, English, numbers and mixed text (whoosh tokenizers).

Two views of the same text are indexed:
- *words*: jieba in search mode (转化率 -> 转化, 转化率) with a user dictionary of domain terms so
  复购率, 客单价, 双11 stay whole; mixed tokens also yield their script runs (mpu6050 -> mpu, 6050).
  Whole-word matches here rank highest.
- *grams*: overlapping character bigrams of Chinese runs plus Latin/number tokens, with positions,
  so any Chinese substring of two or more characters is found as a phrase of bigrams
  (简单 in 安装简单, 复购 in 复购率) even where jieba cut the text differently.
Index and query go through the same functions, so they are always cut the same way.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable, Iterator

import jieba
from whoosh.analysis import Token, Tokenizer

jieba.setLogLevel(logging.WARNING)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[a-z]+|[0-9]+(?:\.[0-9]+)?", re.IGNORECASE)
_HAS_WORD_CHAR = re.compile(rf"[{_CJK}a-z0-9]", re.IGNORECASE)
# a boundary between scripts inside one token: letters|digits|Chinese
_MIXED = re.compile(rf"[a-z][0-9]|[0-9][a-z]|[{_CJK}][a-z0-9]|[a-z0-9][{_CJK}]", re.IGNORECASE)
_IS_CJK = re.compile(rf"[{_CJK}]")
_GRAM_RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:\.[0-9]+)?", re.IGNORECASE)
STOPWORDS = frozenset(
    "的 了 和 与 及 或 是 在 也 就 都 而 被 把 对 为 之 吗 呢 吧 啊 a an the of to and or in on is are".split()
)

_segmenters: dict[str, jieba.Tokenizer] = {}
_last: tuple | None = None  # (user_words, segmenter) of the latest call
_lock = threading.Lock()


def words_key(user_words: Iterable[str]) -> str:
    """A short hash of the user dictionary: part of the index schema version."""
    return hashlib.sha1("\n".join(sorted(set(user_words))).encode("utf-8")).hexdigest()[:12]


def segmenter(user_words: tuple[str, ...]) -> jieba.Tokenizer:
    """A jieba tokenizer with the domain words added; built once per process and dictionary."""
    global _last
    last = _last  # the usual case: the same tuple again, no hashing of the dictionary per call
    if last is not None and last[0] is user_words:
        return last[1]
    key = words_key(user_words)
    with _lock:
        seg = _segmenters.get(key)
        if seg is None:
            seg = jieba.Tokenizer()
            seg.initialize()
            for word in user_words:
                seg.add_word(word)
            _segmenters[key] = seg
        _last = (user_words, seg)
    return seg


def _runs(token: str) -> list[str]:
    return [m.group(0).lower() for m in _RUN.finditer(token)]


# jieba's HMM (finalseg.viterbi) copies its path list at every character: a run of unknown
# characters costs the square of its length (a 100,000-character query took over a minute). Text
# is handed to jieba in pieces of at most this many characters, cut where jieba would cut anyway.
PIECE_CHARS = 300
# what jieba keeps together in one block (its re_han_default); anything else is a safe cut
_JIEBA_BLOCK_CHAR = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]")


def pieces(text: str, limit: int = PIECE_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) with every piece at most ``limit`` characters, cut after the last
    separator (space, punctuation) in the window, or hard at the limit where there is none."""
    start, n = 0, len(text)
    while n - start > limit:
        end = start + limit
        cut = end
        while cut > start + limit // 2 and _JIEBA_BLOCK_CHAR.match(text, cut - 1):
            cut -= 1
        if cut <= start + limit // 2:
            cut = end  # no separator in the second half of the window: cut hard
        yield start, text[start:cut]
        start = cut
    if start < n:
        yield start, text[start:]


def word_tokens(
    text: str, user_words: tuple[str, ...], mode: str = "search"
) -> Iterator[tuple[str, int, int, bool]]:
    """(word, start, end, primary); non-primary tokens are script sub-runs.

    Documents are cut in search mode (转化率 -> 转化, 转化率) so that a query for either finds
    them; queries are cut in default mode (the longest words), which is enough and cheaper.
    """
    seg = segmenter(user_words)
    for offset, piece in pieces(text):
        for word, start, end in seg.tokenize(piece, mode=mode):
            yield from _word_token(word, start + offset, end + offset)


def _word_token(word: str, start: int, end: int) -> Iterator[tuple[str, int, int, bool]]:
    if not _HAS_WORD_CHAR.search(word):
        return
    low = word.lower()
    if low in STOPWORDS:
        return
    yield low, start, end, True
    if _MIXED.search(word):  # rare: only mixed tokens (mpu6050, uv价值) have sub-runs
        for run in _runs(word):
            if run not in STOPWORDS:
                yield run, start, end, False


# Latin/number trigrams carry a marker so they never collide with a whole short token.
TRIGRAM_MARK = "~"


def _latin_trigrams(token: str) -> list[str]:
    return [TRIGRAM_MARK + token[i : i + 3] for i in range(len(token) - 2)]


def gram_tokens(text: str) -> Iterator[tuple[str, int, int, bool]]:
    """Chinese bigrams; Latin/number tokens whole, by script run, and as marked trigrams (so a
    fragment of three or more letters or digits inside a token is found: 605 in MPU6050)."""
    for m in _GRAM_RUN.finditer(text):
        run, base = m.group(0), m.start()
        if _IS_CJK.match(run):
            n = len(run)
            if n == 1:
                yield run, base, base + 1, True
            for i in range(n - 1):
                yield run[i : i + 2], base + i, base + i + 2, True
        else:
            low = run.lower()
            yield low, base, m.end(), True
            parts = _runs(low)
            if len(parts) > 1:
                for part in parts:
                    yield part, base, m.end(), False
            for gram in _latin_trigrams(low):
                yield gram, base, m.end(), False


def substring_grams(text: str) -> list[str]:
    """Gram terms that must all occur for the text to occur as a substring.

    A Chinese run is covered by its overlapping bigrams, a Latin/number run of three or more
    characters by its trigrams (all present <=> the run is there, but for the rare document with
    the pieces apart; quoted phrases are verified against the text). Shorter Latin runs must be
    whole tokens or script runs (uv, 11).
    """
    out: list[str] = []
    for m in _GRAM_RUN.finditer(text):
        run = m.group(0)
        if not _IS_CJK.match(run):
            low = run.lower()
            out += _latin_trigrams(low) if len(low) >= 3 else [low]
        elif len(run) <= 2:
            out.append(run)
        else:
            out += [run[i : i + 2] for i in range(len(run) - 1)]
    return list(dict.fromkeys(out))


class _PositionalTokenizer(Tokenizer):
    """Adapts a (text, start, end, primary) generator to whoosh; sub-runs share a position."""

    def _tokens(self, value: str):
        raise NotImplementedError

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos - 1
        for text, start, end, primary in self._tokens(value):
            if primary:
                pos += 1
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class JiebaTokenizer(_PositionalTokenizer):
    def __init__(self, user_words: Iterable[str] = ()):
        self.user_words = tuple(sorted(set(user_words)))

    def _tokens(self, value: str):
        return word_tokens(value, self.user_words)

    def __eq__(self, other):
        return type(self) is type(other) and self.user_words == other.user_words


class GramTokenizer(_PositionalTokenizer):
    def _tokens(self, value: str):
        return gram_tokens(value)

    def __eq__(self, other):
        return type(self) is type(other)


def query_words(text: str, user_words: tuple[str, ...]) -> list[str]:
    """The primary words of a query chunk, cut exactly as the index cuts documents."""
    seen: dict[str, None] = {}  # a dict, not a list: `in` stays O(1) on long queries
    for word, _s, _e, primary in word_tokens(text, user_words, mode="default"):
        if primary:
            seen.setdefault(word)
    return list(seen)
