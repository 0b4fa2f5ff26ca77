"""Every test runs with its own PIYUE_HOME: never the user's data, never /tmp/jieba.cache."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(autouse=True)
def piyue_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PIYUE_HOME", str(home))
    for var in ("PIYUE_CORPUS", "PIYUE_DB"):
        monkeypatch.delenv(var, raising=False)
    # One coder name on every machine (the login name differs); the reader does not ask it.
    # Set directly, not through ``monkeypatch``: tests that call ``monkeypatch.undo()`` must
    # not change who is coding half-way.
    old_coder = os.environ.get("PIYUE_CODER")
    os.environ["PIYUE_CODER"] = "测试员"
    # The jieba dictionary cache is slow to build: share one across the session.
    shared = ROOT / ".pytest_cache" / "jieba"
    shared.mkdir(parents=True, exist_ok=True)
    (home / "cache").mkdir()
    os.symlink(shared, home / "cache" / "jieba")
    yield home
    if old_coder is None:
        os.environ.pop("PIYUE_CODER", None)
    else:
        os.environ["PIYUE_CODER"] = old_coder


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed pages."""
    dst = tmp_path / "corpus"
    dst.mkdir()
    for p in SEEDS.glob("*.txt"):
        (dst / p.name).write_bytes(p.read_bytes())
    return dst
