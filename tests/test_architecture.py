"""tui → storage → corpus, and the domain never imports Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

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
        "storage.index, storage.export, storage.library, workspace.session, workspace.exchange, cli, cli.reading, cli.annotate, cli.exchange\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


PACKAGES = ("corpus", "storage", "workspace", "cli", "tui")


def _graph() -> object:
    import grimp

    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)


def test_no_import_cycles_lazy_imports_included() -> None:
    """Every import the code can run (module level or inside a function) counts; imports
    only for type checkers do not. A cycle anywhere fails, with its modules named."""
    graph: Any = _graph()
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & set(modules)) for m in modules}
    # Tarjan's strongly connected components, iteratively
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            recurse = False
            for j in range(i, len(edges[node])):
                nxt = edges[node][j]
                if nxt not in index:
                    work.append((node, j + 1))
                    work.append((nxt, 0))
                    recurse = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if recurse:
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1 or node in edges[node]:
                    cycles.append(sorted(comp))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    assert not cycles, f"import cycles: {cycles}"


def test_the_reader_never_imports_the_command_line() -> None:
    graph: Any = _graph()
    for module in graph.modules:
        if module.startswith("tui") and module != "tui.__main__":
            bad = {
                m for m in graph.find_modules_directly_imported_by(module) if m.startswith("cli")
            }
            assert not bad, f"{module} imports {bad}"
        if module.startswith("cli"):
            got = {
                m for m in graph.find_modules_directly_imported_by(module) if m.startswith("tui")
            }
            assert got <= {"tui.app"}, f"{module} imports {got} (only tui.app, to launch it)"


def test_no_private_names_imported_across_modules() -> None:
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    if node.module.split(".")[0] not in PACKAGES:
                        continue
                    private = [a.name for a in node.names if a.name.startswith("_")]
                    assert not private, f"{path.relative_to(ROOT)} imports {private}"


def test_import_linter_contracts_hold() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports; raise SystemExit(lint_imports())",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_no_module_over_600_lines() -> None:
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            n = len(path.read_text("utf-8").splitlines())
            assert n <= 650, f"{path.relative_to(ROOT)} has {n} lines (split it along its seams)"
