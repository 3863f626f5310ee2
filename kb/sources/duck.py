"""DuckDB: a Parquet file (or glob) or a table in a .duckdb database, aggregated in DuckDB."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kb.sources import SourceSpec, err
from kb.sources.query import Plan, duck_sql, finish, quote


class DuckDBSource:
    def __init__(self, spec: SourceSpec, path: Path, metrics=None):
        self.spec, self.path, self.metrics = spec, path, metrics
        self.plan = Plan.of(spec)

    def describe(self) -> str:
        return f"duckdb:{self.path}" + (f"#{self.spec.table}" if self.spec.table else "")

    def _from(self) -> str:
        if self.path.suffix.lower() in (".duckdb", ".db"):
            if not self.spec.table:
                raise err(f"{self.path}: DuckDB 数据库需要 table", f"{self.path}: name the table")
            return quote(self.spec.table)
        return "read_parquet(?)"

    def fetch(self, start, end) -> pd.DataFrame:
        import duckdb

        database = self.path.suffix.lower() in (".duckdb", ".db")
        if (
            database
            and not self.path.exists()
            or not database
            and not any(self.path.parent.glob(self.path.name))
        ):
            raise err(f"{self.path}: 文件不存在", f"{self.path}: no such file")
        sql = duck_sql(self.plan, self._from())
        params = [] if database else [str(self.path)]
        params += [pd.Timestamp(start).date(), pd.Timestamp(end).date()]
        try:
            con = duckdb.connect(str(self.path) if database else ":memory:", read_only=database)
            try:
                frame = con.execute(sql, params).fetchdf()
            finally:
                con.close()
        except duckdb.Error as exc:
            raise err(
                f"{self.describe()}: 查询失败: {exc}", f"{self.describe()}: query failed: {exc}"
            ) from None
        return finish(frame, self.plan, self.metrics, self.describe())
