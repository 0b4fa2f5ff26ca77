"""``piyue index`` counts skipped files and folders as ``piyue list`` does: it said
"3 skipped" where list said 4 (a symbolic-link loop, dead links and pipes were left out),
and a second run counted the skipped files as "unchanged" pages."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from .conftest import SEEDS
from .test_cli9_export import Cli


def test_index_and_list_count_the_same_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "c"
    (corpus / "loop" / "sub").mkdir(parents=True)
    for page in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(page, corpus / page.name)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02" * 500)
    os.symlink("/nonexistent/x.txt", corpus / "dead.txt")
    os.symlink("../..", corpus / "loop" / "sub" / "back")
    os.mkfifo(corpus / "pipe.txt")
    cli = Cli(tmp_path / "a.json", capsys)
    cli.base[1] = str(corpus)
    code, out, err = cli("list", "--json")
    assert code == 0, err
    skipped = len(json.loads(out)["skipped"])
    assert skipped == 5
    for parsed, unchanged in ((2, 0), (0, 2)):
        code, out, err = cli("index")
        assert code == 0, err
        counts = re.search(r"\((\d+) parsed, (\d+) unchanged, (\d+) removed, (\d+) skipped\)", out)
        assert counts is not None, out
        assert counts.groups() == (str(parsed), str(unchanged), "0", str(skipped))
        assert out.startswith("2 pages,") and err.endswith("2 pages read, 5 files skipped\n")
