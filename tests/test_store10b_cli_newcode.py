"""``piyue tag ID 党`` with 党建 in the codebook created 党 silently (tester A, F5); the
reader asks first.  The command line now says on stderr that it made a new code and names
the existing codes like it; tagging with known codes says nothing more."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_cli9_export import A, B, Cli


def test_a_new_code_is_announced_with_similar_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    rc, _out, err = cli("tag", A, "党建")
    assert rc == 0 and err.endswith("\npiyue: new code 党建\n")
    rc, out, err = cli("tag", B, "党", "党建", "反诈")
    assert rc == 0 and out == f"{B}: 党 党建 反诈\n"
    assert err == "piyue: new code 党 (codes like it: 党建)\npiyue: new code 反诈\n"
    rc, _out, err = cli("tag", A, "党", "反诈")
    assert rc == 0 and err == ""
