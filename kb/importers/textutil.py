"""Small helpers shared by the parsers: decoding bytes, dates and tags from outside."""

from __future__ import annotations

import datetime as dt
import re

from kb.importers import limits

_SPLIT_TAGS = re.compile(r"[,|;，、]")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), then GB18030 (GBK), which covers Chinese exports."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def to_date(value: object) -> dt.date | None:
    """Unix seconds/milliseconds/microseconds or an ISO text -> date; None if unreadable."""
    if value in (None, "", 0, "0"):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        stamp = float(text)
        while stamp > 1e11:  # ms or µs
            stamp /= 1000
        try:
            return dt.datetime.fromtimestamp(stamp, dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def clean_tags(raw: object) -> list[str]:
    """Tags as a short list of short, one-line, distinct names."""
    if raw is None:
        return []
    if isinstance(raw, str):
        items = _SPLIT_TAGS.split(raw)
    elif isinstance(raw, list | tuple):
        items = [t.get("label") or t.get("name") if isinstance(t, dict) else t for t in raw]
    else:
        return []
    out: list[str] = []
    for item in items:
        tag = re.sub(r"\s+", " ", str(item or "")).strip().lstrip("#")[: limits.MAX_TAG_CHARS]
        if tag and tag not in out:
            out.append(tag)
    return out[: limits.MAX_TAGS]
