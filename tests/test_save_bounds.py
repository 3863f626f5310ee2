"""Hostile front matter and data YAML: bounded before parsing, a field error, never a crash.

Issue 15: 100,000 nested ``[`` segfaulted kb check, import and the Streamlit server (libyaml's
composer recurses per level); 3,000 gave a RecursionError; a 475-byte alias bomb took 41 s and
6 GB. Each is now a located error, and fast.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kb.documents import DocumentError, parse_document
from kb.importers.files import from_markdown
from kb.yamlfile import DataError, load_yaml

REPO = Path(__file__).resolve().parent.parent

BOMB = textwrap.dedent(
    """\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    """
)


def nested(depth: int) -> str:
    return f"---\nid: deep\nkind: case\ntitle: {'[' * depth}{']' * depth}\ncreated: 2026-03-01\n---\nx\n"


def messages(text: str) -> list[str]:
    with pytest.raises(DocumentError) as info:
        parse_document(text, "cases/x.md")
    return [str(e) for e in info.value.errors]


@pytest.mark.parametrize(
    ("depth", "error"),
    [(100_000, "larger than 100000 bytes"), (45_000, "nested more than 20 levels deep")],
)
def test_nesting_100k_deep_does_not_crash_the_process(tmp_path, depth, error):
    """In a child process: a segfault would kill pytest itself."""
    path = tmp_path / "cases" / "deep.md"
    path.parent.mkdir()
    path.write_text(nested(depth), encoding="utf-8")
    code = textwrap.dedent(
        f"""
        import frontmatter
        from kb.documents import DocumentError, FrontMatterHandler, read_document
        try:
            read_document({str(path)!r})
        except DocumentError as exc:
            print(exc)
        try:  # what the Markdown importer calls
            frontmatter.loads(open({str(path)!r}).read(), handler=FrontMatterHandler())
        except ValueError as exc:
            print("import:", exc)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert error in out.stdout
    assert "import:" in out.stdout


def test_kb_check_survives_a_100k_deep_file(tmp_path):
    for folder in ("cases", "playbooks", "articles"):
        (tmp_path / folder).mkdir()
    (tmp_path / "cases" / "deep.md").write_text(nested(45_000), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "kb", "check", "--root", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode not in (0, -11, 139), out.stderr[-2000:]  # fails, but cleanly
    assert "nested more than 20 levels deep" in out.stdout + out.stderr


def test_nesting_3000_deep_is_a_located_field_error_not_a_recursion_error():
    errs = messages(nested(3000))
    assert errs == ["cases/x.md: line 4: front matter nested more than 20 levels deep"]


def test_alias_bomb_is_refused_fast():
    text = "---\nid: bomb\nkind: case\ntitle: t\ncreated: 2026-03-01\n" + BOMB + "---\nx\n"
    assert len(BOMB) < 600
    start = time.perf_counter()
    errs = messages(text)
    assert time.perf_counter() - start < 0.5
    assert "anchors and aliases" in errs[0] and "line 6" in errs[0]  # the first '&a'


def test_alias_bomb_in_a_data_file_is_refused(tmp_path):
    path = tmp_path / "problems.yaml"
    path.write_text(BOMB, encoding="utf-8")
    with pytest.raises(DataError, match=r"problems.yaml: line 1, column 4: anchors and aliases"):
        load_yaml(path)


def test_deep_data_file_is_refused_and_huge_one_not_read(tmp_path):
    path = tmp_path / "metrics.yaml"
    path.write_text("x: " + "[" * 50_000 + "]" * 50_000, encoding="utf-8")
    with pytest.raises(DataError, match="nested more than 20"):
        load_yaml(path)
    path.write_text("x: 1\n" * 2_000_000, encoding="utf-8")
    with pytest.raises(DataError, match="more than the 5000000 accepted"):
        load_yaml(path)


def test_bundled_data_files_are_within_bounds():
    for path in sorted((REPO / "data").glob("*.yaml")):
        load_yaml(path)


def test_import_of_a_deeply_nested_markdown_file_keeps_the_text_as_body():
    draft, notes = from_markdown("deep.md", nested(3000).encode())
    assert [n.code for n in notes] == ["file.frontmatter_unreadable"] and draft.title == "deep"


def test_import_of_a_markdown_alias_bomb_keeps_the_text_as_body():
    text = "---\ntitle: t\n" + BOMB + "---\n正文\n"
    start = time.perf_counter()
    draft, notes = from_markdown("bomb.md", text.encode())
    assert time.perf_counter() - start < 0.5
    assert [n.code for n in notes] == ["file.frontmatter_unreadable"]
    assert draft.title == "bomb"  # from the file name, not the refused front matter


def test_a_list_where_one_value_is_expected_is_a_field_error():
    text = "---\nid: x\nkind: case\ntitle: [a, b]\nsummary: {k: v}\ncreated: 2026-03-01\n---\n"
    errs = messages(text)
    assert "cases/x.md: title: must be one value, not a list" in errs
    assert "cases/x.md: summary: must be one value, not a mapping" in errs
    assert len(errs) == 2  # not also "missing required field"


def test_a_huge_value_is_not_repeated_in_the_message():
    text = f"---\nid: x\nkind: case\ntitle: t\ncreated: '{'9' * 50_000}'\n---\n"
    (err,) = messages(text)
    assert len(err) < 200 and "is not a date" in err
    (err,) = messages(text.replace("'", ""))  # a 50,000-digit number: Python refuses to convert
    assert len(err) < 300 and "cannot be read" in err


def test_front_matter_over_the_size_bound_is_refused():
    text = "---\nid: x\nkind: case\ntitle: t\ncreated: 2026-03-01\nsummary: " + "长" * 40_000
    errs = messages(text + "\n---\nbody\n")
    assert errs == ["cases/x.md: front matter larger than 100000 bytes"]


@pytest.mark.parametrize("bad", ["x\n", "con", "nul", "com1", "lpt9", "aux", "prn"])
def test_ids_ending_in_a_newline_or_reserved_by_windows_are_refused(bad, tmp_path):
    from kb.config import load_config
    from kb.documents import Document, document_path, save_document

    text = f'---\nid: "{bad.replace(chr(10), chr(92) + "n")}"\nkind: case\ntitle: t\ncreated: 2026-03-01\n---\n'
    (err,) = messages(text)
    assert ": id: " in err
    config = load_config(tmp_path)
    with pytest.raises(DocumentError):
        document_path(config, "case", bad)
    with pytest.raises(DocumentError):
        save_document(config, Document(id=bad, kind="case", title="t"))
    assert not any(tmp_path.rglob("*.md"))


def test_ordinary_ids_near_reserved_names_are_fine():
    for ok in ("con-1", "console", "com10", "lpt", "nul-rate"):
        parse_document(f"---\nid: {ok}\nkind: case\ntitle: t\ncreated: 2026-03-01\n---\n")


def test_invalid_yaml_names_the_file_line():
    text = "---\nid: x\nkind: case\ntitle: a: b\ncreated: 2026-03-01\n---\n"
    (err,) = messages(text)
    assert err.startswith("cases/x.md: line 4: front matter is not valid YAML")


def test_a_huge_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    from kb.documents import read_document

    path = tmp_path / "big.md"
    with path.open("wb") as fh:
        fh.truncate(3_000_000_000)  # sparse: 3 GB on paper, nothing on disk
    monkeypatch.setattr(Path, "read_text", lambda *a, **k: pytest.fail("read the whole file"))
    with pytest.raises(DocumentError, match="larger than 2000000 bytes"):
        read_document(path)
