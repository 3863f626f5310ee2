"""The action log (运营日志): what the team did and what happened around the shop, as documents.

An entry is a Markdown document of kind ``log`` in ``log/`` (contract 3): a date or range, the
segment it touched (``{channel: 抖音}``; empty = the whole shop), the kind of action, a status
(open actions feed the daily review) and an owner. It is validated, saved (one save path),
indexed and searched like every other document. ``events_near`` joins it with the calendar:
the first question about a cliff in the numbers is "what changed there, just before?".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from kb.documents import (
    KIND_FIELDS,
    ConflictError,
    Document,
    DocumentError,
    FieldError,
    read_document,
    save_document,
)
from kb.problems import Text

KIND = "log"
ACTIONS = (
    "budget",
    "bid",
    "price",
    "listing",
    "launch",
    "campaign",
    "release",
    "tracking",
    "platform-rule",
    "outside",
    "other",
)
STATUSES = ("open", "done")
FIELDS = KIND_FIELDS[KIND]  # field -> help text, declared with the other kinds
MATCHES = ("same", "parent", "child", "global", "other")
# How much a segment relation says about a change in the segment asked about: an action on the
# very segment (or on a segment containing it) explains it better than a whole-shop event; an
# action on a part of it explains a part; an unrelated segment is listed last, as a decoy.
MATCH_WEIGHT = {"same": 3.0, "parent": 2.5, "child": 2.0, "global": 1.5, "other": 0.0}
DAY_PENALTY = 0.25  # per day between the event and the reference date
AFTER_PENALTY = 1.5  # a logged date after the change is less likely the cause (x per day)


@dataclass
class Event:
    """Something that happened on a day (or range), from the log or the calendar (contract 4)."""

    id: str
    day: dt.date
    end: dt.date | None
    kind: str  # log: the action (budget, bid, …); calendar: holiday | workday | campaign
    title: Text
    segment: dict[str, str]
    source: str  # log | calendar
    days_from: int = 0  # event start minus the reference date (negative = before)
    segment_match: str = "global"  # same | parent | child | other | global
    status: str = ""  # log entries: open | done
    owner: str = ""
    score: float = 0.0  # ranking score (higher first); see events_near

    @property
    def last(self) -> dt.date:
        return self.end or self.day

    def distance(self, ref: dt.date) -> int:
        """Days between the event and ``ref``; 0 when the event's range covers it."""
        if self.day <= ref <= self.last:
            return 0
        return (self.day - ref).days if self.day > ref else (self.last - ref).days

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["title"] = {"zh": self.title.zh, "en": self.title.en}
        data["day"] = self.day.isoformat()
        data["end"] = self.end.isoformat() if self.end else None
        data["score"] = round(self.score, 3)
        return data


@dataclass
class Entry:
    """One action-log document, with its log fields typed."""

    doc: Document
    date: dt.date
    end: dt.date | None = None
    segment: dict[str, str] = field(default_factory=dict)
    action: str = "other"
    status: str = "done"
    owner: str = ""

    @property
    def id(self) -> str:
        return self.doc.id

    @property
    def title(self) -> str:
        return self.doc.title

    @property
    def last(self) -> dt.date:
        return self.end or self.date

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "segment": dict(self.segment),
            "action": self.action,
            "status": self.status,
            "owner": self.owner,
            "summary": self.doc.summary,
            "tags": list(self.doc.tags),
            "note": self.doc.body.strip(),
        }


