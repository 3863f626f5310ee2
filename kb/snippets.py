"""Highlighted snippets that cut Chinese text at sentence and clause boundaries."""

from __future__ import annotations

import html
import re

from kb.analysis import query_words
from kb.query import ParsedQuery

SNIPPET_CHARS = 120
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_CLAUSE = re.compile(r"[,，、:：]")


def highlight_terms(pq: ParsedQuery, vocab) -> list[str]:
    """Words to mark: the query words, whole chunks and phrases, and their synonyms."""
    terms: list[str] = []
    for chunk in [*pq.terms, *pq.phrases]:
        terms.append(chunk)
        terms += query_words(chunk, vocab.user_words)
        terms += vocab.synonyms_of(chunk)
        for w in query_words(chunk, vocab.user_words):
            terms += vocab.synonyms_of(w)
    terms = [t for t in dict.fromkeys(t.strip() for t in terms) if t]
    return sorted(terms, key=len, reverse=True)


def _pattern(terms: list[str]) -> re.Pattern | None:
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def make_snippet(text: str, terms: list[str], size: int = SNIPPET_CHARS) -> tuple[str, str]:
    """(plain snippet, HTML snippet with <mark>) around the sentences with the most matches."""
    pattern = _pattern(terms)
    # (line number, sentence): a snippet grows within its own line/paragraph, never across one
    sentences = [
        (n, part)
        for n, line in enumerate(text.splitlines())
        for part in _SENTENCE_END.split(line)
        if part.strip()
    ]
    if not sentences:
        return "", ""
    best = 0
    if pattern:
        scores = []
        for _line, sent in sentences:
            found = {m.group(0).casefold() for m in pattern.finditer(sent)}
            scores.append((len(found), len(sent) < 2 * size))
        best = max(range(len(sentences)), key=lambda i: scores[i])
    line, snippet = sentences[best][0], sentences[best][1].strip()
    i = best + 1
    while len(snippet) < size * 0.6 and i < len(sentences) and sentences[i][0] == line:
        snippet += sentences[i][1].strip()
        i += 1
    prefix = "…" if best > 0 else ""
    if len(snippet) > size:
        first = pattern.search(snippet) if pattern else None
        start = 0
        if first and first.start() > size // 2:
            # start at a clause boundary shortly before the first match
            cut = max((m.end() for m in _CLAUSE.finditer(snippet, 0, first.start())), default=0)
            start = cut if first.start() - cut < size // 2 else first.start() - size // 3
            prefix = "…"
        snippet = snippet[start : start + size].rstrip() + "…"
    snippet = prefix + " ".join(snippet.split())
    if not pattern:
        return snippet, html.escape(snippet)
    parts, last = [], 0
    for m in pattern.finditer(snippet):
        parts.append(html.escape(snippet[last : m.start()]))
        parts.append(f"<mark>{html.escape(m.group(0))}</mark>")
        last = m.end()
    parts.append(html.escape(snippet[last:]))
    return snippet, "".join(parts)
