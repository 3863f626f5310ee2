"""Metrics files (CSV in UTF-8 / UTF-8-BOM / GBK, or Excel) -> one tidy table.

Headers are mapped to canonical names (metric tree aliases, data/dimensions.yaml); unknown
numeric columns are kept as custom measures and unknown text columns as custom dimensions.
Every error names the column and the file row (the header is row 1), because the person
fixing it has the file open in Excel, not this code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kb.diagnosis.cells import (  # noqa: F401 - re-exported: the loader's public names
    EMPTY,
    _code_text,
    _code_values,
    _looks_numeric,
    _repeats_across_dates,
    is_code_header,
    parse_dates,
    parse_numbers,
)
from kb.diagnosis.dimensions import DimensionVocabulary
from kb.diagnosis.messages import (  # noqa: F401
    _FILE_ROWS,
    _HEADER_ROW,
    DiagnosisInputError,
    InputWarning,
    _row,
)
from kb.diagnosis.read import HEAD_ROWS, find_header_row, read_raw  # noqa: F401
from kb.metrics import MetricTree

DATE = "date"


@dataclass
class Table:
    """A tidy metrics table: one row per date and dimension combination."""

    frame: pd.DataFrame  # columns: date, *dimensions, *measures
    dimensions: list[str]
    measures: list[str]  # canonical measures first, then custom ones
    custom: list[str] = field(default_factory=list)  # measures not in the metric tree
    freq_days: int = 1  # 1 = daily rows, 7 = weekly rows
    columns: dict[str, str] = field(default_factory=dict)  # header as written -> name used
    notes: list[str] = field(default_factory=list)
    source: str = "<data>"
    warnings: list[InputWarning] = field(default_factory=list)
    # display: a dimension's header as the file wrote it, and each value as the file wrote it
    # (the frame holds canonical values so matching works on 推荐 whether the file says
    # 手淘推荐 or 猜你喜欢; people read their own words)
    dim_labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def dates(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.frame[DATE].unique()).sort_values()

    def dim_label(self, dim: str) -> str:
        return self.dim_labels.get(dim, dim)

    def value_label(self, dim: str, value) -> str:
        return self.value_labels.get(dim, {}).get(str(value), str(value))

    def segment_text(self, segment: dict, sep: str = " · ", with_dims: bool = False) -> str:
        parts = [
            (
                f"{self.dim_label(d)}={self.value_label(d, v)}"
                if with_dims
                else self.value_label(d, v)
            )
            for d, v in segment.items()
        ]
        return sep.join(parts)


class FileLabels:
    """The dimension vocabulary seen through one file: a dimension is labelled with the file's
    header and a value with the file's spelling (reports, summaries); everything else, such
    as value classes for matching, comes from the vocabulary itself."""

    def __init__(self, vocab, table: Table):
        self._vocab, self._table = vocab, table

    def label(self, name: str, lang: str = "zh") -> str:
        if name in self._table.dim_labels:
            return self._table.dim_labels[name]
        return self._vocab.label(name, lang) if self._vocab is not None else name

    def value_label(self, dim: str, value) -> str:
        return self._table.value_label(dim, value)

    def __getattr__(self, attr):
        if attr.startswith("_"):  # copy/pickle probe before __init__ ran: no recursion
            raise AttributeError(attr)
        return getattr(self._vocab, attr)


def remap_columns(
    frame: pd.DataFrame, mapping: dict[str, str], name: str, ignore: str = "__ignore__"
) -> pd.DataFrame:
    """Rename headers as a person mapped them (header -> metric, dimension or the date; the
    ``ignore`` target drops a column). Headers not in ``mapping`` keep their own name."""
    keep = [c for c in frame.columns if mapping.get(str(c), str(c)) != ignore]
    renamed = frame[keep].rename(columns={c: mapping.get(str(c), str(c)) for c in keep})
    renamed.attrs = dict(frame.attrs)
    renamed.attrs["written"] = {mapping.get(str(c), str(c)): str(c) for c in keep}
    dups = renamed.columns[renamed.columns.duplicated()]
    if len(dups):
        sources = [str(c) for c in keep if mapping.get(str(c), str(c)) == dups[0]]
        raise DiagnosisInputError(
            f"{name}: 列 {', '.join(sources)} 都映射到了 '{dups[0]}', 请只保留一列",
            f"{name}: columns {', '.join(sources)} are all mapped to '{dups[0]}'; keep one",
        )
    return renamed


def _find_date_column(frame: pd.DataFrame, vocab: DimensionVocabulary, name: str) -> str:
    for col in frame.columns:
        if vocab.is_date(str(col)):
            return col
    for col in frame.columns[:1]:  # a first column of dates under another header is common
        values = frame[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            return col
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            head = values.dropna().astype(str).head(50)
            parsed = pd.to_datetime(
                head.str.replace("/", "-"), errors="coerce", format="mixed", dayfirst=False
            )
            if len(head) and parsed.notna().mean() >= 0.9:
                return col
    raise DiagnosisInputError(
        f"{name}: 没有日期列; 请加一列 '日期' 或 'date' (找到的列: {', '.join(map(str, frame.columns))})",
        f"{name}: no date column; add a column '日期' or 'date' (columns found: "
        f"{', '.join(map(str, frame.columns))})",
    )


def load_table(
    source,
    metrics: MetricTree,
    vocab: DimensionVocabulary,
    sheet=None,
    dims=(),
    measures=(),
) -> Table:
    """Read a metrics file (path, bytes, file-like or DataFrame) into a validated Table.

    ``dims`` / ``measures``: headers the user says are dimensions / measures (the mapping
    step's flip, the CLI's --dims / --measures); they win over the guess."""
    if isinstance(source, pd.DataFrame):
        raw, name = source.reset_index(drop=True), "<data>"
        raw.attrs = dict(source.attrs)
    else:
        raw, name = read_raw(source, sheet, metrics, vocab)
    attrs = dict(raw.attrs)
    token = _HEADER_ROW.set(int(attrs.get("header_row") or 1))
    try:
        return _load_table(raw, name, attrs, metrics, vocab, dims, measures)
    finally:
        _HEADER_ROW.reset(token)


def _load_table(raw, name, attrs, metrics, vocab, dims, measures) -> Table:
    raw = raw.dropna(how="all")
    raw = raw.loc[:, [not str(c).startswith("Unnamed:") or raw[c].notna().any() for c in raw]]
    raw, totals = _drop_totals(raw, vocab)
    rows = raw.index.to_numpy() if attrs.get("file_rows") else None
    raw = raw.reset_index(drop=True)
    if raw.empty:
        raise DiagnosisInputError(f"{name}: 没有数据行", f"{name}: no data rows")
    token = _FILE_ROWS.set(rows)
    try:
        table = _build(raw, name, attrs, metrics, vocab, dims, measures)
    finally:
        _FILE_ROWS.reset(token)
    if totals:
        table.notes.append(
            f"跳过了 {totals} 行合计/总计 (skipped {totals} total row(s): the diagnosis sums "
            f"the rows itself)"
        )
    return table


TOTAL_WORDS = {"合计", "总计", "汇总", "小计", "全部", "total", "sum", "grand total", "subtotal"}


def _drop_totals(raw: pd.DataFrame, vocab) -> tuple[pd.DataFrame, int]:
    """Exports often end (or start) with a 合计 row; summed again it would double the numbers.
    A row whose date cell is such a word is dropped and counted."""
    col = next((c for c in raw.columns if vocab.is_date(str(c))), raw.columns[0])
    values = raw[col]
    if pd.api.types.is_datetime64_any_dtype(values):
        return raw, 0
    codes, uniques = pd.factorize(values)  # a few hundred dates, not a million cells
    words = pd.Series(uniques, dtype=object).astype(str).str.strip().str.rstrip(":：")
    is_total = np.append(words.str.casefold().isin(TOTAL_WORDS).to_numpy(), False)
    total = is_total[codes]  # code -1 (empty) picks the appended False
    return (raw[~total], int(total.sum())) if total.any() else (raw, 0)


def _build(raw, name, attrs, metrics, vocab, dims, measures) -> Table:
    force_dim = {str(x).strip() for x in dims}
    force_measure = {str(x).strip() for x in measures}
    unknown = (force_dim | force_measure) - {str(c) for c in raw.columns}
    if unknown:
        cols = ", ".join(map(str, raw.columns))
        raise DiagnosisInputError(
            f"{name}: 没有列 {', '.join(sorted(unknown))} (文件的列: {cols})",
            f"{name}: no column {', '.join(sorted(unknown))} (the file's columns: {cols})",
        )
    date_col = _find_date_column(raw, vocab, name)
    out: dict[str, pd.Series] = {DATE: parse_dates(raw[date_col], str(date_col), name)}
    columns: dict[str, str] = {str(date_col): DATE}
    notes: list[str] = list(attrs.get("notes") or [])
    warnings: list[InputWarning] = list(attrs.get("warnings") or [])
    dim_cols: dict[str, object] = {}  # dimension name -> column
    measure_list: list[str] = []
    custom: list[str] = []
    codes_maybe: list[str] = []  # whole-number custom columns that may be codes
    ratios: dict[str, tuple[pd.Series, bool, str]] = {}
    for col in raw.columns:
        if col == date_col:
            continue
        header = str(col).strip()
        metric = None if header in force_dim else metrics.resolve(header)
        dim = None if metric or header in force_measure else vocab.resolve(header)
        if header in force_dim and dim is None:
            dim = header
        if metric and metric in out or dim and dim in out:
            raise DiagnosisInputError(
                f"{name}: 列 '{header}' 与另一列都表示 '{metric or dim}', 请只保留一列",
                f"{name}: column '{header}' duplicates another column for '{metric or dim}'; "
                f"keep one",
            )
        if metric and metrics[metric].is_ratio:
            numbers, was_percent = parse_numbers(raw[col], header, name, warnings)
            ratios[metric] = (numbers, was_percent, header)
            columns[header] = metric
        elif metric:
            out[metric] = parse_numbers(raw[col], header, name, warnings)[0]
            measure_list.append(metric)
            columns[header] = metric
        elif header in force_measure:
            out[header] = parse_numbers(raw[col], header, name, warnings)[0]
            custom.append(header)
            columns[header] = header
        elif dim or is_code_header(header) or not _looks_numeric(raw[col]):
            key = dim or header
            out[key] = raw[col]
            dim_cols[key] = col
            columns[header] = key
        else:
            if _code_values(raw[col]) is not None:
                codes_maybe.append(header)
            out[header] = parse_numbers(raw[col], header, name, warnings)[0]
            custom.append(header)
            columns[header] = header
    # value shape: several rows share a date and the known dimensions, and a column of whole
    # numbers tells them apart -> that column is a dimension of codes (cdn=3, 省份ID=11)
    for header in sorted(codes_maybe, key=lambda h: out[h].nunique()):
        keys = pd.DataFrame({DATE: out[DATE], **{k: raw[c] for k, c in dim_cols.items()}})
        before = int(keys.duplicated().sum())
        if not before:
            break
        if not _repeats_across_dates(out[DATE], out[header]):
            continue
        keys[header] = raw[header]
        if int(keys.duplicated().sum()) < before:
            del out[header]
            custom.remove(header)
            out[header] = raw[header]
            dim_cols[header] = header
            notes.append(
                f"列 '{header}' 是数字编码, 按维度处理 (column '{header}' holds codes: "
                f"treated as a dimension; flip it in the mapping step if wrong)"
            )
    dims_out: list[str] = []
    value_labels: dict[str, dict[str, str]] = {}
    dim_labels: dict[str, str] = {}
    for key, col in dim_cols.items():
        values = raw[col]
        raw_codes, raw_uniques = pd.factorize(values, use_na_sentinel=True)  # distinct cells
        uniq = pd.Series(raw_uniques)
        uniq = _code_text(uniq) if _code_values(uniq) is not None else uniq.astype("string")
        spelled = [str(u).strip() for u in uniq.fillna("(空)")] + ["(空)"]
        codes, uniques = pd.factorize(np.array(spelled, dtype=object)[raw_codes])
        d = vocab.get(key)
        written = [str(u) for u in uniques]
        names = [d.canonical_value(u) if d is not None else u for u in written]
        merged, remap = np.unique(np.array(names, dtype=object), return_inverse=True)
        out[key] = pd.Categorical.from_codes(remap[codes], categories=list(merged))
        shown: dict[str, list[str]] = {}
        for canon, spelled in zip(names, written, strict=True):
            shown.setdefault(canon, [])
            if spelled not in shown[canon]:
                shown[canon].append(spelled)
        value_labels[key] = {c: "/".join(v) for c, v in shown.items() if v != [c]}
        dim_labels[key] = (attrs.get("written") or {}).get(str(col), str(col))
        dims_out.append(key)
    for metric, (numbers, was_percent, header) in ratios.items():
        m = metrics[metric]
        if m.unit == "%" and not was_percent and numbers.max(skipna=True) > 1:
            numbers = numbers / 100
        if m.numerator in out or m.denominator not in out:
            missing = [x for x in (m.numerator, m.denominator) if x not in out]
            notes.append(
                f"列 '{header}' 未使用: {metric} 由 {m.numerator}/{m.denominator} 重新计算"
                + (f", 缺少 {', '.join(missing)}" if missing else "")
                + f" (column '{header}' ignored: ratios are recomputed from sums)"
            )
            continue
        out[m.numerator] = numbers * out[m.denominator]
        measure_list.append(m.numerator)
        notes.append(
            f"{m.numerator} 由列 '{header}' × {m.denominator} 还原 "
            f"({m.numerator} rebuilt from '{header}' × {m.denominator})"
        )
    frame = pd.DataFrame(out)
    frame = frame[[DATE, *dims_out, *measure_list, *custom]]
    all_measures = measure_list + custom
    if not all_measures:
        raise DiagnosisInputError(
            f"{name}: 没有可识别的指标列 (找到的列: {', '.join(map(str, raw.columns))}); "
            f"可在列映射里把列指定为指标",
            f"{name}: no measure columns (columns found: {', '.join(map(str, raw.columns))}); "
            f"map a column to a measure in the mapping step",
        )
    empties = int(frame[all_measures].isna().sum().sum())
    if empties:
        notes.append(f"{empties} 个空单元格按 0 计 ({empties} empty cells counted as 0)")
        frame[all_measures] = frame[all_measures].fillna(0.0)
    _check_duplicates(frame, dims_out, raw, date_col, name)
    return Table(
        frame=frame,
        dimensions=dims_out,
        measures=all_measures,
        custom=custom,
        freq_days=_frequency(frame[DATE]),
        columns=columns,
        notes=notes,
        source=name,
        warnings=warnings,
        dim_labels=dim_labels,
        value_labels=value_labels,
    )


def _check_duplicates(frame: pd.DataFrame, dims: list[str], raw, date_col, name: str) -> None:
    keys = [DATE, *dims]
    dup = frame.duplicated(subset=keys, keep=False).to_numpy()
    if not dup.any():
        return
    rows = np.flatnonzero(dup)
    first = rows[0]
    same = rows[(frame.iloc[rows][keys] == frame.iloc[first][keys]).all(axis=1).to_numpy()]
    where = ", ".join(f"{k}={frame.iloc[first][k]}" for k in dims) or "-"
    raise DiagnosisInputError(
        f"{name}: 第 {_row(same[0])} 行和第 {_row(same[1])} 行重复: 同一日期 "
        f"{raw[date_col].iloc[first]} 和维度 ({where}) 出现两次; 请合并或加一列区分",
        f"{name}: rows {_row(same[0])} and {_row(same[1])} repeat the same date "
        f"{raw[date_col].iloc[first]} and dimensions ({where}); merge them or add a column "
        f"that tells them apart",
    )


def _frequency(dates: pd.Series) -> int:
    unique = np.sort(dates.unique())
    if len(unique) < 2:
        return 1
    step = int(np.median(np.diff(unique).astype("timedelta64[D]").astype(int)))
    return 7 if step == 7 else 1