# ---- validation (called from kb.documents.parse_document for kind: log) -------------------


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def validate_fields(meta: dict[str, Any], where: str) -> list[FieldError]:
    """Check and normalise the log fields in ``meta`` in place; every problem, by field."""
    errors: list[FieldError] = []
    if meta.get("date") in (None, ""):
        errors.append(FieldError(where, "date", "missing: when did it happen? write YYYY-MM-DD"))
    for name in ("date", "end"):
        if meta.get(name) not in (None, ""):
            try:
                meta[name] = _date(meta[name])
            except (TypeError, ValueError):
                errors.append(
                    FieldError(where, name, f"{meta[name]!r} is not a date: write YYYY-MM-DD")
                )
    start, end = meta.get("date"), meta.get("end")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        errors.append(FieldError(where, "end", f"{end} is before the date {start}"))
    segment = meta.get("segment")
    if segment in (None, "", {}):
        meta["segment"] = {}
    elif not isinstance(segment, dict) or not all(
        isinstance(k, str) and isinstance(v, (str, int)) and str(v).strip()
        for k, v in segment.items()
    ):
        errors.append(
            FieldError(
                where, "segment", "must map dimension to value, e.g. {channel: 抖音} (or be empty)"
            )
        )
    else:
        meta["segment"] = {str(k).strip(): str(v).strip() for k, v in segment.items()}
    action = meta.get("action")
    if action in (None, ""):
        errors.append(FieldError(where, "action", f"missing; one of {', '.join(ACTIONS)}"))
    elif str(action) not in ACTIONS:
        errors.append(FieldError(where, "action", f"{action!r} is not one of {', '.join(ACTIONS)}"))
    status = meta.get("status")
    if status not in (None, "") and str(status) not in STATUSES:
        errors.append(FieldError(where, "status", f"{status!r} is not one of open, done"))
    owner = meta.get("owner")
    if owner is not None and not isinstance(owner, (str, int)):
        errors.append(FieldError(where, "owner", "must be a name (text)"))
    return errors


def _vocabulary(ws):
    from kb.diagnosis.dimensions import load_vocabulary

    return load_vocabulary(ws.config.data_file("dimensions.yaml"))


def check_segment(segment: dict[str, str], vocab, where: str) -> list[FieldError]:
    """Dimension names must be those of data/dimensions.yaml (values may be new)."""
    errors = []
    known = sorted(vocab.dimensions)
    for name in segment:
        if name not in vocab.dimensions:
            errors.append(
                FieldError(
                    where,
                    "segment",
                    f"unknown dimension {name!r}; use one of {', '.join(known)} "
                    "(data/dimensions.yaml)",
                )
            )
    return errors


def normalise_segment(segment: dict[str, str], vocab) -> dict[str, str]:
    """Canonical dimension names and values: {渠道: douyin} -> {channel: 抖音}."""
    out = {}
    for name, value in (segment or {}).items():
        if value is None or value != value or not str(value).strip():  # None, NaN, blank
            continue
        dim_name = vocab.resolve(name) or str(name).strip()
        dim = vocab.get(dim_name)
        out[dim_name] = dim.canonical_value(str(value)) if dim else str(value).strip()
    return out


def check_workspace(ws, collection) -> list[str]:
    """`kb check`: log entries name known dimensions (the rest is checked when parsing)."""
    vocab = _vocabulary(ws)
    errors = []
    for doc in collection.docs.values():
        if doc.kind == KIND:
            where = str(doc.path or doc.id)
            errors.extend(
                str(e) for e in check_segment(doc.meta.get("segment") or {}, vocab, where)
            )
    return errors


# ---- reading -------------------------------------------------------------------------------


def entry_from_document(doc: Document) -> Entry:
    meta = doc.meta
    return Entry(
        doc=doc,
        date=meta["date"],
        end=meta.get("end") or None,
        segment=dict(meta.get("segment") or {}),
        action=str(meta.get("action") or "other"),
        status=str(meta.get("status") or "done"),
        owner=str(meta.get("owner") or ""),
    )


_PARSED: dict[str, tuple[tuple[int, int, int], Document | DocumentError]] = {}


def _read_cached(path) -> Document:
    """A log file parsed once per version (mtime, size, inode): the daily review and every
    diagnosis re-read the log, thousands of entries stay fast. Callers get a copy of the
    document, so editing it never changes the cache."""
    st = path.stat()
    key = (st.st_mtime_ns, st.st_size, st.st_ino)
    hit = _PARSED.get(str(path))
    if hit is None or hit[0] != key:
        try:
            value: Document | DocumentError = read_document(path)
        except DocumentError as exc:
            value = exc
        hit = _PARSED[str(path)] = (key, value)
    if isinstance(hit[1], DocumentError):
        raise hit[1]
    doc = hit[1]
    return replace(doc, meta=dict(doc.meta), tags=list(doc.tags))


