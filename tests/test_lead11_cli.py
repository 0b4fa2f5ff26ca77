"""``piyue --version`` names the installed version (testerC: a bug report needs it)."""

from __future__ import annotations

import pytest

from cli import main, version


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.strip() == f"piyue {version()}" and version()[0].isdigit()
