"""The one aggregate query every database source runs: GROUP BY date and dimensions.

Distinct counts (UV, 买家数 …; ``distinct: true`` in the metric tree) cannot be summed over a
grain finer than date x dimensions, so the query also counts the rows behind each group: more
than one row per group with a distinct measure configured is refused, never summed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kb.sources import SourceSpec, err, tidy

ROWS = "__rows"


@dataclass(frozen=True)
class Plan:
    """Column names in, canonical names out, in a fixed order."""

    date: str
    dims: list[tuple[str, str]]  # (canonical, column)
    measures: list[tuple[str, str]]

    @classmethod
    def of(cls, spec: SourceSpec) -> Plan:
        return cls(spec.date, list(spec.dimensions.items()), list(spec.measures.items()))


def quote(name: str) -> str:
    """A SQL identifier in double quotes (DuckDB and PostgreSQL), embedded quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def duck_sql(plan: Plan, source_sql: str) -> str:
    """The GROUP BY statement for DuckDB over ``source_sql`` (a quoted table or read_parquet)."""
    day = f"CAST({quote(plan.date)} AS DATE)"
    cols = [f"{day} AS date"]
    cols += [f"CAST({quote(col)} AS VARCHAR) AS {quote(name)}" for name, col in plan.dims]
    cols += [f"SUM({quote(col)}) AS {quote(name)}" for name, col in plan.measures]
    cols.append(f"COUNT(*) AS {ROWS}")
    keys = [day, *(quote(col) for _, col in plan.dims)]
    return (
        f"SELECT {', '.join(cols)} FROM {source_sql} "
        f"WHERE {day} BETWEEN ? AND ? GROUP BY {', '.join(keys)}"
    )


def finish(frame: pd.DataFrame, plan: Plan, metrics, where: str) -> pd.DataFrame:
    """Check the grain, drop the row counter, canonical types."""
    dims = [name for name, _ in plan.dims]
    measures = [name for name, _ in plan.measures]
    if not frame.empty and int(frame[ROWS].max()) > 1:
        distinct = [m for m in measures if _distinct(metrics, m)]
        if distinct:
            raise err(
                f"{where}: 每个日期×维度有多行数据, 去重指标 {', '.join(distinct)} 不能相加; "
                "请指向每个日期×维度一行的视图, 或在 dimensions 中补上缺少的维度",
                f"{where}: several rows per date and dimensions; distinct counts "
                f"({', '.join(distinct)}) cannot be summed: point the source at a view with one "
                "row per date x dimensions, or add the missing dimension",
            )
    return tidy(frame.drop(columns=[ROWS]), dims, measures)


def _distinct(metrics, name: str) -> bool:
    m = metrics.metrics.get(name) if metrics is not None else None
    return bool(getattr(m, "distinct", False)) or name in DISTINCT_FALLBACK


# Until every metric tree marks them: the distinct counts every tree has.
DISTINCT_FALLBACK = frozenset({"UV", "买家数", "活跃用户数", "DAU", "加购人数"})
