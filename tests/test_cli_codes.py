"""``piyue codes``: the codebook and its edits on the command line (issue #11, part 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import main
from corpus.load import load_corpus

from .conftest import SEEDS


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_codes_json_edits_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "db.json")
    a, b = load_corpus(SEEDS).articles[:2]
    assert run(capsys, "--db", db, "tag", a.id, "营商环境", "党建")[0] == 0
    assert run(capsys, "--db", db, "tag", b.id, "党建")[0] == 0
    assert run(capsys, "--db", db, "highlight", a.id, a.text[:6], "--tag", "党建")[0] == 0
    code, out, _ = run(capsys, "--db", db, "codes", "--json")
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)["codes"]}
    assert set(rows["党建"]) == {"name", "parent", "colour", "description", "articles", "passages"}
    assert (rows["党建"]["articles"], rows["党建"]["passages"]) == (2, 1)
    assert run(capsys, "--db", db, "codes", "move", "党建", "营商环境")[0] == 0
    code, _, err = run(capsys, "--db", db, "codes", "move", "营商环境", "党建")
    assert code == 2 and err.count("\n") == 1  # a cycle is refused in one line
    assert run(capsys, "--db", db, "codes", "colour", "党建", "#112233")[0] == 0
    assert run(capsys, "--db", db, "codes", "describe", "党建", "党的建设")[0] == 0
    code, _, err = run(capsys, "--db", db, "codes", "rename", "党建", "营商环境")
    assert code == 2 and "营商环境" in err  # onto an existing name: merge instead
    code, out, _ = run(capsys, "--db", db, "codes", "merge", "党建", "营商环境", "--yes")
    assert code == 0 and out == "merge: 党建 → 营商环境\n"  # which went into which
    code, out, _ = run(capsys, "--db", db, "codes", "--json")
    (row,) = json.loads(out)["codes"]
    assert (row["name"], row["articles"], row["passages"]) == ("营商环境", 2, 1)
    for bad in (("rename", "营商环境", "  "), ("delete", "没有"), ("colour", "营商环境", "red")):
        code, out, err = run(capsys, "--db", db, "codes", *bad)
        assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert run(capsys, "--db", db, "codes", "delete", "营商环境", "--yes")[0] == 0
    code, out, _ = run(capsys, "--db", db, "codes", "--json")
    assert json.loads(out)["codes"] == []
