"""tui → storage → corpus, and the domain never imports Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

FORBIDDEN = {"corpus": {"textual", "storage", "tui"}, "storage": {"textual", "tui"}}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers(package: str) -> None:
    for path in (ROOT / package).rglob("*.py"):
        bad = imports(path) & FORBIDDEN[package]
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_domain_runs_without_textual() -> None:
    code = (
        "import sys, corpus.load, corpus.segment, corpus.keywords, storage.annotations, "
        "storage.index, storage.export, storage.library, tui.cli\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
