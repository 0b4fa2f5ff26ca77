"""``export -o x.qdpx`` wrote JSON Lines under that name: the format now follows a known
extension unless ``--format`` is given, and a contradicting extension is refused."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from cli import main
from corpus.load import load_corpus
from storage.annotations import Store

from .conftest import SEEDS


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path) -> Path:
    db = tmp_path / "annotations.json"
    art = next(x for x in load_corpus(SEEDS).articles if "营商环境" in x.text)
    with Store.open(db, coder="甲") as s:
        s.add_tags(art, ["营商环境"])
    return db


def test_the_extension_chooses_the_format(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ("--corpus", str(SEEDS), "--db", str(db), "--coder", "甲", "export")
    code, _out, err = run(capsys, *base, "-o", str(tmp_path / "x.qdpx"))
    assert code == 0, err
    assert zipfile.is_zipfile(tmp_path / "x.qdpx")
    assert run(capsys, *base, "-o", str(tmp_path / "x.md"))[0] == 0
    assert (tmp_path / "x.md").read_text(encoding="utf-8").startswith("#")
    assert run(capsys, *base, "-o", str(tmp_path / "x.CSV"))[0] == 0
    assert (tmp_path / "x.CSV").read_text(encoding="utf-8-sig").startswith("id,")
    assert run(capsys, *base, "-o", str(tmp_path / "x.out"))[0] == 0  # unknown: JSON Lines
    json.loads((tmp_path / "x.out").read_text(encoding="utf-8").splitlines()[0])


def test_a_contradicting_extension_is_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ("--corpus", str(SEEDS), "--db", str(db), "--coder", "甲", "export")
    code, _out, err = run(capsys, *base, "--format", "csv", "-o", str(tmp_path / "x.jsonl"))
    assert code != 0
    assert "x.jsonl is a .jsonl name but --format is csv" in err and "Traceback" not in err
    assert not (tmp_path / "x.jsonl").exists()
    code, _out, err = run(capsys, *base, "--format", "csv", "-o", str(tmp_path / "y.csv"))
    assert code == 0, err
