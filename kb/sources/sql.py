"""Any SQL database through SQLAlchemy; the GROUP BY runs in the database.

The URL (with its password) comes from the environment variable named in daily.yaml, never
from the file. The statement is built with SQLAlchemy Core, so table and column names from the
configuration are quoted identifiers, not pasted SQL.
"""

from __future__ import annotations

import os

import pandas as pd

from kb.sources import SourceSpec, err
from kb.sources.query import ROWS, Plan, finish

CONNECT_TIMEOUT_S = 10


class SQLSource:
    def __init__(self, spec: SourceSpec, metrics=None):
        self.spec, self.metrics = spec, metrics
        self.plan = Plan.of(spec)

    def describe(self) -> str:
        return f"sql:{self.spec.url_env}#{self.spec.table}"

    def url(self) -> str:
        url = os.environ.get(self.spec.url_env, "")
        if not url:
            raise err(
                f"环境变量 {self.spec.url_env} 未设置: 请把数据库连接串 (SQLAlchemy URL) 放在这里",
                f"environment variable {self.spec.url_env} is not set: put the database URL "
                "(SQLAlchemy form) there",
            )
        return url

    def statement(self, start, end):
        import sqlalchemy as sa

        p = self.plan
        names = [p.date, *(c for _, c in p.dims), *(c for _, c in p.measures)]
        table = sa.table(self.spec.table, *(sa.column(n) for n in dict.fromkeys(names)))
        if self.spec.schema:
            table.schema = self.spec.schema
        day = sa.cast(table.c[p.date], sa.Date)
        dims = [table.c[col] for _, col in p.dims]
        cols = [day.label("date")]
        cols += [table.c[col].label(name) for name, col in p.dims]
        cols += [sa.func.sum(table.c[col]).label(name) for name, col in p.measures]
        cols.append(sa.func.count().label(ROWS))
        return (
            sa.select(*cols)
            .where(day >= pd.Timestamp(start).date(), day <= pd.Timestamp(end).date())
            .group_by(day, *dims)
        )

    def fetch(self, start, end) -> pd.DataFrame:
        import sqlalchemy as sa

        url = self.url()
        try:
            engine = sa.create_engine(url, connect_args=_connect_args(url))
        except Exception as exc:  # noqa: BLE001 - a bad URL or a missing driver
            raise err(
                f"{self.spec.url_env}: 连接串无效: {exc}", f"{self.spec.url_env}: bad URL: {exc}"
            ) from None
        try:
            with engine.connect() as con:
                frame = pd.DataFrame(con.execute(self.statement(start, end)).mappings().all())
        except sa.exc.OperationalError as exc:
            raise err(
                f"数据库无法连接 ({self.describe()}): {_first_line(exc)}",
                f"cannot reach the database ({self.describe()}): {_first_line(exc)}",
            ) from None
        except sa.exc.SQLAlchemyError as exc:
            raise err(
                f"查询失败 ({self.describe()}): {_first_line(exc)}",
                f"query failed ({self.describe()}): {_first_line(exc)}",
            ) from None
        finally:
            engine.dispose()
        if frame.empty:
            names = ["date", *(n for n, _ in self.plan.dims), *(n for n, _ in self.plan.measures)]
            frame = pd.DataFrame(columns=[*names, ROWS])
        return finish(frame, self.plan, self.metrics, self.describe())


def _connect_args(url: str) -> dict:
    if url.startswith(("postgresql", "mysql")):
        return {"connect_timeout": CONNECT_TIMEOUT_S}
    return {}


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
