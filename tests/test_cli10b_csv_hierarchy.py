"""CSV: a parent code's 0/1 column counts its children's codings, as ``--where PARENT``
selects them (test user A, F17: rows selected by ``--where 经济发展`` had 0 in that column);
``tag:``/``passage:`` columns stay the code itself."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from storage.annotations import Store

from .test_cli9_export import A, B, C, Cli


def test_a_parent_column_is_one_when_a_descendant_is_on_the_article(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.json"
    cli = Cli(db, capsys)
    assert cli("tag", A, "经济发展")[0] == 0
    assert cli("tag", B, "营商环境")[0] == 0
    assert cli("highlight", C, "洛阳", "--tag", "放管服")[0] == 0
    with Store.open(db) as s:
        s.define_tag("营商环境", parent="经济发展")
        s.define_tag("放管服", parent="营商环境")
    code, out, err = cli("export", "--format", "csv", "--where", "经济发展")
    assert code == 0, err
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out.lstrip("\ufeff")))}
    assert set(rows) == {A, B, C}  # what --where selects …
    assert {r["经济发展"] for r in rows.values()} == {"1"}  # … the column counts
    assert [rows[x]["tag:经济发展"] for x in (A, B, C)] == ["1", "0", "0"]
    assert [rows[x]["营商环境"] for x in (A, B, C)] == ["0", "1", "1"]
    assert [rows[x]["passage:营商环境"] for x in (A, B, C)] == ["0", "0", "0"]
    assert [rows[x]["放管服"] for x in (A, B, C)] == ["0", "0", "1"]
