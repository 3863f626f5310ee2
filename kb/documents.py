"""Documents: Markdown files with YAML front matter (playbooks, articles, cases).

The files are the source of truth. This module parses them, validates the front matter with
messages that name the file and the field, and saves atomically without losing edits made on
disk in the meantime (optimistic concurrency on the content hash read earlier).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from kb.config import KIND_DIRS, KINDS, Config

MAX_DOC_BYTES = 2_000_000
ID_RE = re.compile(r"^[a-z0-9\u4e00-\u9fff]+(?:-[a-z0-9\u4e00-\u9fff]+)*$")
ID_MAX = 80

COMMON_FIELDS = {
    "id": "stable, url-safe, unique; the file name is <id>.md",
    "kind": "playbook | article | case | log",
    "title": "the title",
    "problems": "problem-type ids from data/problems.yaml",
    "metrics": "metric names or aliases from data/metrics.yaml",
    "tags": "free tags",
    "created": "date, YYYY-MM-DD",
    "updated": "date, YYYY-MM-DD",
    "summary": "one-sentence summary",
    "source": "where it came from (URL or a description)",
    "author": "who wrote it",
}
KIND_FIELDS = {
    "playbook": {
        "role": "content | user | promotion | store | all: who runs it",
        "frequency": "daily | weekly | monthly | per-campaign | once | as-needed",
    },
    "article": {
        "site": "site or publication name",
        "published": "date the original was published",
        "status": "unread | reading | read | archived",
        "link_only": "true when the page could not be fetched yet",
        "summary_of_source": "true when the body summarises the source in our words",
    },
    "case": {
        "outcome": "what the actions did: {metric, before, after, unit, verdict}",
        "illustrative": "true when the numbers are illustrative, not real",
        "period": "when it happened, e.g. 2026-03",
        "signature": "what the numbers did: {moves: {UV: down}, dimension, shape, classes}",
    },
    "log": {  # the action log (kb/journal.py validates the values)
        "date": "when it happened, YYYY-MM-DD",
        "end": "last day of a range, YYYY-MM-DD (optional)",
        "segment": "what it touched, e.g. {channel: 抖音}; empty = the whole shop",
        "action": "budget | bid | price | listing | launch | campaign | release | tracking | "
        "platform-rule | outside | other",
        "status": "open | done",
        "owner": "who is responsible",
    },
}
REQUIRED = ("id", "kind", "title", "created")
LIST_FIELDS = ("problems", "metrics", "tags")
DATE_FIELDS = ("created", "updated", "published")
ORDER = ["id", "kind", "title", "summary", "problems", "metrics", "tags"]


# libyaml's C loader/dumper where available: parsing and saving thousands of files is YAML-bound.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Front matter in block style, one field a line, with short lists inline: [a, b]."""


_Dumper.add_representer(
    list, lambda d, data: d.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)


class _Loader(_SafeLoader):
    """Safe YAML that keeps timestamps as text, so a bad date is reported by field, not raised."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


class _Handler(frontmatter.YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        return yaml.load(fm, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


@dataclass
class FieldError:
    """One validation problem, located: which file, which field, what to do."""

    path: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: {self.field}" if self.field else self.path
        return f"{where}: {self.message}"


class DocumentError(ValueError):
    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class ConflictError(RuntimeError):
    """The file changed on disk after it was read: saving would lose someone's edit."""


@dataclass
class Document:
    id: str
    kind: str
    title: str
    body: str = ""
    problems: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    created: dt.date | None = None
    summary: str = ""
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)  # every front-matter field as written
    path: Path | None = None
    sha: str | None = None  # hash of the file text when read; used to detect conflicts

    def front_matter(self) -> dict[str, Any]:
        """Front matter to write: the typed fields plus any other known field in meta."""
        out = dict(self.meta)
        out.update(
            id=self.id,
            kind=self.kind,
            title=self.title,
            summary=self.summary,
            problems=list(self.problems),
            metrics=list(self.metrics),
            tags=list(self.tags),
            created=self.created,
            source=self.source,
        )
        ordered = {k: out[k] for k in ORDER if k in out}
        ordered.update({k: v for k, v in out.items() if k not in ordered})
        return {k: v for k, v in ordered.items() if v not in (None, "", [])}


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def allowed_fields(kind: str) -> dict[str, str]:
    return {**COMMON_FIELDS, **KIND_FIELDS.get(kind, {})}


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        value = value.strip()
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return dt.datetime.fromisoformat(value).date()
    raise ValueError(value)


