"""A reader of the database never misses the journal the writer folds in while it reads
(testerC F9: a command run as the reader quit did not know a code the reader had just made)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import durable
from storage.durable import DurableStorage


def test_a_read_during_the_writers_fold_sees_the_journals_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "annotations.json"
    writer = DurableStorage(path)
    writer.data = {"tags": {}}
    writer.compact()
    writer.apply({"tags": {"1": {"name": "跨段"}}})  # in the journal, not in the file yet
    assert path.with_name(path.name + ".journal").exists()

    replay = DurableStorage._replay
    folded: list[bool] = []

    def fold_first(self: DurableStorage, tables: durable.Tables) -> None:
        if not folded:  # the writer quits after the reader read the file, before the journal
            folded.append(True)
            writer.compact()
            writer.close()
        replay(self, tables)

    monkeypatch.setattr(DurableStorage, "_replay", fold_first)
    reader = DurableStorage(path, readonly=True)
    assert folded
    assert reader.data["tags"] == {"1": {"name": "跨段"}}
