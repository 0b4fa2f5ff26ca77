"""Pages built one by one from the index teach the segmenter their names on one worker
thread, not one thread per page (``retrieve`` building 1,650 pages started 1,650)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from corpus.segment import learn_names
from storage.library import Library

SURNAMES = "张王李赵刘陈杨黄周吴"


def test_building_many_pages_starts_one_names_thread_and_teaches_every_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    for n, s in enumerate(SURNAMES):
        (root / f"p{n:02d}.txt").write_text(
            f"## 第{n}条消息\n\n本报讯（记者 {s}明远）市里召开会议，讨论第{n}件事情。\n", "utf-8"
        )
    lib = Library(root, cache_dir=tmp_path / "cache", user_dict=tmp_path / "user.txt")
    lib.refresh_index(workers=1)
    lib.index = None
    taught: list[set[str]] = []
    monkeypatch.setattr(lib.segmenter, "add_names", lambda names: taught.append(set(names)))
    started: list[str] = []
    start = threading.Thread.start

    def counted(self: threading.Thread) -> None:
        started.append(self.name)
        start(self)

    monkeypatch.setattr(threading.Thread, "start", counted)
    pages = [f"p{n:02d}" for n in range(len(SURNAMES))]
    built = [lib.issue(p) for p in pages]
    assert lib.lazy and all(built)
    assert len(started) <= 1  # one worker (it may still be draining), not one per page
    assert lib._name_learner is not None
    assert lib._name_learner.wait(5)
    expected = learn_names(f"{a.reporters}\n{a.text}" for p in built if p for a in p.articles)
    assert expected == {f"{s}明远" for s in SURNAMES}
    assert set().union(*taught) == expected  # every page's names, none lost in the batches
    for p in pages:  # built again (dropped from the cache): nothing new to teach, no thread
        lib.forget_page(p)
        lib.issue(p)
    assert lib._name_learner.wait(5)
    assert len(started) <= 1 and sum(map(len, taught)) == len(expected)
