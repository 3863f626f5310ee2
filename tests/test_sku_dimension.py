"""The 货 lens: a 商品/SKU column is a dimension, and the diagnosis says which SKUs hold a drop."""

from __future__ import annotations

import datetime as dt

import numpy as np

from conftest import REPO
from kb.diagnosis.engine import diagnose
from kb.workspace import Workspace


def test_a_drop_in_two_skus_is_located_in_those_skus(tmp_path):
    rng = np.random.default_rng(3)
    lines = ["日期,商品,访客数,支付订单数,销售额"]
    for i in range(60):
        day = dt.date(2026, 10, 1) + dt.timedelta(days=i)
        for sku in ("连衣裙A", "连衣裙B", "T恤C", "裤子D", "外套E"):
            uv = int(1000 * rng.normal(1, 0.03))
            orders = int(uv * 0.04)
            if i >= 53 and sku in ("连衣裙A", "连衣裙B"):  # out of stock in the last week
                orders = int(orders * 0.2)
            lines.append(f"{day},{sku},{uv},{orders},{orders * 150}")
    path = tmp_path / "sku.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = diagnose(path, Workspace.open(REPO)).to_json()
    assert result["columns"]["商品"] == "sku"
    top = {tuple(r["segment"].items()) for r in result["drilldown"] if r.get("root_cause")}
    assert top == {(("sku", "连衣裙A"),), (("sku", "连衣裙B"),)}
