"""Metrics files (CSV in UTF-8 / UTF-8-BOM / GBK, or Excel) -> one tidy table.

Headers are mapped to canonical names (metric tree aliases, data/dimensions.yaml); unknown
numeric columns are kept as custom measures and unknown text columns as custom dimensions.
Every error names the column and the file row (the header is row 1), because the person
fixing it has the file open in Excel, not this code.
"""

from __future__ import annotations

import codecs
import contextvars
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kb.diagnosis.dimensions import DimensionVocabulary
from kb.importers import limits
from kb.metrics import MetricTree
from kb.problems import Text
from kb.yamlfile import DataError

DATE = "date"
EMPTY = {"", "-", "--", "—", "nan", "NaN", "None", "none", "null", "NULL", "N/A", "n/a", "#N/A"}
_STRIP = re.compile(r"[,，\s¥￥$元]")
_CN_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")


class DiagnosisInputError(DataError):
    """The metrics file cannot be diagnosed as it is; the message says where and what to do.

    ``DiagnosisInputError(zh, en)`` keeps both languages (``.text``); the UI and the CLI pick
    one with ``message(lang)``. Older one-argument messages carry both languages inline."""

    def __init__(self, message: str, en: str | None = None):
        self.text = Text(message, en) if en is not None else None
        super().__init__(f"{message} ({en})" if en is not None else message)

    def message(self, lang: str = "zh") -> str:
        return self.text.get(lang) if self.text is not None else str(self)


@dataclass(frozen=True)
class Warning_:
    """Something the loader accepted but a person should look at (code + both languages)."""

    code: str
    text: Text

    def to_json(self, lang: str = "zh") -> dict:
        return {"code": self.code, "message": self.text.get(lang)}


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
    warnings: list[Warning_] = field(default_factory=list)
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


_HEADER_ROW: contextvars.ContextVar[int] = contextvars.ContextVar("header_row", default=1)


def _row(i: int) -> int:
    """File row of data row i (0-based): the header is row 1, or lower after title lines."""
    return int(i) + 1 + _HEADER_ROW.get()


HEAD_ROWS = 30  # title lines an export may have before its header row
# 省份ID, 店铺编号, 品类代码, shop_id, cdn code, shopId — not "paid" or "valid"
_CODE_HEADER = re.compile(
    r"(?:^|[\s_\-])(?:id|ID|Id|code|CODE|Code|no|NO)$|[\u4e00-\u9fff](?:ID|Id|id)$|[a-z0-9]Id$"
    r"|编号$|代码$|编码$"
)


def _too_big(name: str, zh: str, en: str | None = None) -> DiagnosisInputError:
    mb = limits.MAX_FILE_BYTES // 1_000_000
    unpacked = limits.MAX_UNPACKED_BYTES // 1_000_000
    return DiagnosisInputError(
        f"{name}: 文件太大 ({zh}); 上限 {mb} MB (Excel 解压后 {unpacked} MB)、"
        f"{limits.MAX_TABLE_ROWS:,} 行。请按日期或维度汇总后再上传, 或只导出需要的日期范围",
        f"{name}: file too large ({en or zh}); the limit is {mb} MB ({unpacked} MB unpacked for "
        f"Excel) and {limits.MAX_TABLE_ROWS:,} rows. Aggregate by date or dimension first, or "
        f"export only the dates you need",
    )