def parse_document(text: str, path: str | Path = "<text>") -> Document:
    """Parse one document's text; raise DocumentError listing every problem found."""
    where = str(path)
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text.encode("utf-8")) > MAX_DOC_BYTES:
        raise DocumentError([FieldError(where, "", f"larger than {MAX_DOC_BYTES} bytes")])
    if not text.lstrip().startswith("---"):
        raise DocumentError(
            [FieldError(where, "", "no YAML front matter: start the file with a '---' block")]
        )
    try:
        post = frontmatter.loads(text, handler=_Handler())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 2}: " if mark else ""
        problem = getattr(exc, "problem", None) or exc
        msg = f"{line}front matter is not valid YAML ({problem})"
        raise DocumentError([FieldError(where, "", msg)]) from None
    meta = dict(post.metadata)
    errors: list[FieldError] = []
    kind = meta.get("kind")
    if kind is not None and kind not in KINDS:
        errors.append(FieldError(where, "kind", f"{kind!r} is not one of {', '.join(KINDS)}"))
    for name in REQUIRED:
        if meta.get(name) in (None, ""):
            errors.append(FieldError(where, name, "missing required field"))
    allowed = allowed_fields(kind) if kind in KINDS else COMMON_FIELDS
    for name in meta:
        if name not in allowed:
            errors.append(
                FieldError(where, name, f"unknown field; allowed: {', '.join(sorted(allowed))}")
            )
    doc_id = meta.get("id")
    if doc_id not in (None, ""):
        doc_id = str(doc_id)
        if len(doc_id) > ID_MAX or not ID_RE.match(doc_id):
            errors.append(
                FieldError(
                    where,
                    "id",
                    f"{doc_id!r} is not url-safe: use lowercase letters, digits, Chinese "
                    f"characters and single hyphens (at most {ID_MAX} characters)",
                )
            )
    for name in LIST_FIELDS:
        value = meta.get(name)
        if value is None:
            meta[name] = []
        elif isinstance(value, str):
            meta[name] = [value]
        elif not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            errors.append(FieldError(where, name, "must be a list of names, e.g. [a, b]"))
        else:
            meta[name] = [str(v) for v in value]
    for name in DATE_FIELDS:
        if meta.get(name) not in (None, ""):
            try:
                meta[name] = _as_date(meta[name])
            except (ValueError, TypeError):
                errors.append(
                    FieldError(where, name, f"{meta[name]!r} is not a date: write YYYY-MM-DD")
                )
    if kind == "log":
        from kb.journal import validate_fields  # late: kb.journal builds on this module

        errors.extend(validate_fields(meta, where))
    if errors:
        raise DocumentError(errors)
    return Document(
        id=doc_id,
        kind=kind,
        title=str(meta["title"]),
        body=post.content,
        problems=meta["problems"],
        metrics=meta["metrics"],
        tags=meta["tags"],
        created=meta.get("created"),
        summary=str(meta.get("summary") or ""),
        source=str(meta.get("source") or ""),
        meta=meta,
        path=Path(path) if path != "<text>" else None,
        sha=text_sha(text),
    )


def dump_document(doc: Document) -> str:
    post = frontmatter.Post(doc.body.strip() + "\n", **doc.front_matter())
    return (
        frontmatter.dumps(
            post,
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=False,
        )
        + "\n"
    )


def read_document(path: Path) -> Document:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            [FieldError(str(path), "", f"not UTF-8 text ({exc.reason}); save it as UTF-8")]
        ) from None
    return parse_document(text, path)


