"""Reading a metrics file into a raw frame: size and row limits (an .xlsx's unpacked size is
checked in its zip directory before openpyxl opens it), encodings, title lines above the
header row of 生意参谋 / 罗盘 / 商智 exports, duplicate headers, plain messages for ragged rows."""

from __future__ import annotations

import codecs
import csv
import importlib.util
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from kb.diagnosis.cells import _EURO, EMPTY, _euro_warning, is_code_header
from kb.diagnosis.dimensions import DimensionVocabulary
from kb.diagnosis.messages import _HEADER_ROW, DiagnosisInputError, InputWarning
from kb.importers import limits
from kb.metrics import MetricTree
from kb.problems import Text

HEAD_ROWS = 30  # title lines an export may have before its header row
# calamine (Rust) reads a sheet ~9x faster than openpyxl with less memory (200k rows: 3.4 s vs
# 29 s); openpyxl stays the fallback where the wheel is missing
EXCEL_ENGINE = "calamine" if importlib.util.find_spec("python_calamine") else "openpyxl"


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
    for i, h in enumerate(headers):
        h = str(h).strip() if h is not None and str(h) != "nan" else ""
        if not h:  # a blank header cell: dropped later if its column is empty too
            out.append(f"Unnamed: {i}")
            continue
        if h in seen:
            seen[h] += 1
            new = f"{h}.{seen[h]}"
            warnings.append(
                InputWarning(
                    "duplicate_header",
                    Text(
                        f"{name}: 列名 '{h}' 出现了不止一次; 后一列按 '{new}' 读取, 请确认要用哪一列",
                        f"{name}: the header '{h}' appears more than once; the later column is "
                        f"read as '{new}': check which one you mean",
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
    warnings: list[InputWarning] = []
    if data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm")):
        _check_xlsx(data, name)
        try:
            grid = pd.read_excel(
                io.BytesIO(data),
                sheet_name=sheet or 0,
                engine=EXCEL_ENGINE,
                header=None,
                nrows=limits.MAX_TABLE_ROWS + HEAD_ROWS + 1,
            )
        except Exception as exc:  # openpyxl raises many types for broken files
            raise DiagnosisInputError(
                f"{name}: 无法读取 Excel 文件 ({type(exc).__name__})",
                f"{name}: cannot read the Excel file ({type(exc).__name__}: {exc})",
            ) from None
        grid = grid.dropna(how="all")  # the index keeps the sheet's row numbers (0-based)
        if grid.empty:
            raise DiagnosisInputError(f"{name}: 文件是空的", f"{name}: the file is empty")
        at = find_header_row(grid.head(HEAD_ROWS).values.tolist(), known)
        frame = grid.iloc[at + 1 :]
        frame.columns = _dedupe_headers(list(grid.iloc[at]), name, warnings)
        frame = frame.infer_objects()
        frame.index = frame.index + 1  # rows as Excel numbers them
        skipped, header_row = at, int(grid.index[at]) + 1
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
        header_row = skipped + 1
        frame.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(frame))
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
    frame.attrs["header_row"] = header_row
    frame.attrs["file_rows"] = True  # the index holds each row's number in the file
    return frame, name
