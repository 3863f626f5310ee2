"""Markdown -> plain text for indexing and snippets (no HTML ever reaches the index)."""

from __future__ import annotations

import re

_RULES = [
    (re.compile(r"```.*?\n(.*?)```", re.S), r"\1"),  # fenced code: keep the code text
    (re.compile(r"<[^>]{0,500}>"), " "),  # raw HTML tags
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links -> link text
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),  # heading marks
    (re.compile(r"^\s*>\s?", re.M), ""),  # quotes
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M), ""),  # list bullets
    (re.compile(r"^\s*\|?\s*:?-{3,}.*$", re.M), ""),  # table separator rows
    (re.compile(r"\s*\|\s*"), " "),  # table pipes
    (re.compile(r"(\*\*|__|\*|_|~~|`)"), ""),  # emphasis and code marks
    (re.compile(r"[ \t]+"), " "),
    (re.compile(r"\n{3,}"), "\n\n"),
]


def markdown_to_text(markdown: str) -> str:
    text = markdown
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return text.strip()
