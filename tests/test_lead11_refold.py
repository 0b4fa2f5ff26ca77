"""A page OCR'd again differs from the coded text in punctuation width and spacing (，→,
and a moved line break): the passage stays on its article, and ``orphans attach`` finds a
quote that differs only so (testerC F13: one comma orphaned a coded passage for good)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage.annotations.reattach import reanchor
from tests.test_anch10_anchoring import ids, run

PAGE = (
    "## 西工区：提升服务企业效能\n\n"
    "开展免费快递服务。西工区着力完善企业服务工作机制，建立健全企业诉求快速响应制度。\n\n"
    "第二段讲的是营商环境。\n"
)


def passages(capsys: pytest.CaptureFixture[str], root: Path, db: Path) -> list[dict[str, object]]:
    out, _ = run(capsys, root, db, "retrieve", "企业服务", "--json")
    return list(json.loads(out)["items"])


def test_a_passage_follows_a_page_ocrd_again_with_other_punctuation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root, db = tmp_path / "arch", tmp_path / "a.json"
    (root / "报" / "01").mkdir(parents=True)
    md = root / "报" / "01" / "01.md"
    md.write_text(PAGE, "utf-8")
    (aid,) = ids(capsys, root, db)
    run(capsys, root, db, "highlight", aid, "企业服务工作机制，建立健全", "--tag", "企业服务")
    md.write_text(
        PAGE.replace("机制，建立", "机制,建立 ").replace("开展", "（本报新增导语）开展"), "utf-8"
    )
    (item,) = passages(capsys, root, db)
    assert item["article_id"] == aid
    assert item["quote"] == "企业服务工作机制,建立健全"  # the text as it is now
    out, _ = run(capsys, root, db, "orphans", "--json")
    assert json.loads(out)["orphans"] == []


def test_the_folded_quote_nearest_its_old_place_and_never_a_mere_part() -> None:
    class Art:
        text = "甲，乙。丙丁。甲, 乙。"

    d = {"quote": "甲，乙", "start": 8, "end": 11, "prefix": "", "suffix": ""}
    assert reanchor(Art(), d) == (0, 3)  # the exact quote first
    d = {"quote": "甲,乙", "start": 8, "end": 11, "prefix": "", "suffix": ""}
    assert reanchor(Art(), d) == (7, 11)  # folded: 甲, 乙 (a space) nearest the old place
    assert reanchor(Art(), d, context_only=True) is None
    d = {"quote": "甲，乙丁", "start": 0, "end": 4, "prefix": "", "suffix": ""}
    assert reanchor(Art(), d) is None