def _check_xlsx(data: bytes, name: str) -> None:
    """Refuse a zip bomb before openpyxl inflates it: the zip directory declares each part's
    uncompressed size, and a real metrics workbook is rarely more than a few MB of XML."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise DiagnosisInputError(
            f"{name}: 不是有效的 Excel 文件 (文件已损坏或不是 .xlsx)",
            f"{name}: not a valid Excel file (damaged, or not an .xlsx)",
        ) from None
    total = sum(i.file_size for i in infos)
    if total > limits.MAX_UNPACKED_BYTES or len(infos) > 10_000:
        raise _too_big(name, f"解压后 {total / 1e6:,.0f} MB", f"unpacks to {total / 1e6:,.0f} MB")


def _known_header(metrics: MetricTree | None, vocab: DimensionVocabulary | None):
    def known(cell: str) -> bool:
        if metrics is not None and metrics.resolve(cell):
            return True
        return vocab is not None and (vocab.is_date(cell) or vocab.resolve(cell) is not None)

    return known


def find_header_row(rows: list[list], known=None) -> int:
    """Index of the header row among an export's first rows. 生意参谋 / 罗盘 / 商智 exports
    start with title lines (店铺名称, 统计时间 …); the header is the first row where most cells
    are known headers, else the first row about as wide as the widest row with mostly text."""
    cells = [
        [str(c).strip() for c in r if c is not None and str(c).strip() not in EMPTY] for r in rows
    ]
    if known is not None:
        for i, row in enumerate(cells):
            if len(row) >= 2 and sum(map(known, row)) >= max(2, len(row) / 2):
                return i
    width = max((len(r) for r in cells), default=0)
    for i, row in enumerate(cells):
        text = [c for c in row if not _NUMBER.fullmatch(c)]
        if len(row) >= max(2, 0.8 * width) and len(text) >= 0.8 * len(row):
            return i
    return 0


_NUMBER = re.compile(r"[-+]?[\d,，.]+%?")


def _dedupe_headers(headers: list[str], name: str, warnings: list) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        h = str(h).strip() if h is not None and str(h) != "nan" else ""
        if h in seen:
            seen[h] += 1
            new = f"{h}.{seen[h]}"
            warnings.append(
                Warning_(
                    "duplicate_header",
                    Text(
                        f"列名 '{h}' 出现了不止一次; 后一列按 '{new}' 读取, 请确认要用哪一列",
                        f"the header '{h}' appears more than once; the later column is read as "
                        f"'{new}': check which one you mean",
                    ),
                )
            )
            h = new
        else:
            seen[h] = 0
        out.append(h)
    return out


def _decode_head(data: bytes) -> tuple[str, str]:
    """(encoding, text of the first rows); UTF-8 (with or without BOM), else GBK/GB18030."""
    head = data[:65536]
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            return encoding, decoder.decode(head, final=len(head) == len(data))
        except UnicodeDecodeError:
            continue
    return "", ""


def _text_header(header: str, vocab) -> bool:
    if is_code_header(header):
        return True
    return vocab is not None and (vocab.is_date(header) or vocab.resolve(header) is not None)


def _european_head(data, encoding, skipped, headers, frame, name, warnings) -> None:
    """Columns the parser read as decimals although the file wrote "1.200" (a European
    thousands separator): the first rows as text tell, and the file writes all numbers alike."""
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    if not floats:
        return
    head = pd.read_csv(
        io.BytesIO(data),
        encoding=encoding,
        skiprows=skipped + 1,
        header=None,
        names=headers,
        nrows=2000,
        dtype=str,
        keep_default_na=False,
    )
    token = _HEADER_ROW.set(skipped + 1)
    try:
        for col in floats:
            hits = head[col].str.strip().str.fullmatch(_EURO).to_numpy(dtype=bool)
            if hits.any():
                _euro_warning(warnings, head[col], frame[col], np.argmax(hits), name, str(col))
    finally:
        _HEADER_ROW.reset(token)


def _parser_message(exc: Exception, name: str, header_line: int) -> DiagnosisInputError:
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if found:
        want, line, saw = found.groups()
        return DiagnosisInputError(
            f"{name}: 第 {line} 行有 {saw} 个单元格, 而表头 (第 {header_line} 行) 只有 {want} 个。"
            f"请检查这一行是否多了逗号 (含逗号的数字或文字请加引号), 或删掉表格上方的标题行",
            f"{name}: line {line} has {saw} cells but the header (line {header_line}) has "
            f"{want}. Check that line for an extra comma (quote numbers or text that contain "
            f"commas), or delete the title lines above the table",
        )
    return DiagnosisInputError(
        f"{name}: 无法按表格读取这个 CSV 文件 (第 {header_line} 行起); 请在 Excel 中打开后另存为"
        f" CSV UTF-8",
        f"{name}: this CSV cannot be read as a table (from line {header_line}); open it in "
        f"Excel and save it as CSV UTF-8",
    )


def read_raw(source, sheet=None, metrics=None, vocab=None) -> tuple[pd.DataFrame, str]:
    """Read CSV/Excel bytes into a raw frame with the headers as written (for a column-mapping
    step); text encodings tried in order; title lines above the header row are skipped.
    Returns (frame, name for messages); ``frame.attrs`` carries notes and warnings."""
    name = "<data>"
    if isinstance(source, (str, Path)):
        name = str(source)
        try:
            size = Path(source).stat().st_size
        except (FileNotFoundError, NotADirectoryError):
            raise DiagnosisInputError(f"{name}: 文件不存在", f"{name}: file not found") from None
        if size > limits.MAX_FILE_BYTES:
            raise _too_big(name, f"{size / 1e6:,.0f} MB")
        data = Path(source).read_bytes()
    elif isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:  # file-like (e.g. an upload)
        name = getattr(source, "name", name)
        try:
            data = source.read(limits.MAX_FILE_BYTES + 1)
        except TypeError:  # a reader without a size argument
            data = source.read()
    if len(data) > limits.MAX_FILE_BYTES:
        raise _too_big(name, f"> {limits.MAX_FILE_BYTES / 1e6:,.0f} MB")
    known = _known_header(metrics, vocab) if metrics is not None or vocab is not None else None
    warnings: list[Warning_] = []
    if data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm")):
        _check_xlsx(data, name)
        try:
            grid = pd.read_excel(
                io.BytesIO(data),
                sheet_name=sheet or 0,
                engine="openpyxl",
                header=None,
                nrows=limits.MAX_TABLE_ROWS + HEAD_ROWS + 1,
            )
        except Exception as exc:  # openpyxl raises many types for broken files
            raise DiagnosisInputError(
                f"{name}: 无法读取 Excel 文件 ({type(exc).__name__})",
                f"{name}: cannot read the Excel file ({type(exc).__name__}: {exc})",
            ) from None
        grid = grid.dropna(how="all").reset_index(drop=True)
        if grid.empty:
            raise DiagnosisInputError(f"{name}: 文件是空的", f"{name}: the file is empty")
        at = find_header_row(grid.head(HEAD_ROWS).values.tolist(), known)
        frame = grid.iloc[at + 1 :].reset_index(drop=True)
        frame.columns = _dedupe_headers(list(grid.iloc[at]), name, warnings)
        frame = frame.infer_objects()
        skipped = at
    else:
        if not data.strip():
            raise DiagnosisInputError(f"{name}: 文件是空的", f"{name}: the file is empty")
        encoding, head = _decode_head(data)
        if not encoding:
            raise DiagnosisInputError(
                f"{name}: 文件编码无法识别, 请另存为 UTF-8",
                f"{name}: unknown text encoding; save the file as UTF-8",
            )
        lines = head.splitlines()[:HEAD_ROWS]
        rows = list(csv.reader(lines))
        skipped = find_header_row(rows, known)
        headers = _dedupe_headers(rows[skipped] if rows else [], name, warnings)
        # numbers are left to the C parser (fast); dates, dimensions and codes stay text so
        # that 003 stays 003
        text = {h: str for h in headers if _text_header(h, vocab)}
        frame = None
        for enc in dict.fromkeys((encoding, "gb18030")):
            try:
                frame = pd.read_csv(
                    io.BytesIO(data),
                    encoding=enc,
                    skiprows=skipped + 1,
                    header=None,
                    names=headers,
                    nrows=limits.MAX_TABLE_ROWS + 1,
                    low_memory=False,
                    dtype=text or None,
                    keep_default_na=False,
                    na_values=[""],
                    skip_blank_lines=True,
                )
                break
            except UnicodeDecodeError:
                continue
            except (pd.errors.ParserError, ValueError) as exc:
                raise _parser_message(exc, name, skipped + 1) from None
            except pd.errors.EmptyDataError:
                frame = pd.DataFrame(columns=headers)
                break
        if frame is None:
            raise DiagnosisInputError(
                f"{name}: 文件编码无法识别, 请另存为 UTF-8",
                f"{name}: unknown text encoding; save the file as UTF-8",
            )
        _european_head(data, enc, skipped, headers, frame, name, warnings)
    if len(frame) > limits.MAX_TABLE_ROWS:
        raise _too_big(
            name, f"超过 {limits.MAX_TABLE_ROWS:,} 行", f"over {limits.MAX_TABLE_ROWS:,} rows"
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    notes = []
    if skipped:
        notes.append(
            f"跳过了表头上方的 {skipped} 行标题 (skipped {skipped} title line(s) above the header)"
        )
    frame.attrs["notes"] = notes
    frame.attrs["warnings"] = warnings
    frame.attrs["header_row"] = skipped + 1
    return frame, name


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


_DMY = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
MIN_YEAR, MAX_YEAR = 1990, 2100  # a metrics file outside these years has a typo in a date


def _bad_date(name: str, column: str, i: int, value, why_zh: str, why_en: str):
    return DiagnosisInputError(
        f"{name}: 列 '{column}' 第 {_row(i)} 行: 日期 {value!r} {why_zh}; 请写成 YYYY-MM-DD",
        f"{name}: column '{column}', row {_row(i)}: date {value!r} {why_en}; write YYYY-MM-DD",
    )


def _day_first(
    texts: pd.Series, column: str, name: str, values: pd.Series, codes: np.ndarray
) -> bool | None:
    """For dd/mm/yyyy vs mm/dd/yyyy: a first number over 12 means day first, a second number
    over 12 month first; None when no date is written that way. Both, or neither with the
    first two numbers different, is ambiguous: ask rather than guess."""
    parts = texts.str.extract(_DMY)
    parts = parts.dropna()
    if parts.empty:
        return None
    first, second = parts[0].astype(int), parts[1].astype(int)
    day_first, month_first = bool((first > 12).any()), bool((second > 12).any())
    if day_first != month_first:
        return day_first
    i = int(np.flatnonzero(codes == parts.index[0])[0])
    if day_first and month_first:
        why = ("既有 日/月/年 又有 月/日/年 的写法", "mixes day/month/year and month/day/year")
    elif (first == second).all():
        return False  # 01/01/2026, 02/02/2026 … read the same either way
    else:
        why = (
            "无法判断是 日/月/年 还是 月/日/年 (没有大于 12 的日)",
            "could be day/month/year or month/day/year (no day above 12)",
        )
    raise _bad_date(name, column, i, values.iloc[i], *why)


def parse_dates(values: pd.Series, column: str, name: str) -> pd.Series:
    """Dates in the usual spellings (2026-03-01, 2026/3/1, 20260301, 2026年3月1日, 13/03/2026);
    each distinct text is parsed once, so a million rows cost as much as a few hundred dates.
    Day-first or month-first is read from the values; years outside 1990–2100 are refused with
    the row (pandas cannot hold 1500 or 9999 and they are always typos in a metrics file)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values.dt.normalize()
        missing = out.isna()
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)  # distinct cells only
        texts = pd.Series(
            [u.strftime("%Y-%m-%d") if hasattr(u, "strftime") else str(u) for u in uniques],
            dtype=object,
        ).str.strip()
        texts = texts.str.replace(_CN_DATE, r"\1-\2-\3", regex=True)
        texts = texts.str.replace(r"[/.]", "-", regex=True)
        day_first = _day_first(texts, column, name, values, codes)
        years = pd.to_numeric(texts.str.extract(r"(?:^|-)(\d{4})(?:-|$)")[0], errors="coerce")
        eight = texts.str.fullmatch(r"\d{8}")
        years = years.where(~eight, pd.to_numeric(texts.str[:4], errors="coerce"))
        wild = (years < MIN_YEAR) | (years > MAX_YEAR)
        if wild.any():
            bad = texts[wild].iloc[0]
            i = int(np.flatnonzero(codes == int(np.flatnonzero(wild.to_numpy())[0]))[0])
            raise _bad_date(
                name,
                column,
                i,
                values.iloc[i],
                f"超出范围 ({MIN_YEAR}–{MAX_YEAR} 年)",
                f"is out of range ({MIN_YEAR}–{MAX_YEAR}; read as {bad})",
            )
        dmy = texts.str.fullmatch(_DMY)
        parsed = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns]")
        rest = ~eight & ~dmy
        try:
            if rest.any():
                parsed[rest] = pd.to_datetime(texts[rest], errors="coerce", format="mixed")
            if eight.any():
                parsed[eight] = pd.to_datetime(texts[eight], errors="coerce", format="%Y%m%d")
            if dmy.any():
                fmt = "%d-%m-%Y" if day_first else "%m-%d-%Y"
                parsed[dmy] = pd.to_datetime(texts[dmy], errors="coerce", format=fmt)
        except (pd.errors.OutOfBoundsDatetime, OverflowError, ValueError):
            parsed = pd.Series(
                [_one_date(t) for t in texts], index=texts.index, dtype="datetime64[ns]"
            )
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
            f"YYYY-MM-DD",
            f"{name}: column '{column}', row {_row(i)}: unparseable date {values.iloc[i]!r}; "
            f"write YYYY-MM-DD",
        )
    years = out.dt.year
    wild = ((years < MIN_YEAR) | (years > MAX_YEAR)).to_numpy()
    if wild.any():
        i = int(np.argmax(wild))
        raise _bad_date(
            name,
            column,
            i,
            values.iloc[i],
            f"超出范围 ({MIN_YEAR}–{MAX_YEAR} 年)",
            f"is out of range ({MIN_YEAR}–{MAX_YEAR})",
        )
    return out


