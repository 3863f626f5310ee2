"""Metrics files (CSV in UTF-8 / UTF-8-BOM / GBK, or Excel) -> one tidy table.

Headers are mapped to canonical names (metric tree aliases, data/dimensions.yaml); unknown
numeric columns are kept as custom measures and unknown text columns as custom dimensions.
Every error names the column and the file row (the header is row 1), because the person
fixing it has the file open in Excel, not this code.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kb.diagnosis.dimensions import DimensionVocabulary
from kb.metrics import MetricTree
from kb.yamlfile import DataError

DATE = "date"
EMPTY = {"", "-", "--", "—", "nan", "NaN", "None", "none", "null", "NULL", "N/A", "n/a", "#N/A"}
_STRIP = re.compile(r"[,，\s¥￥$元]")
_CN_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")


class DiagnosisInputError(DataError):
    """The metrics file cannot be diagnosed as it is; the message says where and what to do."""


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

    @property
    def dates(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.frame[DATE].unique()).sort_values()


def _row(i: int) -> int:
    """File row of data row i (0-based): the header is row 1."""
    return int(i) + 2


def read_raw(source, sheet=None) -> tuple[pd.DataFrame, str]:
    """Read CSV/Excel bytes into a raw frame with the headers as written (for a column-mapping
    step); text encodings tried in order. Returns (frame, name for messages)."""
    name = "<data>"
    if isinstance(source, (str, Path)):
        name = str(source)
        try:
            data = Path(source).read_bytes()
        except FileNotFoundError:
            raise DiagnosisInputError(f"{name}: 文件不存在 (file not found)") from None
    elif isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:  # file-like (e.g. an upload)
        name = getattr(source, "name", name)
        data = source.read()
    if data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm")):
        try:
            frame = pd.read_excel(io.BytesIO(data), sheet_name=sheet or 0, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many types for broken files
            raise DiagnosisInputError(
                f"{name}: 无法读取 Excel 文件 (cannot read Excel: {exc})"
            ) from None
        return frame, name
    if not data.strip():
        raise DiagnosisInputError(f"{name}: 文件是空的 (the file is empty)")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            frame = pd.read_csv(io.BytesIO(data), encoding=encoding, low_memory=False)
            break
        except UnicodeDecodeError:
            continue
        except pd.errors.ParserError as exc:
            raise DiagnosisInputError(f"{name}: CSV 格式错误 (malformed CSV: {exc})") from None
    else:
        raise DiagnosisInputError(
            f"{name}: 文件编码无法识别, 请另存为 UTF-8 (save the file as UTF-8)"
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, name


def remap_columns(
    frame: pd.DataFrame, mapping: dict[str, str], name: str, ignore: str = "__ignore__"
) -> pd.DataFrame:
    """Rename headers as a person mapped them (header -> metric, dimension or the date; the
    ``ignore`` target drops a column). Headers not in ``mapping`` keep their own name."""
    keep = [c for c in frame.columns if mapping.get(str(c), str(c)) != ignore]
    renamed = frame[keep].rename(columns={c: mapping.get(str(c), str(c)) for c in keep})
    dups = renamed.columns[renamed.columns.duplicated()]
    if len(dups):
        sources = [str(c) for c in keep if mapping.get(str(c), str(c)) == dups[0]]
        raise DiagnosisInputError(
            f"{name}: 列 {', '.join(sources)} 都映射到了 '{dups[0]}', 请只保留一列 "
            f"(columns {', '.join(sources)} are all mapped to '{dups[0]}'; keep one)"
        )
    return renamed


def parse_dates(values: pd.Series, column: str, name: str) -> pd.Series:
    """Dates in the usual spellings (2026-03-01, 2026/3/1, 20260301, 2026年3月1日); each
    distinct text is parsed once, so a million rows cost as much as a few hundred dates."""
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values.dt.normalize()
        missing = out.isna()
    else:
        codes, uniques = pd.factorize(values.astype(str).str.strip(), use_na_sentinel=True)
        texts = pd.Series(uniques, dtype=object)
        texts = texts.str.replace(_CN_DATE, r"\1-\2-\3", regex=True)
        texts = texts.str.replace(r"[/.]", "-", regex=True)
        eight = texts.str.fullmatch(r"\d{8}")
        parsed = pd.to_datetime(texts.where(~eight), errors="coerce", format="mixed")
        if eight.any():
            parsed[eight] = pd.to_datetime(texts[eight], errors="coerce", format="%Y%m%d")
        parsed = pd.DatetimeIndex(parsed).normalize()
        out = pd.Series(
            np.where(codes >= 0, parsed.values[np.maximum(codes, 0)], np.datetime64("NaT")),
            index=values.index,
        ).astype("datetime64[ns]")
        missing = out.isna()
    if missing.any():
        i = int(np.argmax(missing.to_numpy()))
        raise DiagnosisInputError(
            f"{name}: 列 '{column}' 第 {_row(i)} 行: 无法识别的日期 {values.iloc[i]!r}, 请写成 "
            f"YYYY-MM-DD (column '{column}', row {_row(i)}: unparseable date)"
        )
    return out


def parse_numbers(values: pd.Series, column: str, name: str) -> tuple[pd.Series, bool]:
    """Numbers with thousands separators, currency signs, percent signs and empty cells.

    Returns the numbers (empty cells NaN) and whether the column was written in percent."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64"), False
    text = values.astype(str).str.strip()
    empty = values.isna() | text.isin(EMPTY)
    percent = text.str.endswith("%")
    cleaned = text.str.replace(_STRIP, "", regex=True).str.rstrip("%")
    numbers = pd.to_numeric(cleaned.where(~empty), errors="coerce")
    bad = numbers.isna() & ~empty
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DiagnosisInputError(
            f"{name}: 列 '{column}' 第 {_row(i)} 行: {values.iloc[i]!r} 不是数字 "
            f"(column '{column}', row {_row(i)}: not a number)"
        )
    numbers = numbers.where(~percent, numbers / 100)
    return numbers.astype("float64"), bool(percent.any())


