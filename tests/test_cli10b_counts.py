"""Counts say what they count (test user A, F12/F19): retrieve's "articles" are article tags
and its items are judged one by one (said when the query combines codes), the codebook's are
tagged articles, cooccur's and stats' articles carry a code, coders' articles are touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_cli9_export import A, B, Cli


def test_every_article_count_is_labelled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    assert cli("tag", A, "营商环境", "安全")[0] == 0
    assert cli("highlight", A, "制造业", "--tag", "营商环境")[0] == 0
    assert cli("highlight", B, "营商环境", "--tag", "营商环境")[0] == 0
    code, out, _ = cli("retrieve", "营商环境 and not 安全")
    lines = out.splitlines()
    assert code == 0 and lines[-2] == "2 passages, 0 tagged articles"
    assert "judged by its own codes" in lines[-1] and "judge whole articles" in lines[-1]
    code, out, _ = cli("retrieve", "营商环境")
    assert out.splitlines()[-1] == "2 passages, 1 tagged article"
    code, out, _ = cli("codes")
    assert "营商环境" in out and "1 tagged article, 2 passages" in out
    code, out, _ = cli("cooccur")
    assert out.splitlines()[-1] == (
        "articles: articles carrying both codes (as a tag or on a passage)"
    )
    code, out, _ = cli("cooccur", "--passages")
    assert out.splitlines()[-1] == "passages: pairs of overlapping passages of the two codes"
    code, out, _ = cli("coders")
    assert out.splitlines()[-1].startswith("articles: every article the coder tagged")
