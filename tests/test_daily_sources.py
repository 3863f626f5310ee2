"""Data sources for the morning review: a folder of exports, DuckDB, a real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid

import pandas as pd
import pytest

from kb.diagnosis.dimensions import load_vocabulary
from kb.sources import SourceError, SourceSpec, open_source, parse_source
from kb.workspace import Workspace
from kb.yamlfile import DataError
from tests.daily_fixtures import history

START, END = dt.date(2026, 8, 1), dt.date(2026, 11, 30)


@pytest.fixture
def ws(tmp_path):
    return Workspace.open(tmp_path)


def folder_source(ws, path):
    vocab = load_vocabulary(ws.config.data_file("dimensions.yaml"))
    return open_source(SourceSpec(type="folder", path=str(path)), ws.config.root, ws.metrics, vocab)


def test_folder_reads_all_exports_as_one_history(ws, tmp_path):
    frame = history(days=40)
    (tmp_path / "ex").mkdir()
    frame.iloc[:60].to_csv(tmp_path / "ex" / "a.csv", index=False)
    frame.iloc[60:].to_csv(tmp_path / "ex" / "b.csv", index=False, encoding="gbk")
    out = folder_source(ws, "ex").fetch(START, END)
    assert len(out) == len(frame)
    assert list(out.columns) == ["date", "channel", "UV", "订单数", "GMV"]
    assert out["GMV"].sum() == pytest.approx(frame["销售额"].sum())


def test_same_date_in_a_later_file_replaces_not_doubles(ws, tmp_path):
    frame = history(days=10)
    (tmp_path / "ex").mkdir()
    frame.to_csv(tmp_path / "ex" / "week.csv", index=False)
    last = frame[frame["日期"] == "2026-11-30"].copy()
    last["访客数"] = last["访客数"] + 1000  # the corrected re-export of one day
    time.sleep(0.02)
    last.to_csv(tmp_path / "ex" / "re-export.csv", index=False)
    source = folder_source(ws, "ex")
    out = source.fetch(START, END)
    day = out[out["date"] == pd.Timestamp("2026-11-30")]
    assert len(day) == 3  # three channels, once each
    assert day["UV"].sum() == last["访客数"].sum()
    assert any("re-export.csv" in en for _, en in source.notes)


def test_a_late_file_is_picked_up_on_the_next_read(ws, tmp_path):
    frame = history(days=10)
    (tmp_path / "ex").mkdir()
    frame.iloc[:15].to_csv(tmp_path / "ex" / "a.csv", index=False)
    source = folder_source(ws, "ex")
    assert source.fetch(START, END)["date"].nunique() == 5
    frame.iloc[15:].to_csv(tmp_path / "ex" / "late.csv", index=False)
    assert source.fetch(START, END)["date"].nunique() == 10


def test_changed_dimensions_are_refused_with_both_files_named(ws, tmp_path):
    frame = history(days=10)
    (tmp_path / "ex").mkdir()
    frame.iloc[:15].to_csv(tmp_path / "ex" / "a.csv", index=False)
    time.sleep(0.02)
    other = frame.iloc[15:].rename(columns={"渠道": "平台"})
    other.to_csv(tmp_path / "ex" / "b.csv", index=False)
    with pytest.raises(SourceError) as exc:
        folder_source(ws, "ex").fetch(START, END)
    assert "b.csv" in exc.value.text.en and "a.csv" in exc.value.text.en


def test_a_dropped_measure_column_is_reported_not_zeroed(ws, tmp_path):
    frame = history(days=10)
    (tmp_path / "ex").mkdir()
    frame.iloc[:15].to_csv(tmp_path / "ex" / "a.csv", index=False)
    time.sleep(0.02)
    frame.iloc[15:].drop(columns=["销售额"]).to_csv(tmp_path / "ex" / "b.csv", index=False)
    source = folder_source(ws, "ex")
    out = source.fetch(START, END)
    assert out["GMV"].isna().sum() == 15
    assert any("b.csv" in en and "GMV" in en for _, en in source.notes)


def test_missing_folder_says_which(ws):
    with pytest.raises(SourceError, match="does not exist"):
        folder_source(ws, "nowhere").fetch(START, END)


def test_source_config_errors_name_the_field():
    with pytest.raises(DataError, match="type 'oracle'"):
        parse_source({"type": "oracle"})
    with pytest.raises(DataError, match="url_env"):
        parse_source({"type": "sql", "table": "t", "measures": {"UV": "uv"}})
    with pytest.raises(DataError, match="measures"):
        parse_source({"type": "duckdb", "path": "x.parquet"})


def _long(frame: pd.DataFrame) -> pd.DataFrame:
    """The same numbers as a warehouse table (English columns, one row per date x channel)."""
    return pd.DataFrame(
        {
            "stat_date": pd.to_datetime(frame["日期"]),
            "channel": frame["渠道"],
            "uv": frame["访客数"],
            "orders": frame["支付订单数"],
            "gmv": frame["销售额"],
        }
    )


SPEC = {
    "date": "stat_date",
    "dimensions": {"channel": "channel"},
    "measures": {"UV": "uv", "订单数": "orders", "GMV": "gmv"},
}


def test_duckdb_parquet_gives_the_same_numbers_as_the_folder(ws, tmp_path):
    frame = history(days=30)
    (tmp_path / "ex").mkdir()
    frame.to_csv(tmp_path / "ex" / "a.csv", index=False)
    _long(frame).to_parquet(tmp_path / "m.parquet")
    spec = parse_source({"type": "duckdb", "path": "m.parquet", **SPEC})
    duck = open_source(spec, tmp_path, ws.metrics, None).fetch(START, END)
    folder = folder_source(ws, "ex").fetch(START, END)
    pd.testing.assert_frame_equal(duck, folder, check_dtype=False)


def test_duckdb_refuses_to_sum_distinct_counts_over_a_finer_grain(ws, tmp_path):
    frame = _long(history(days=5))
    frame["hour"] = 1
    twice = pd.concat([frame, frame.assign(hour=2)])  # hourly rows: UV must not be summed
    twice.to_parquet(tmp_path / "hourly.parquet")
    spec = parse_source({"type": "duckdb", "path": "hourly.parquet", **SPEC})
    with pytest.raises(SourceError, match="distinct counts"):
        open_source(spec, tmp_path, ws.metrics, None).fetch(START, END)
    additive = parse_source(
        {"type": "duckdb", "path": "hourly.parquet", **{**SPEC, "measures": {"GMV": "gmv"}}}
    )
    out = open_source(additive, tmp_path, ws.metrics, None).fetch(START, END)
    assert out["GMV"].sum() == pytest.approx(2 * frame["gmv"].sum())


def test_duckdb_database_table(ws, tmp_path):
    import duckdb

    frame = _long(history(days=12))
    con = duckdb.connect(str(tmp_path / "shop.duckdb"))
    con.register("src", frame)
    con.execute("CREATE TABLE metrics_daily AS SELECT * FROM src")
    con.close()
    spec = parse_source({"type": "duckdb", "path": "shop.duckdb", "table": "metrics_daily", **SPEC})
    out = open_source(spec, tmp_path, ws.metrics, None).fetch(START, END)
    assert out["UV"].sum() == frame["uv"].sum()


PG_URL = os.environ.get("OPSKB_TEST_PG_URL")


@pytest.fixture
def pg_table():
    """A table in the real PostgreSQL server that scripts/test.sh starts."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("OPSKB_TEST_PG_URL is not set: scripts/test.sh starts PostgreSQL")
        pytest.skip("no PostgreSQL (run the tests through scripts/test.sh)")
    import sqlalchemy as sa

    name = f"metrics_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(PG_URL)
    _long(history(days=60)).to_sql(name, engine, index=False)
    yield name
    with engine.begin() as con:
        con.execute(sa.text(f'DROP TABLE IF EXISTS "{name}"'))
    engine.dispose()