def _looks_numeric(values: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(values):
        return True
    sample = values.dropna().astype(str).str.strip().head(200)
    sample = sample[~sample.isin(EMPTY)]
    if sample.empty:
        return False
    cleaned = sample.str.replace(_STRIP, "", regex=True).str.rstrip("%")
    return bool(pd.to_numeric(cleaned, errors="coerce").notna().mean() >= 0.9)


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
            parsed = pd.to_datetime(head.str.replace("/", "-"), errors="coerce", format="mixed")
            if len(head) and parsed.notna().mean() >= 0.9:
                return col
    raise DiagnosisInputError(
        f"{name}: 没有日期列; 请加一列 '日期' 或 'date' (no date column; columns found: "
        f"{', '.join(map(str, frame.columns))})"
    )


def load_table(source, metrics: MetricTree, vocab: DimensionVocabulary, sheet=None) -> Table:
    """Read a metrics file (path, bytes, file-like or DataFrame) into a validated Table."""
    if isinstance(source, pd.DataFrame):
        raw, name = source.reset_index(drop=True), "<data>"
    else:
        raw, name = read_raw(source, sheet)
    raw = raw.dropna(how="all")
    raw = raw.loc[:, [not str(c).startswith("Unnamed:") or raw[c].notna().any() for c in raw]]
    raw = raw.reset_index(drop=True)
    if raw.empty:
        raise DiagnosisInputError(f"{name}: 没有数据行 (no data rows)")
    date_col = _find_date_column(raw, vocab, name)
    out: dict[str, pd.Series] = {DATE: parse_dates(raw[date_col], str(date_col), name)}
    columns: dict[str, str] = {str(date_col): DATE}
    notes: list[str] = []
    dims: list[str] = []
    measures: list[str] = []
    custom: list[str] = []
    ratios: dict[str, tuple[pd.Series, bool, str]] = {}
    for col in raw.columns:
        if col == date_col:
            continue
        header = str(col).strip()
        metric = metrics.resolve(header)
        dim = None if metric else vocab.resolve(header)
        if metric and metric in out or dim and dim in out:
            raise DiagnosisInputError(
                f"{name}: 列 '{header}' 与另一列都表示 '{metric or dim}' "
                f"(column '{header}' duplicates another column for '{metric or dim}')"
            )
        if metric and metrics[metric].is_ratio:
            numbers, was_percent = parse_numbers(raw[col], header, name)
            ratios[metric] = (numbers, was_percent, header)
            columns[header] = metric
        elif metric:
            out[metric] = parse_numbers(raw[col], header, name)[0]
            measures.append(metric)
            columns[header] = metric
        elif dim or not _looks_numeric(raw[col]):
            key = dim or header
            d = vocab.get(key)
            codes, uniques = pd.factorize(raw[col].astype("string").str.strip().fillna("(空)"))
            names = [d.canonical_value(u) if d is not None else str(u) for u in uniques]
            merged, remap = np.unique(np.array(names, dtype=object), return_inverse=True)
            out[key] = pd.Categorical.from_codes(remap[codes], categories=list(merged))
            dims.append(key)
            columns[header] = key
        else:
            out[header] = parse_numbers(raw[col], header, name)[0]
            custom.append(header)
            columns[header] = header
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
        measures.append(m.numerator)
        notes.append(
            f"{m.numerator} 由列 '{header}' × {m.denominator} 还原 "
            f"({m.numerator} rebuilt from '{header}' × {m.denominator})"
        )
    frame = pd.DataFrame(out)
    all_measures = measures + custom
    if not all_measures:
        raise DiagnosisInputError(
            f"{name}: 没有可识别的指标列 (no measure columns; columns found: "
            f"{', '.join(map(str, raw.columns))})"
        )
    empties = int(frame[all_measures].isna().sum().sum())
    if empties:
        notes.append(f"{empties} 个空单元格按 0 计 ({empties} empty cells counted as 0)")
        frame[all_measures] = frame[all_measures].fillna(0.0)
    _check_duplicates(frame, dims, raw, date_col, name)
    return Table(
        frame=frame,
        dimensions=dims,
        measures=all_measures,
        custom=custom,
        freq_days=_frequency(frame[DATE]),
        columns=columns,
        notes=notes,
        source=name,
    )


def _check_duplicates(frame: pd.DataFrame, dims: list[str], raw, date_col, name: str) -> None:
    keys = [DATE, *dims]
    dup = frame.duplicated(subset=keys, keep=False).to_numpy()
    if not dup.any():
        return
    rows = np.flatnonzero(dup)
    first = rows[0]
    same = rows[(frame.iloc[rows][keys] == frame.iloc[first][keys]).all(axis=1).to_numpy()]
    where = ", ".join(f"{k}={frame.iloc[first][k]}" for k in dims) or "无维度 (no dimensions)"
    raise DiagnosisInputError(
        f"{name}: 第 {_row(same[0])} 行和第 {_row(same[1])} 行重复: 同一日期 "
        f"{raw[date_col].iloc[first]} 和维度 ({where}) 出现两次; 请合并或加一列区分 "
        f"(rows {_row(same[0])} and {_row(same[1])} repeat the same date and dimensions)"
    )


def _frequency(dates: pd.Series) -> int:
    unique = np.sort(dates.unique())
    if len(unique) < 2:
        return 1
    step = int(np.median(np.diff(unique).astype("timedelta64[D]").astype(int)))
    return 7 if step == 7 else 1