def _one_date(text: str):
    try:
        return pd.Timestamp(text)
    except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
        return pd.NaT


_EURO = re.compile(r"^-?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_INF = {"inf", "-inf", "+inf", "infinity", "-infinity", "∞", "#num!", "#div/0!"}


def parse_numbers(
    values: pd.Series, column: str, name: str, warnings: list | None = None
) -> tuple[pd.Series, bool]:
    """Numbers with thousands separators, currency signs, percent signs and empty cells.

    Returns the numbers (empty cells NaN) and whether the column was written in percent.
    Cells a person should look at (European "1.200", infinite, negative) go to ``warnings``;
    infinite cells are read as empty."""
    warnings = warnings if warnings is not None else []
    percent_any = False
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.astype("float64")
    else:
        # plain numbers in C; only the cells that fail (1,200 / ¥30 / 3% / -) go through text
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        failed = (numbers.isna() & values.notna()).to_numpy()
        if failed.any():
            at = np.flatnonzero(failed)
            text = values[failed].astype(str).str.strip()
            empty = text.isin(EMPTY)
            percent = text.str.endswith("%")
            cleaned = text.str.replace(_STRIP, "", regex=True).str.rstrip("%")
            parsed = pd.to_numeric(cleaned.where(~empty), errors="coerce")
            inf_text = text.str.casefold().isin(_INF)
            bad = (parsed.isna() & ~empty & ~inf_text).to_numpy()
            if bad.any():
                i = int(at[int(np.argmax(bad))])
                raise DiagnosisInputError(
                    f"{name}: 列 '{column}' 第 {_row(i)} 行: {values.iloc[i]!r} 不是数字",
                    f"{name}: column '{column}', row {_row(i)}: {values.iloc[i]!r} is not a number",
                )
            parsed = parsed.where(~inf_text, np.inf).where(~percent, parsed / 100)
            numbers.iloc[at] = parsed.to_numpy(dtype="float64")
            percent_any = bool(percent.any())
            euro = text.str.fullmatch(_EURO).to_numpy()
            if euro.any():
                _euro_warning(warnings, values, numbers, at[euro][0], name, column)
        # "1.200" parses as 1.2: a fraction under 1000 is worth a look. A European file writes
        # every number that way, so the first few thousand such cells are enough to tell.
        v = numbers.to_numpy(dtype="float64")
        with np.errstate(invalid="ignore"):
            maybe = (np.abs(v) < 1000) & (np.round(v) != v)
        if maybe.any():
            where = np.flatnonzero(maybe)[:2000]
            hits = values.iloc[where].astype(str).str.strip().str.fullmatch(_EURO).to_numpy()
            if hits.any():
                _euro_warning(warnings, values, numbers, where[hits][0], name, column)
    numbers = numbers.astype("float64")
    infinite = ~np.isfinite(numbers.fillna(0).to_numpy())
    if infinite.any():
        i = int(np.argmax(infinite))
        warnings.append(
            _warn(
                "infinite",
                name,
                column,
                i,
                values.iloc[i],
                "是无穷大 (共 {k} 个); 按空单元格处理",
                "is infinite ({k} such cells); read as empty",
                k=int(infinite.sum()),
            )
        )
        numbers = numbers.where(np.isfinite(numbers))
    negative = (numbers < 0).to_numpy()
    if negative.any():
        i = int(np.argmax(negative))
        warnings.append(
            _warn(
                "negative",
                name,
                column,
                i,
                values.iloc[i],
                "是负数 (共 {k} 个); 这类指标通常不为负, 请确认是退款冲销还是录入错误",
                "is negative ({k} such cells); this metric is usually not negative: a "
                "refund reversal or a typo?",
                k=int(negative.sum()),
            )
        )
    return numbers, percent_any


def _euro_warning(warnings, values, numbers, i, name, column) -> None:
    if any(w.code == "european_number" and f"'{column}'" in w.text.zh for w in warnings):
        return
    warnings.append(
        _warn(
            "european_number",
            name,
            column,
            int(i),
            values.iloc[int(i)],
            "像欧洲写法 (点是千位分隔符); 按小数读取为 {n}, 如不对请在 Excel 里改成 1200 这样的写法",
            "looks like a European number (dot as thousands separator); read as the "
            "decimal {n}; if wrong, write it as 1200",
            n=numbers.iloc[int(i)],
        )
    )


def _warn(code, name, column, i, value, zh, en, **params) -> Warning_:
    return Warning_(
        code,
        Text(
            f"{name}: 列 '{column}' 第 {_row(i)} 行: {value!r} " + zh.format(**params),
            f"{name}: column '{column}', row {_row(i)}: {value!r} " + en.format(**params),
        ),
    )


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


def _code_values(values: pd.Series) -> pd.Series | None:
    """The column as whole-number codes (3, "003"), or None when it holds other numbers."""
    v = values.dropna()
    if not len(v):
        return None
    if not pd.api.types.is_numeric_dtype(v):
        if not str(v.iloc[0]).strip().lstrip("-").isdigit():
            return None
        v = pd.to_numeric(v, errors="coerce")
        if v.isna().any():
            return None
    return values if bool((v == np.round(v)).all()) else None


def _repeats_across_dates(dates: pd.Series, values: pd.Series) -> bool:
    """Codes look like a few values that come back date after date (cdn 1, 2, 3 every day);
    a count such as 订单数 takes many values that each appear on a few dates."""
    pairs = pd.DataFrame({"d": dates, "v": values}).drop_duplicates()
    per_value = pairs.groupby("v")["d"].nunique()
    n_dates = pairs["d"].nunique()
    return len(per_value) <= 1000 and float(per_value.median()) >= max(2, 0.5 * n_dates)


def _code_text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("Int64").astype("string")
    return values.astype("string").str.strip()


def is_code_header(header: str) -> bool:
    """省份ID, 品类ID, 店铺编号, shop_id, cdn_code: a header that names codes, not amounts."""
    return bool(_CODE_HEADER.search(str(header).strip()))


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
    raw = raw.reset_index(drop=True)
    if raw.empty:
        raise DiagnosisInputError(f"{name}: 没有数据行", f"{name}: no data rows")
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
    warnings: list[Warning_] = list(attrs.get("warnings") or [])
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
