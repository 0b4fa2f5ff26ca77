"""Stopping an index build (tester B, F9/F10): Ctrl-C during ``piyue index`` hung on
concurrent.futures' InvalidStateError and left pool workers running under PID 1, as did
``kill -9``; ``q`` in the reader while it indexed waited for the whole build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.app import make_app

MAKE = Path("/work/shared/tools/make_corpus.py")
ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not MAKE.exists(), reason="needs the corpus generator")


def corpus(tmp_path: Path, pages: int) -> Path:
    out = tmp_path / "c"
    subprocess.run([sys.executable, str(MAKE), str(out), "--pages", str(pages)], check=True)
    return out


def children(pid: int) -> list[int]:
    """Every thread's children (the reader forks its pool from a worker thread)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def alive(pids: list[int]) -> list[int]:
    """Those still running (a zombie waiting for its reaper counts as gone)."""
    out = []
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.append(p)
    return out


def start_index(tmp_path: Path, pages: int) -> tuple[subprocess.Popen[str], list[int]]:
    """``piyue index`` on a fresh cache, once its pool workers are up."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PIYUE_HOME=str(tmp_path / "home"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "--corpus", str(corpus(tmp_path, pages)), "index"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's job is
    )
    kids: list[int] = []
    for _ in range(600):
        kids = children(proc.pid)
        if len(kids) >= 2 or proc.poll() is not None:
            break
        time.sleep(0.05)
    time.sleep(0.5)  # into the pages
    assert proc.poll() is None and kids, "the index finished before it could be interrupted"
    return proc, kids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_the_index_at_once_in_one_line(tmp_path: Path) -> None:
    proc, kids = start_index(tmp_path, 600)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
    try:
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert "Traceback" not in err and "Exception" not in err, err
    assert "interrupted; the index is as it was" in err
    time.sleep(0.5)
    assert not alive(kids)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_pool_workers_die_with_a_killed_index(tmp_path: Path) -> None:
    proc, kids = start_index(tmp_path, 600)
    proc.kill()  # kill -9: no handler runs
    proc.wait()
    left = kids
    for _ in range(60):
        left = alive(kids)
        if not left:
            break
        time.sleep(0.05)
    for p in left:
        os.kill(p, signal.SIGKILL)
    assert not left, "pool workers outlived their parent"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_quitting_the_reader_while_it_indexes_stops_at_once(tmp_path: Path) -> None:
    app = make_app(corpus(tmp_path, 1000), tmp_path / "db" / "annotations.json")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(600):
            if len(children(os.getpid())) >= 2:
                break
            await pilot.pause(0.05)
        kids = children(os.getpid())
        assert kids, "the reader never started its index pool"
        await pilot.pause(0.3)
        t0 = time.perf_counter()
        await pilot.press("q")
    # the reader's index thread has stopped its pool (run_test waited for the app to exit)
    for _ in range(100):
        if not alive(kids):
            break
        time.sleep(0.02)
    took = time.perf_counter() - t0
    assert not alive(kids)
    assert took < 3, f"{took:.1f}s from q to a stopped index"
