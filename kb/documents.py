"""Documents: Markdown files with YAML front matter (playbooks, articles, cases).

The files are the source of truth. This module parses them, validates the front matter with
messages that name the file and the field, and saves atomically without losing edits made on
disk in the meantime (optimistic concurrency on the content hash read earlier).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from kb import history
from kb.config import KIND_DIRS, KINDS, Config
from kb.store import atomic_write, clean_stale_temp, save_lock
from kb.yamlfile import YamlLimitError, bounded_load

__all__ = ["atomic_write"]  # kept importable from here for older callers
log = logging.getLogger(__name__)

MAX_DOC_BYTES = 2_000_000
MAX_FRONT_MATTER_BYTES = 100_000  # the largest bundled front matter is under 2 KB
# \Z, not $: "$" also matches before a final newline, and "x\n" must not become a file name.
ID_RE = re.compile(r"^[a-z0-9\u4e00-\u9fff]+(?:-[a-z0-9\u4e00-\u9fff]+)*\Z")
ID_MAX = 80
# Names Windows reserves for devices: a clone of the content repository on Windows breaks on them.
RESERVED_IDS = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10)]
)

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
    "state": "draft | published (absent = published); drafts stay out of search and lists",
    "sources": "list of links or descriptions backing platform-rule claims (see kb/freshness.py)",
    "reviewed": "date the facts were last checked, YYYY-MM-DD",
    "as_of": "date the document's facts describe, YYYY-MM-DD (optional)",
    "platform_rules": "true when the document states platform rules that change; needs sources",
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
        # the case library (kb/caselib.py; lists in data/case_library.yaml)
        "brand": "the brand the case is about",
        "industry": "one industry from data/case_library.yaml",
        "platforms": "platforms, e.g. [抖音, 小红书]",
        "objectives": "objectives, e.g. [拉新, 品牌声量]",
        "tactics": "tactics, e.g. [达人种草, 直播]",
        "budget": "budget band from data/case_library.yaml, where known",
        "results": "list of {metric, before, after, unit, source}",
        "source_article": "id of the article the case was written from",
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
DATE_FIELDS = ("created", "updated", "published", "reviewed", "as_of")
# Fields that hold one value (text, number, yes/no, date): a list or mapping there is an error.
SCALAR_FIELDS = ("id", "kind", "title", "summary", "source", "author", "state", "site", "status",
                 "link_only", "summary_of_source", "illustrative", "period", "role", "frequency",
                 *DATE_FIELDS)  # fmt: skip
STATES = ("draft", "published")
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


class FrontMatterHandler(frontmatter.YAMLHandler):
    """python-frontmatter's YAML handler, bounded: size, nesting depth, no aliases."""

    def load(self, fm: str, **kwargs: object) -> Any:
        # len() first: characters <= bytes, so short text skips the encode
        if len(fm) > MAX_FRONT_MATTER_BYTES // 4 and len(fm.encode()) > MAX_FRONT_MATTER_BYTES:
            raise YamlLimitError(f"larger than {MAX_FRONT_MATTER_BYTES} bytes")
        return bounded_load(fm, _Loader)


_Handler = FrontMatterHandler


@dataclass
class FieldError:
    """One validation problem, located: which file, which field, what to do."""

    path: str
    field: str
    message: str  # English: logs, `kb check`, tests
    zh: str = ""  # the same in Chinese, where written (the UI picks with get(lang))

    def __str__(self) -> str:
        where = f"{self.path}: {self.field}" if self.field else self.path
        return f"{where}: {self.message}"

    def get(self, lang: str = "zh") -> str:
        """The message in ``lang`` (English where no Chinese was written)."""
        return self.zh if lang == "zh" and self.zh else self.message


class DocumentError(ValueError):
    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))

    def get(self, lang: str = "zh") -> str:
        """Every problem in ``lang``, one a line, each with its field."""
        return "\n".join(
            f"{e.field}: {e.get(lang)}" if e.field else e.get(lang) for e in self.errors
        )