def load_entries(ws) -> tuple[list[Entry], list[FieldError]]:
    """Every entry in ``log/`` (newest first) and the files that could not be read."""
    folder = ws.config.root / "log"
    entries: list[Entry] = []
    errors: list[FieldError] = []
    if not folder.is_dir():
        return entries, errors
    for path in sorted(folder.glob("*.md")):
        if path.name.startswith("."):
            continue
        try:
            doc = _read_cached(path)
        except DocumentError as exc:
            errors.extend(exc.errors)
            continue
        except OSError:  # removed meanwhile
            continue
        if doc.kind != KIND:
            errors.append(FieldError(str(path), "kind", "a file in log/ must be kind: log"))
            continue
        if doc.meta.get("state") == "draft":
            continue
        entries.append(entry_from_document(doc))
    entries.sort(key=lambda e: (e.date, e.id), reverse=True)
    return entries, errors


def segment_match(entry_segment: dict[str, str], segment: dict[str, str] | None) -> str:
    """How an event's segment relates to the segment asked about.

    same: identical; parent: the event covers it and more ({channel: 抖音} for a change in
    {channel: 抖音, user_type: 新客}); child: the event touches a part of it; global: the event
    is whole-shop; other: a different segment.
    """
    ev = dict(entry_segment or {})
    ask = dict(segment or {})
    if not ev:
        return "global"
    if ev == ask:
        return "same"
    ev_items, ask_items = set(ev.items()), set(ask.items())
    if ev_items < ask_items:
        return "parent"
    if ask_items < ev_items:
        return "child"
    return "other"


def list_entries(
    ws,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    segment: dict[str, str] | None = None,
    action: str | None = None,
    status: str | None = None,
    include_global: bool = False,
) -> list[Entry]:
    """Entries overlapping [start, end], touching ``segment`` (same, inside or above it)."""
    entries, _ = load_entries(ws)
    vocab = _vocabulary(ws)
    segment = normalise_segment(segment or {}, vocab)
    out = []
    for e in entries:
        if start and e.last < start:
            continue
        if end and e.date > end:
            continue
        if action and e.action != action:
            continue
        if status and e.status != status:
            continue
        if segment:
            match = segment_match(normalise_segment(e.segment, vocab), segment)
            if match == "other" or (match == "global" and not include_global):
                continue
        out.append(e)
    return out


def open_actions(ws) -> list[Entry]:
    """Actions still open (for the daily review), oldest first: they have waited longest."""
    entries, _ = load_entries(ws)
    return sorted((e for e in entries if e.status == "open"), key=lambda e: (e.date, e.id))


def entry_event(entry: Entry) -> Event:
    return Event(
        id=entry.id,
        day=entry.date,
        end=entry.end,
        kind=entry.action,
        title=Text(entry.title, entry.title),
        segment=dict(entry.segment),
        source="log",
        status=entry.status,
        owner=entry.owner,
    )


def rank(
    events: list[Event], day: dt.date, segment: dict[str, str] | None, vocab=None
) -> list[Event]:
    """Fill days_from, segment_match and score; best first.

    score = segment weight - 0.25 per day away (x1.5 for days after ``day``): an action on 抖音
    the day before a 抖音 cliff beats a whole-shop holiday the same distance away. For a
    whole-shop change (no segment) whole-shop events weigh as much as "same". With ``vocab``
    segments are compared in canonical spelling ({渠道: douyin} is {channel: 抖音})."""
    if vocab is not None:
        segment = normalise_segment(segment or {}, vocab)
    out = []
    for ev in events:
        ev_segment = normalise_segment(ev.segment, vocab) if vocab is not None else ev.segment
        match = segment_match(ev_segment, segment)
        gap = ev.distance(day)
        penalty = DAY_PENALTY * (abs(gap) * (AFTER_PENALTY if gap > 0 else 1.0))
        # a whole-shop change: a whole-shop event is as close a match as there is
        weight = MATCH_WEIGHT["same"] if match == "global" and not segment else MATCH_WEIGHT[match]
        out.append(
            replace(ev, days_from=(ev.day - day).days, segment_match=match, score=weight - penalty)
        )
    out.sort(key=lambda e: (-e.score, abs(e.distance(day)), e.source != "log", e.id))
    return out


def events_near(
    ws, day: dt.date, segment: dict[str, str] | None = None, before: int = 7, after: int = 2
) -> list[Event]:
    """Log entries and calendar events within [day - before, day + after], best first."""
    from kb import calendar

    day = _date(day)
    lo, hi = day - dt.timedelta(days=before), day + dt.timedelta(days=after)
    events = [entry_event(e) for e in list_entries(ws, start=lo, end=hi)]
    events += calendar.calendar_events(lo, hi, ws=ws)
    return rank(events, day, segment, _vocabulary(ws))


