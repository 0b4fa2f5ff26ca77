"""A code name may not hold what separates codes (tester A, F10): ``codes rename 安全
'安全 生产'`` was accepted, then ``retrieve '安全 生产'`` found it, ``export --where`` read
two unknown codes and the reader's filter silently showed nothing; ``tag ID '安全，党建'``
made one code of what the reader's tag dialog reads as two.  The codebook refuses such a
new name (command line and reader alike); a code named so before still loads, codes more
articles and can be renamed to a valid name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.load import load_corpus
from storage.annotations import AnnotationError, Store, new_tag_name

from .conftest import SEEDS
from .test_cli9_export import A, B, Cli

BAD = ["安全 生产", "营商环境,党建", "安全，党建", "甲、乙", "甲;乙", "甲；乙", "安全\u3000生产"]


@pytest.mark.parametrize("name", BAD)
def test_the_model_refuses_separators_in_a_new_name(name: str) -> None:
    with pytest.raises(AnnotationError, match="cannot be a code name: it has"):
        new_tag_name(name)


def test_ordinary_names_pass() -> None:
    assert new_tag_name("  营商环境 ") == "营商环境"
    assert new_tag_name("COVID-19/疫情") == "COVID-19/疫情"


def test_the_command_line_refuses_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    assert cli("tag", A, "安全")[0] == 0
    for argv in (
        ("codes", "rename", "安全", "安全 生产"),
        ("tag", A, "营商环境,党建"),
        ("tag", B, "安全，党建"),
        ("tag", A, "甲 乙"),
    ):
        rc, out, err = cli(*argv)
        assert rc == 2 and out == "", argv
        assert "cannot be a code name" in err and "Traceback" not in err, argv
    rc, out, _err = cli("codes", "--json")
    assert [c["name"] for c in json.loads(out)["codes"]] == ["安全"]


def test_a_code_named_so_before_still_works(tmp_path: Path) -> None:
    arts = {a.id: a for a in load_corpus(SEEDS).articles}
    db = tmp_path / "annotations.json"
    with Store.open(db) as s:
        s.add_tags(arts[A], ["安全"])
    # an older piyue let this name in: write it into the file as it would have
    raw = db.read_text(encoding="utf-8").replace('"安全"', '"安全 生产"')
    db.write_text(raw, encoding="utf-8")
    with Store.open(db) as s:
        assert s.notes(A).tags == ("安全 生产",)
        s.add_tags(arts[B], ["安全 生产"])  # known: more articles can be coded with it
        assert s.notes(B).tags == ("安全 生产",)
        with pytest.raises(AnnotationError, match="cannot be a code name"):
            s.add_tags(arts[B], ["安全 卫生"])  # a new one is refused
        with pytest.raises(AnnotationError, match="cannot be a code name"):
            s.define_tag("新 代码")  # the reader's codebook "new code"
        s.rename_code("安全 生产", "安全生产")
        assert s.notes(A).tags == ("安全生产",) and s.notes(B).tags == ("安全生产",)