class ConflictError(RuntimeError):
    """Saving would lose someone's edit (or reuse an id); nothing was written.

    ``code`` says why: ``exists`` (a new document's id is taken in its folder), ``exists_elsewhere``
    (taken by a document of another kind: ``other`` is that file), ``changed`` (the file changed
    since it was read), ``deleted`` (it was removed since). ``theirs`` is the text on disk with
    its hash ``theirs_sha`` (None when there is no file), ``mine`` the text that was not saved:
    the UI shows both and lets the user keep one or merge them.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "changed",
        path: Path | None = None,
        mine: str | None = None,
        theirs: str | None = None,
        other: Path | None = None,
    ):
        super().__init__(message)
        self.code, self.path, self.mine, self.theirs, self.other = code, path, mine, theirs, other
        self.theirs_sha = text_sha(theirs) if theirs is not None else None


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

    @property
    def is_draft(self) -> bool:
        """Drafts stay out of search, related documents, problem pages and similar cases."""
        return self.meta.get("state") == "draft"

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


def _short(value: Any, limit: int = 60) -> str:
    """A value for a message: repr cut short (a field may hold a huge hostile string)."""
    text = repr(value) if isinstance(value, (str, int, float, bool)) else type(value).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _field_name(name: Any) -> str:
    return name if isinstance(name, str) and len(name) <= 60 else _short(name)


def id_problem(doc_id: str) -> str | None:
    """Why ``doc_id`` cannot be an id (None when it can): the file name is ``<id>.md``."""
    found = id_problem_text(doc_id)
    return found[0] if found else None


def id_problem_text(doc_id: str) -> tuple[str, str] | None:
    """(English, Chinese) reason why ``doc_id`` cannot be an id; None when it can."""
    if len(doc_id) > ID_MAX or not ID_RE.match(doc_id):
        return (
            f"{_short(doc_id)} is not url-safe: use lowercase letters, digits, Chinese "
            f"characters and single hyphens (at most {ID_MAX} characters)",
            f"{_short(doc_id)} 不能作为 id: 只用小写字母、数字、汉字和单个连字符 "
            f"(最多 {ID_MAX} 个字符)",
        )
    if doc_id in RESERVED_IDS:
        return (
            f"{doc_id!r} is a name Windows reserves for a device: choose another id",
            f"{doc_id!r} 是 Windows 保留的设备名, 请换一个 id",
        )
    return None


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
        raise DocumentError(
            [
                FieldError(
                    where, "", f"larger than {MAX_DOC_BYTES} bytes", f"超过 {MAX_DOC_BYTES} 字节"
                )
            ]
        )
    if not text.lstrip().startswith("---"):
        raise DocumentError(
            [
                FieldError(
                    where,
                    "",
                    "no YAML front matter: start the file with a '---' block",
                    "没有 YAML 文件头: 文件要以 '---' 开头的一段开始",
                )
            ]
        )
    try:
        post = frontmatter.loads(text, handler=_Handler())
    except YamlLimitError as exc:
        line = f"line {exc.line}: " if exc.line else ""  # fm starts after "---": same numbering
        zh_line = f"第 {exc.line} 行: " if exc.line else ""
        raise DocumentError(
            [
                FieldError(
                    where, "", f"{line}front matter {exc.problem}", f"{zh_line}文件头 {exc.problem}"
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""  # fm starts after "---": +1 only
        problem = getattr(exc, "problem", None) or exc
        msg = f"{line}front matter is not valid YAML ({problem})"
        zh_line = f"第 {mark.line + 1} 行: " if mark else ""
        zh = f"{zh_line}文件头不是有效的 YAML ({problem}); 中文里的冒号和逗号请用全角"
        raise DocumentError([FieldError(where, "", msg, zh)]) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a 50,000-digit number
        msg = f"front matter has a value that cannot be read ({_short(str(exc), 120)})"
        raise DocumentError([FieldError(where, "", msg)]) from None
    meta = dict(post.metadata)
    errors: list[FieldError] = []
    not_scalar = set()
    for name in SCALAR_FIELDS:
        if isinstance(meta.get(name), (list, dict)):
            not_scalar.add(name)
            shape = "a list" if isinstance(meta[name], list) else "a mapping"
            zh_shape = "列表" if isinstance(meta[name], list) else "映射"
            errors.append(
                FieldError(
                    where,
                    name,
                    f"must be one value, not {shape}",
                    f"只能写一个值, 不能是{zh_shape}",
                )
            )
            meta.pop(name)
    kind = meta.get("kind")
    if kind is not None and kind not in KINDS:
        errors.append(
            FieldError(
                where,
                "kind",
                f"{_short(kind)} is not one of {', '.join(KINDS)}",
                f"{_short(kind)} 不是 {', '.join(KINDS)} 之一",
            )
        )
    state = meta.get("state")
    if state is not None and state not in STATES:
        errors.append(
            FieldError(
                where,
                "state",
                f"{_short(state)} is not one of draft, published",
                f"{_short(state)} 不是 draft (草稿) 或 published (已发布)",
            )
        )
    for name in REQUIRED:
        if meta.get(name) in (None, "") and name not in not_scalar:
            errors.append(FieldError(where, name, "missing required field", "必填字段没有填写"))
    allowed = allowed_fields(kind) if kind in KINDS else COMMON_FIELDS
    for name in meta:
        if name not in allowed:
            errors.append(
                FieldError(
                    where,
                    _field_name(name),
                    f"unknown field; allowed: {', '.join(sorted(allowed))}",
                    f"未知字段; 可用的字段: {', '.join(sorted(allowed))}",
                )
            )
    doc_id = meta.get("id")
    if doc_id not in (None, ""):
        doc_id = str(doc_id)
        problem = id_problem_text(doc_id)
        if problem:
            errors.append(FieldError(where, "id", *problem))
    for name in LIST_FIELDS:
        value = meta.get(name)
        if value is None:
            meta[name] = []
        elif isinstance(value, str):
            meta[name] = [value]
        elif not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            errors.append(
                FieldError(
                    where,
                    name,
                    "must be a list of names, e.g. [a, b]",
                    "要写成名称列表, 例如 [a, b]",
                )
            )
        else:
            meta[name] = [str(v) for v in value]
    for name in DATE_FIELDS:
        if meta.get(name) not in (None, ""):
            try:
                meta[name] = _as_date(meta[name])
            except (ValueError, TypeError):
                errors.append(
                    FieldError(
                        where,
                        name,
                        f"{_short(meta[name])} is not a date: write YYYY-MM-DD",
                        f"{_short(meta[name])} 不是日期: 请写成 YYYY-MM-DD",
                    )
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
        size = Path(path).stat().st_size
        if size > MAX_DOC_BYTES + 3:  # + a BOM; never read a huge file into memory to refuse it
            raise DocumentError([FieldError(str(path), "", f"larger than {MAX_DOC_BYTES} bytes")])
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
    problem = id_problem(doc_id) if isinstance(doc_id, str) and doc_id else "missing id"
    if problem:
        raise DocumentError([FieldError(_short(doc_id), "id", problem)])
    folder = (config.root / KIND_DIRS[kind]).resolve()
    path = (folder / f"{doc_id}.md").resolve()
    if path.parent != folder:
        raise DocumentError([FieldError(doc_id, "id", "id would leave the content folder")])
    return path


def _read_current(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:  # not ours to judge here: compare bytes-as-text
        return path.read_bytes().decode("utf-8", errors="replace")


def id_elsewhere(config: Config, doc_id: str, kind: str) -> Path | None:
    """The file of another kind using ``doc_id`` (ids are unique across kinds), if any."""
    for other in KINDS:
        if other != kind:
            path = config.kind_dir(other) / f"{doc_id}.md"
            if path.exists():
                return path
    return None


def _check_expected(config, doc, path, current, expected_sha, mine) -> None:
    """Compare-and-swap precondition; raises ConflictError with both versions."""
    if expected_sha is None:
        if current is not None:
            raise ConflictError(
                f"{path}: a document with id '{doc.id}' already exists",
                code="exists",
                path=path,
                mine=mine,
                theirs=current,
            )
        other = id_elsewhere(config, doc.id, doc.kind)
        if other is not None:
            raise ConflictError(
                f"{path}: the id '{doc.id}' is already used by {other} (ids are unique across "
                "kinds): choose another id",
                code="exists_elsewhere",
                path=path,
                mine=mine,
                other=other,
            )
    elif current is None:
        raise ConflictError(
            f"{path}: the file was deleted or renamed since you opened it",
            code="deleted",
            path=path,
            mine=mine,
        )
    elif text_sha(current) != expected_sha:
        raise ConflictError(
            f"{path}: the file changed on disk since you opened it; your text was not saved",
            code="changed",
            path=path,
            mine=mine,
            theirs=current,
        )


def save_document(
    config: Config,
    doc: Document,
    *,
    expected_sha: str | None = None,
    author: str | None = None,
    message: str | None = None,
) -> Path:
    """Validate and save atomically; the one way a document is written.

    ``expected_sha`` is the hash of the file as it was read (``doc.sha`` after loading). A new
    document passes None and is refused if its id exists in any kind's folder; an edit is
    refused if the file on disk no longer has the expected hash (someone else changed it). The
    check and the write happen under the content root's save lock, so two processes saving from
    the same version never both succeed. The loser gets ConflictError with both texts.
    """
    path = document_path(config, doc.kind, doc.id)
    text = dump_document(doc)
    parse_document(text, path)  # validate exactly what will be written
    with save_lock(config.root):
        clean_stale_temp(path.parent)
        current = _read_current(path)
        _check_expected(config, doc, path, current, expected_sha, text)
        if current is not None:
            _snapshot(config, path, text_sha(current))
        try:
            atomic_write(path, text, exclusive=expected_sha is None)
        except FileExistsError:  # created by a writer outside OpsKB meanwhile
            raise ConflictError(
                f"{path}: a document with id '{doc.id}' already exists",
                code="exists",
                path=path,
                mine=text,
                theirs=_read_current(path),
            ) from None
        _record(
            config,
            path,
            author,
            message or f"Save {doc.id}",
            new=current is None,
            sha=text_sha(text),
        )
    doc.path, doc.sha = path, text_sha(text)
    return path


def delete_document(
    config: Config, doc: Document, *, expected_sha: str | None, author: str | None = None
) -> None:
    """Delete if unchanged since read (ConflictError otherwise); history keeps the old text."""
    path = document_path(config, doc.kind, doc.id)
    with save_lock(config.root):
        current = _read_current(path)
        if current is not None and text_sha(current) != expected_sha:
            raise ConflictError(
                f"{path}: the file changed on disk; not deleted",
                code="changed",
                path=path,
                theirs=current,
            )
        if current is not None:
            _snapshot(config, path, text_sha(current))
        path.unlink(missing_ok=True)
        if current is not None:
            _record(config, path, author, f"Delete {doc.id}")


def _snapshot(config: Config, path: Path, sha: str) -> None:
    try:
        history.snapshot(config, path, sha)
    except (history.HistoryError, OSError, subprocess.SubprocessError) as exc:
        log.warning("history: could not keep the earlier version of %s: %s", path, exc)


def _record(
    config: Config, path: Path, author: str | None, message: str, *, new=False, sha=None
) -> None:
    """Keep a revision of ``path`` (inside the save lock); the save stands if git refuses."""
    try:
        history.record(config, path, author, message, new=new, sha=sha)
    except (history.HistoryError, OSError, subprocess.SubprocessError) as exc:
        log.warning("history: %s was saved but not committed: %s", path, exc)


def restore_revision(
    config: Config, kind: str, doc_id: str, rev: str, *, expected_sha: str | None, author=None
) -> Document:
    """Save an earlier revision as the newest one (a new commit: nothing is rewritten).

    ``expected_sha``: the hash of the current file as shown (None when it was deleted).
    """
    path = document_path(config, kind, doc_id)
    text = history.text_at(config, path, rev)
    if text is None:
        raise DocumentError([FieldError(str(path), "", f"no revision {rev[:12]} of this file")])
    doc = parse_document(text, path)
    save_document(
        config,
        doc,
        expected_sha=expected_sha,
        author=author,
        message=f"Restore {doc_id} to {rev[:8]}",
    )
    return doc


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

    def by_problem(self, problem_id: str, drafts: bool = False) -> list[Document]:
        """Documents linked to a problem type; drafts only when asked for."""
        return [
            d for d in self.docs.values() if problem_id in d.problems and (drafts or not d.is_draft)
        ]

    def is_draft(self, doc_id: str) -> bool:
        doc = self.docs.get(doc_id)
        return doc is not None and doc.is_draft


def validate_links(doc: Document, taxonomy=None, metrics=None) -> list[FieldError]:
    """Cross-file rules: where the file is, known problem ids and metric names."""
    where = str(doc.path or doc.id)
    errors = []
    if doc.path is not None:
        if doc.path.stem != doc.id:
            errors.append(
                FieldError(
                    where,
                    "id",
                    f"file name must be '{doc.id}.md' to match the id",
                    f"文件名要和 id 一致: '{doc.id}.md'",
                )
            )
        if doc.path.parent.name != KIND_DIRS[doc.kind]:
            errors.append(
                FieldError(
                    where,
                    "kind",
                    f"a {doc.kind} belongs in {KIND_DIRS[doc.kind]}/",
                    f"{doc.kind} 类文档要放在 {KIND_DIRS[doc.kind]}/ 文件夹",
                )
            )
    if taxonomy is not None:
        for pid in doc.problems:
            if pid not in taxonomy:
                errors.append(
                    FieldError(
                        where,
                        "problems",
                        f"unknown problem id '{pid}' (see problems.yaml)",
                        f"未知的问题类型 id '{pid}' (见 data/problems.yaml)",
                    )
                )
    if metrics is not None:
        for name in doc.metrics:
            if metrics.resolve(name) is None:
                errors.append(
                    FieldError(
                        where,
                        "metrics",
                        f"unknown metric '{name}' (see metrics.yaml)",
                        f"未知指标 '{name}' (见 data/metrics.yaml)",
                    )
                )
    return errors


def load_collection(config: Config, taxonomy=None, metrics=None) -> Collection:
    for kind in KINDS:  # a (re)load is a sync: drop temp files of saves killed long ago
        clean_stale_temp(config.kind_dir(kind))
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
            errors.append(
                FieldError(
                    str(path),
                    "id",
                    f"duplicate id '{doc.id}' (also in {other})",
                    f"id '{doc.id}' 重复 (也在 {other} 中)",
                )
            )
            continue
        docs[doc.id] = doc
    return Collection(docs, errors)
