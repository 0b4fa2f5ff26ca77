"""The configured linters pass: ruff (lint + format) and mypy --strict (pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT


def test_ruff() -> None:
    pytest.importorskip("ruff")
    for args in (["check", "."], ["format", "--check", "."]):
        proc = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict() -> None:
    pytest.importorskip("mypy")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
