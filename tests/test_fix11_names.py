"""An untitled fragment has one name everywhere: the reader's label, not "(无标题)" on the
command line (testerC F14)."""

from __future__ import annotations

import pytest

from cli import main
from corpus.load import load_corpus

from .conftest import SEEDS


def test_list_and_show_name_a_fragment_as_the_reader_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    frag = next(a for a in load_corpus(SEEDS).articles if not a.title)
    assert frag.label.startswith("（片段）")
    assert main(["--corpus", str(SEEDS), "list"]) == 0
    (row,) = [x for x in capsys.readouterr().out.splitlines() if frag.id in x]
    assert f"{frag.id}  {frag.label}  [行" in row and "无标题" not in row
    assert main(["--corpus", str(SEEDS), "show", frag.id]) == 0
    assert capsys.readouterr().out.startswith(f"# {frag.label}\n")