# ---- writing -------------------------------------------------------------------------------


def _slug(text: str, limit: int = 24) -> str:
    words = re.findall(r"[a-z0-9\u4e00-\u9fff]+", text.lower())
    slug = "-".join(words)[:limit].strip("-")
    return slug or "entry"


def new_id(ws, day: dt.date, title: str) -> str:
    base = f"log-{day.isoformat()}-{_slug(title)}"
    folder = ws.config.root / "log"
    candidate, n = base, 2
    while (folder / f"{candidate}.md").exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def make_entry(
    ws,
    *,
    date: dt.date | str,
    title: str,
    action: str,
    segment: dict[str, str] | None = None,
    end: dt.date | str | None = None,
    status: str = "done",
    owner: str = "",
    note: str = "",
    summary: str = "",
    tags: list[str] | None = None,
    today: dt.date | None = None,
) -> Document:
    """A validated, not yet saved log document; DocumentError names every bad field."""
    where = "log entry"
    vocab = _vocabulary(ws)
    meta: dict[str, Any] = {
        "date": date,
        "end": end or None,
        "segment": normalise_segment(segment or {}, vocab),
        "action": action,
        "status": status or "done",
        "owner": owner or "",
    }
    errors = validate_fields(meta, where)
    errors += check_segment(meta["segment"], vocab, where)
    if not str(title or "").strip():
        errors.append(FieldError(where, "title", "missing: say what was done in a few words"))
    if errors:
        raise DocumentError(errors)
    doc = Document(
        id=new_id(ws, meta["date"], title),
        kind=KIND,
        title=str(title).strip(),
        body=note or "",
        tags=list(tags or []),
        created=today or dt.date.today(),
        summary=summary or "",
        meta={k: v for k, v in meta.items() if v not in (None, "", {})},
    )
    if not meta["segment"]:
        doc.meta["segment"] = {}
    return doc


def _save(ws, doc: Document, expected_sha: str | None) -> Document:
    save_document(ws.config, doc, expected_sha=expected_sha)
    return doc


def add_entry(ws, **fields: Any) -> Entry:
    """Validate and save a new entry through the one save path; returns it."""
    doc = make_entry(ws, **fields)
    for _ in range(5):  # two people logging the same title on the same day at once
        try:
            _save(ws, doc, None)
            return entry_from_document(doc)
        except ConflictError:
            doc.id = new_id(ws, doc.meta["date"], doc.title + f" {dt.datetime.now():%H%M%S%f}")
    raise ConflictError(f"could not find a free id for {doc.title!r}")


def get_entry(ws, entry_id: str) -> Entry | None:
    """One entry read fresh from disk (with the hash an edit must match), or None."""
    path = ws.config.root / "log" / f"{entry_id}.md"
    try:
        doc = read_document(path)
    except (OSError, DocumentError):
        return None
    return entry_from_document(doc) if doc.kind == KIND else None


def update_entry(ws, entry_id: str, expected_sha: str | None = None, **changes: Any) -> Entry:
    """Change fields of an entry (e.g. status open -> done); refuses if the file moved on."""
    path = ws.config.root / "log" / f"{entry_id}.md"
    if not path.is_file():
        raise DocumentError([FieldError(entry_id, "id", "no such log entry")])
    doc = read_document(path)
    sha = expected_sha or doc.sha
    vocab = _vocabulary(ws)
    meta = dict(doc.meta)
    for key in ("title", "summary"):
        if key in changes:
            setattr(doc, key, str(changes.pop(key) or ""))
    if "note" in changes:
        doc.body = str(changes.pop("note") or "")
    if "tags" in changes:
        doc.tags = list(changes.pop("tags") or [])
    for key, value in changes.items():
        if key not in FIELDS:
            raise DocumentError([FieldError(entry_id, key, "not a log field")])
        meta[key] = normalise_segment(value, vocab) if key == "segment" else value
    errors = validate_fields(meta, str(path))
    if isinstance(meta.get("segment"), dict):
        errors += check_segment(meta["segment"], vocab, str(path))
    if errors:
        raise DocumentError(errors)
    doc.meta = {k: v for k, v in meta.items() if v not in (None, "")}
    _save(ws, doc, sha)
    return entry_from_document(doc)
