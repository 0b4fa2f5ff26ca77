"""The codebook line under the panes: quick tags 1–9 with their counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.widgets import Static

from tui.render import assemble, plain
from tui.widgets.lists import truncate

if TYPE_CHECKING:
    from storage.annotations import TagDef


class Codebook(Static):
    """Quick tags 1–9 with their descriptions and counts."""

    def show(self, quick: Sequence[str], defs: dict[str, TagDef], counts: dict[str, int]) -> None:
        if not any(quick):
            self.update(plain("快捷标签 quick tags: 用 t 添加标签后出现 (tags appear here)", "dim"))
            return
        parts: list[str | tuple[str, str]] = []
        for i, t in enumerate(quick, start=1):
            if not t:
                continue  # a free digit
            d = defs.get(t)
            colour = d.colour if d else "#888888"
            parts += [
                (f"{i}", "bold"),
                " ",
                (f" {t} ", f"#101010 on {colour}"),
                (f" {counts.get(t, 0)}", "dim"),
            ]
            if d and d.description:
                parts.append((f" {truncate(d.description, 16)}", "dim italic"))
            parts.append("   ")
        self.update(assemble(*parts))