def document_path(config: Config, kind: str, doc_id: str) -> Path:
    """Where a document lives; refuses ids that could escape the content folder."""
    if kind not in KINDS:
        raise DocumentError([FieldError(doc_id, "kind", f"{kind!r} is not one of {KINDS}")])
    if not doc_id or len(doc_id) > ID_MAX or not ID_RE.match(doc_id):
        raise DocumentError(
            [FieldError(str(doc_id), "id", "not a safe id: lowercase letters, digits, hyphens")]
        )
    folder = (config.root / KIND_DIRS[kind]).resolve()
    path = (folder / f"{doc_id}.md").resolve()
    if path.parent != folder:
        raise DocumentError([FieldError(doc_id, "id", "id would leave the content folder")])
    return path


def atomic_write(path: Path, text: str) -> None:
    """Write via a temp file in the same folder + rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_document(config: Config, doc: Document, *, expected_sha: str | None = None) -> Path:
    """Validate and save atomically.

    ``expected_sha`` is the hash of the file as it was read (``doc.sha`` after loading). A new
    document passes None and is refused if a file with that id already exists; an edit is
    refused if the file on disk no longer has the expected hash (someone else changed it).
    """
    path = document_path(config, doc.kind, doc.id)
    text = dump_document(doc)
    parse_document(text, path)  # validate exactly what will be written
    if path.exists():
        current = text_sha(path.read_text(encoding="utf-8-sig"))
        if expected_sha is None:
            raise ConflictError(f"{path}: a document with id '{doc.id}' already exists")
        if current != expected_sha:
            raise ConflictError(
                f"{path}: the file changed on disk since you opened it; "
                "reload it and apply your edit again (your text was not saved)"
            )
    elif expected_sha is not None:
        raise ConflictError(f"{path}: the file was deleted or renamed since you opened it")
    atomic_write(path, text)
    doc.path, doc.sha = path, text_sha(text)
    return path


def delete_document(config: Config, doc: Document, *, expected_sha: str | None) -> None:
    path = document_path(config, doc.kind, doc.id)
    if path.exists() and text_sha(path.read_text(encoding="utf-8-sig")) != expected_sha:
        raise ConflictError(f"{path}: the file changed on disk; not deleted")
    path.unlink(missing_ok=True)


def iter_document_paths(config: Config):
    for kind in KINDS:
        folder = config.kind_dir(kind)
        if folder.is_dir():
            names = sorted(
                e.name
                for e in os.scandir(folder)
                if e.name.endswith(".md") and not e.name.startswith(".") and e.is_file()
            )
            yield from (folder / name for name in names)


@dataclass
class Collection:
    """All documents of a content root, with every problem found while loading them."""

    docs: dict[str, Document]
    errors: list[FieldError]

    def by_problem(self, problem_id: str) -> list[Document]:
        return [d for d in self.docs.values() if problem_id in d.problems]


def validate_links(doc: Document, taxonomy=None, metrics=None) -> list[FieldError]:
    """Cross-file rules: where the file is, known problem ids and metric names."""
    where = str(doc.path or doc.id)
    errors = []
    if doc.path is not None:
        if doc.path.stem != doc.id:
            errors.append(
                FieldError(where, "id", f"file name must be '{doc.id}.md' to match the id")
            )
        if doc.path.parent.name != KIND_DIRS[doc.kind]:
            errors.append(
                FieldError(where, "kind", f"a {doc.kind} belongs in {KIND_DIRS[doc.kind]}/")
            )
    if taxonomy is not None:
        for pid in doc.problems:
            if pid not in taxonomy:
                errors.append(
                    FieldError(where, "problems", f"unknown problem id '{pid}' (see problems.yaml)")
                )
    if metrics is not None:
        for name in doc.metrics:
            if metrics.resolve(name) is None:
                errors.append(
                    FieldError(where, "metrics", f"unknown metric '{name}' (see metrics.yaml)")
                )
    return errors


def load_collection(config: Config, taxonomy=None, metrics=None) -> Collection:
    docs: dict[str, Document] = {}
    errors: list[FieldError] = []
    for path in iter_document_paths(config):
        try:
            doc = read_document(path)
        except DocumentError as exc:
            errors.extend(exc.errors)
            continue
        errors.extend(validate_links(doc, taxonomy, metrics))
        if doc.id in docs:
            other = docs[doc.id].path
            errors.append(FieldError(str(path), "id", f"duplicate id '{doc.id}' (also in {other})"))
            continue
        docs[doc.id] = doc
    return Collection(docs, errors)
