"""A page's term counts are not stored: they are counted again from its tokens, with the
learned terms it was counted with, and must add up to the stored totals (pool or not)."""

from __future__ import annotations

from pathlib import Path

from corpus.terms import Counts
from storage.index import Index
from storage.pagestore import unpack_counts
from tests.conftest import SEEDS


def _summed(idx: Index) -> Counts:
    total = Counts()
    for (rel,) in idx.db.execute("SELECT rel FROM pages WHERE skipped IS NULL").fetchall():
        got = idx.page_counts(rel)
        assert got is not None
        total.merge(got)
    return total


def test_page_counts_add_up_through_changes(tmp_path: Path, seeds_copy: Path) -> None:
    for i in range(2):  # enough pages for the pool
        for p in sorted(SEEDS.glob("*.txt")):
            (seeds_copy / f"copy{i}_{p.name}").write_bytes(p.read_bytes())
    idx = Index(seeds_copy, tmp_path / "c")
    idx.refresh(workers=2)
    assert _summed(idx).to_json() == unpack_counts(idx._blob("totals")).to_json()
    # the second refresh segments with the terms the first one learned: another expansion
    for p in sorted(seeds_copy.glob("copy0_*"))[:2]:
        p.unlink()
    changed = sorted(seeds_copy.glob("copy1_*"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n另起一段新的文字。\n", "utf-8")
    idx.refresh(workers=2)
    assert _summed(idx).to_json() == unpack_counts(idx._blob("totals")).to_json()
    kept = {k for (k,) in idx.db.execute("SELECT key FROM blobs WHERE key LIKE 'expand:%'")}
    used = {f"expand:{c}" for (c,) in idx.db.execute("SELECT DISTINCT counted FROM pages")}
    assert kept == used
    idx.close()


def test_counts_pack_as_marshal_and_old_json_still_reads() -> None:
    """Counts go through marshal (cheap to write in every worker); blobs written as JSON by
    an earlier piyue read the same."""
    import json
    import zlib
    from collections import Counter

    from corpus.terms import Counts
    from storage.pagestore import pack_counts, unpack_counts

    c = Counts(
        Counter({"营商 环境": 3, "洛阳": 2}), Counter({"吴劲松": 1}), 40, 2, Counter({"五每": 1})
    )
    assert unpack_counts(pack_counts(c)) == c
    old = zlib.compress(json.dumps(c.to_json(), ensure_ascii=False).encode(), 6)
    assert unpack_counts(old) == c
    assert unpack_counts(None) == Counts()
