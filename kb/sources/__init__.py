"""Where the morning review reads its numbers: a folder of exports, DuckDB, or a SQL database.

Every source answers one question, ``fetch(start, end)``: a tidy frame with one row per date and
dimension values (``date``, the dimensions, the measures, canonical names), already aggregated.
The heavy part (GROUP BY date and dimensions) runs where the data lives: in DuckDB for big files,
in the database for SQL sources, so only aggregates travel. The configuration is the ``source:``
block of ``daily.yaml`` in the content root; it holds no secrets (a database URL comes from an
environment variable named there).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kb.problems import Text
from kb.yamlfile import DataError

SOURCE_TYPES = ("folder", "duckdb", "sql")


class SourceError(DataError):
    """The source cannot be read (down, missing, misconfigured); the message says which and why."""

    def __init__(self, text: Text):
        self.text = text
        super().__init__(text.en)


def err(zh: str, en: str) -> SourceError:
    return SourceError(Text(zh, en))


@dataclass(frozen=True)
class SourceSpec:
    """The ``source:`` block of daily.yaml, validated."""

    type: str = "folder"
    path: str = ""  # folder / duckdb: relative to the content root (a glob for Parquet files)
    table: str = ""  # duckdb database or SQL: the table or view (one row per date x dimensions)
    url_env: str = ""  # SQL: the environment variable holding the SQLAlchemy URL
    date: str = "date"  # duckdb / SQL: the date column
    dimensions: dict[str, str] = field(default_factory=dict)  # canonical name -> column
    measures: dict[str, str] = field(default_factory=dict)  # canonical metric -> column
    schema: str | None = None


def parse_source(raw: object, where: str = "daily.yaml: source") -> SourceSpec:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise DataError(f"{where}: expected a mapping (type, path, ...)")
    kind = str(raw.get("type", "folder"))
    if kind not in SOURCE_TYPES:
        raise DataError(f"{where}: type {kind!r} is not one of {', '.join(SOURCE_TYPES)}")
    unknown = set(raw) - set(SourceSpec.__dataclass_fields__)
    if unknown:
        raise DataError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for name in ("dimensions", "measures"):
        value = raw.get(name) or {}
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise DataError(f"{where}: {name} must map names to column names, e.g. {{UV: uv}}")
    spec = SourceSpec(
        type=kind,
        path=str(raw.get("path") or ""),
        table=str(raw.get("table") or ""),
        url_env=str(raw.get("url_env") or ""),
        date=str(raw.get("date") or "date"),
        dimensions=dict(raw.get("dimensions") or {}),
        measures=dict(raw.get("measures") or {}),
        schema=raw.get("schema"),
    )
    if kind in ("folder", "duckdb") and not spec.path:
        raise DataError(f"{where}: a {kind} source needs 'path'")
    if kind == "sql" and not (spec.url_env and spec.table):
        raise DataError(
            f"{where}: a sql source needs 'url_env' (an environment variable) and 'table'"
        )
    if kind in ("duckdb", "sql") and not spec.measures:
        raise DataError(f"{where}: list the measures to read, e.g. measures: {{UV: uv, GMV: gmv}}")
    return spec


def resolve_path(root: Path, text: str) -> Path:
    path = Path(os.path.expanduser(text))
    return path if path.is_absolute() else Path(root) / path


def open_source(spec: SourceSpec, root: Path, metrics, vocab):
    """The reader for a spec: FolderSource, DuckDBSource or SQLSource."""
    if spec.type == "folder":
        from kb.sources.folder import FolderSource

        return FolderSource(resolve_path(root, spec.path), metrics, vocab, root)
    if spec.type == "duckdb":
        from kb.sources.duck import DuckDBSource

        return DuckDBSource(spec, resolve_path(root, spec.path), metrics)
    from kb.sources.sql import SQLSource

    return SQLSource(spec, metrics)


def tidy(frame: pd.DataFrame, dims: list[str], measures: list[str]) -> pd.DataFrame:
    """Canonical column order and types: date as datetime64, dimensions as text, floats."""
    frame = frame.copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
    for d in dims:
        frame[d] = frame[d].astype("string").fillna("(空)").astype(str)
    for m in measures:
        frame[m] = pd.to_numeric(frame[m], errors="coerce").astype("float64")
    return frame[["date", *dims, *measures]].sort_values(["date", *dims]).reset_index(drop=True)
