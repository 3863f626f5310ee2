"""Cells of a metrics file: dates in their usual spellings, numbers with separators, currency
and percent signs, and columns of codes (省份ID, cdn = 3) that are dimensions, not amounts."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from kb.diagnosis.messages import DiagnosisInputError, _row, _warn

EMPTY = {"", "-", "--", "—", "nan", "NaN", "None", "none", "null", "NULL", "N/A", "n/a", "#N/A"}
_STRIP = re.compile(r"[,，\s¥￥$元]")
_CN_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")

# 省份ID, 店铺编号, 品类代码, shop_id, cdn code, shopId — not "paid" or "valid"
_CODE_HEADER = re.compile(
    r"(?:^|[\s_\-])(?:id|ID|Id|code|CODE|Code|no|NO)$|[\u4e00-\u9fff](?:ID|Id|id)$|[a-z0-9]Id$"
    r"|编号$|代码$|编码$"
)


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


def _looks_numeric(values: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(values):
        return True
    sample = values.dropna().astype(str).str.strip().head(200)
    sample = sample[~sample.isin(EMPTY)]
    if sample.empty:
        return False
    cleaned = sample.str.replace(_STRIP, "", regex=True).str.rstrip("%")
    return bool(pd.to_numeric(cleaned, errors="coerce").notna().mean() >= 0.9)


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