def test_postgresql_groups_in_the_database_and_matches_duckdb(ws, tmp_path, pg_table, monkeypatch):
    monkeypatch.setenv("SHOP_DB", PG_URL)
    spec = parse_source({"type": "sql", "url_env": "SHOP_DB", "table": pg_table, **SPEC})
    source = open_source(spec, tmp_path, ws.metrics, None)
    sql = str(source.statement(START, END))
    assert "GROUP BY" in sql and "sum(" in sql.lower()
    pg = source.fetch(START, END)
    _long(history(days=60)).to_parquet(tmp_path / "m.parquet")
    duck_spec = parse_source({"type": "duckdb", "path": "m.parquet", **SPEC})
    duck = open_source(duck_spec, tmp_path, ws.metrics, None).fetch(START, END)
    pd.testing.assert_frame_equal(pg, duck, check_dtype=False)


def test_postgresql_down_is_a_clear_message(ws, tmp_path, monkeypatch):
    monkeypatch.setenv("SHOP_DB", "postgresql+psycopg://postgres:x@127.0.0.1:9/none")
    spec = parse_source({"type": "sql", "url_env": "SHOP_DB", "table": "t", **SPEC})
    with pytest.raises(SourceError) as exc:
        open_source(spec, tmp_path, ws.metrics, None).fetch(START, END)
    assert "cannot reach the database" in exc.value.text.en
    assert "数据库无法连接" in exc.value.text.zh


def test_sql_url_comes_from_the_environment(ws, tmp_path, monkeypatch):
    monkeypatch.delenv("SHOP_DB", raising=False)
    spec = parse_source({"type": "sql", "url_env": "SHOP_DB", "table": "t", **SPEC})
    with pytest.raises(SourceError, match="SHOP_DB is not set"):
        open_source(spec, tmp_path, ws.metrics, None).fetch(START, END)
