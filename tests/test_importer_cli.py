"""The command line never hides a broken subcommand; import messages follow --lang."""

from __future__ import annotations

import argparse
import importlib
import json

import pytest

from kb import cli
from kb.importers import cli as import_cli
from kb.workspace import Workspace


@pytest.mark.parametrize("name", sorted(cli.PLUGINS))
def test_every_registered_subcommand_imports(name):
    module = importlib.import_module(cli.PLUGINS[name][0])
    assert callable(module.add_arguments) and callable(module.run)


def test_a_subcommand_that_fails_to_import_fails_loudly(tmp_path, monkeypatch, capsys, root):
    (tmp_path / "brokenplugin.py").write_text("import no_such_package_xyz\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli.PLUGINS, "broken", ("brokenplugin", "a plugin that cannot import"))
    assert cli.main(["broken", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "no_such_package_xyz" in err and "'broken' cannot run" in err
    assert cli.main(["check", "--root", str(root)]) == 0  # the other commands still work …
    assert "command 'broken' is broken" in capsys.readouterr().err  # … and warn about it


def test_import_cli_speaks_the_chosen_language(root, capsys, tmp_path):
    note = tmp_path / "note.md"
    body = "抖音渠道流量下降，UV 下降了 21%，转化率持平。我们按渠道下钻，发现只有抖音在掉。"
    note.write_text(f"# 抖音渠道流量下降\n\n{body}\n", encoding="utf-8")
    ws = Workspace.open(root)
    parser = argparse.ArgumentParser()
    import_cli.add_arguments(parser)
    assert import_cli.run(parser.parse_args([str(note), "--lang", "en"]), ws) == 0
    out = capsys.readouterr().out
    assert out.startswith("imported 1, skipped 0") and "导入" not in out
    assert "suggested problem types: Traffic down (traffic-drop)" in out  # names, in English
    assert import_cli.run(parser.parse_args([str(note), "--json"]), ws) == 0
    data = json.loads(capsys.readouterr().out)
    skipped = data["skipped"][0]
    assert skipped["code"] == "dedupe.text" and skipped["reason"].startswith("重复")
    assert import_cli.run(parser.parse_args([str(tmp_path / "missing.md")]), ws) == 1
    assert "文件不存在" in capsys.readouterr().out
