"""A folder of back-office exports (CSV / Excel, daily or weekly files), read as one history.

New files are picked up on the next read; a date that arrives again in a later file replaces
the earlier rows for that date (the newer export wins, by modification time, then name), so a
re-exported day is never counted twice. Each file is parsed once and kept until it changes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kb.diagnosis.load import DATE, load_table
from kb.sources import err, tidy
from kb.yamlfile import DataError

PATTERNS = ("*.csv", "*.xlsx", "*.xlsm")
_CACHE: dict[tuple[str, int, int], object] = {}
_CACHE_MAX = 512


class FolderSource:
    def __init__(self, folder: Path, metrics, vocab, root: Path | None = None):
        self.folder, self.metrics, self.vocab = Path(folder), metrics, vocab
        self.root = Path(root) if root else None
        self.notes: list[tuple[str, str]] = []  # (zh, en) remarks about the files read

    def describe(self) -> str:
        if self.root is not None and self.folder.is_relative_to(self.root):
            return f"folder:{self.folder.relative_to(self.root)}"
        return f"folder:{self.folder}"

    def files(self) -> list[Path]:
        if not self.folder.is_dir():
            raise err(
                f"{self.folder}: 导出文件夹不存在; 请在 daily.yaml 的 source.path 写对路径",
                f"{self.folder}: the exports folder does not exist; fix source.path in daily.yaml",
            )
        found = {p for pattern in PATTERNS for p in self.folder.glob(pattern)}
        files = [p for p in found if p.is_file() and not p.name.startswith((".", "~$"))]
        return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))

    def _table(self, path: Path):
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in _CACHE:
            if len(_CACHE) >= _CACHE_MAX:
                _CACHE.clear()
            try:
                _CACHE[key] = load_table(path, self.metrics, self.vocab)
            except DataError as exc:
                raise err(f"{path.name}: {exc}", f"{path.name}: {exc}") from None
        return _CACHE[key]

    def fetch(self, start, end) -> pd.DataFrame:
        self.notes = []
        files = self.files()
        if not files:
            raise err(
                f"{self.folder}: 文件夹里没有 CSV/Excel 导出文件",
                f"{self.folder}: no CSV/Excel exports in the folder",
            )
        frames: list[pd.DataFrame] = []
        dims: list[str] | None = None
        first_dims_file = ""
        measures: list[str] = []
        for path in files:
            table = self._table(path)
            if dims is None:
                dims, first_dims_file = list(table.dimensions), path.name
            elif sorted(table.dimensions) != sorted(dims):
                raise err(
                    f"{path.name}: 维度列 ({', '.join(table.dimensions) or '无'}) 与 "
                    f"{first_dims_file} ({', '.join(dims) or '无'}) 不同; 表头变了? "
                    "请按同样的维度导出, 或把旧文件移出文件夹",
                    f"{path.name}: its dimensions ({', '.join(table.dimensions) or 'none'}) "
                    f"differ from {first_dims_file}'s ({', '.join(dims) or 'none'}); did the "
                    "header change? Export with the same dimensions or move the old file out",
                )
            frame = table.frame
            newer = set(frame[DATE].unique())
            replaced = 0
            for i, old in enumerate(frames):
                keep = ~old[DATE].isin(newer)
                replaced += int((~keep).sum())
                frames[i] = old[keep]
            if replaced:
                self.notes.append(
                    (
                        f"{path.name} 覆盖了较早文件中相同日期的 {replaced} 行",
                        f"{path.name} replaced {replaced} rows of the same dates in older files",
                    )
                )
            measures += [m for m in table.measures if m not in measures]
            frames.append(frame)
        for path in files:
            missing = [m for m in measures if m not in self._table(path).measures]
            if missing:
                self.notes.append(
                    (
                        f"{path.name} 缺少列 {', '.join(missing)} (表头变了?), 这些日期记为空",
                        f"{path.name} lacks {', '.join(missing)} (header changed?); "
                        "those dates are left empty",
                    )
                )
        frame = pd.concat(frames, ignore_index=True)
        frame = frame[(frame[DATE] >= pd.Timestamp(start)) & (frame[DATE] <= pd.Timestamp(end))]
        for d in dims or []:
            frame[d] = frame[d].astype(str)
        return tidy(frame, dims or [], measures)
