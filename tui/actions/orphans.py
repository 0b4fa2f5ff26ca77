"""Orphans (``O``): codings whose article could not be found again after the pages changed,
attached by hand to the article being read — what ``piyue orphans attach`` does, for a user
who sees the right article on screen and should not have to copy ids into a shell."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.screens.base import ScreenBase, dialogs
from tui.widgets import truncate

if TYPE_CHECKING:
    from corpus.model import Article


def orphan_row(o: dict[str, Any], here: Article) -> tuple[bool, str]:
    """(whether it fits ``here``, its row): an orphaned article by its title and old id, a
    passage by its quote; one whose quote is in this article's text said first."""
    codes = truncate(" ".join(f"#{t}" for t in o.get("tags") or ()), 24)
    if o["type"] == "highlight":
        fits = bool(o.get("quote")) and o["quote"] in here.text
        mark = "✓ 引文在本文 quote here · " if fits else ""
        return fits, (
            f"{mark}段落 passage «{truncate(o.get('quote', ''), 30)}» {codes}"
            f" · 原 was {o['article_id']}"
        )
    note = f" · 笔记 note «{truncate(o['note'], 16)}»" if o.get("note") else ""
    title = truncate(o.get("title") or "(无标题)", 30)
    return False, f"文章 article {title} {codes}{note} · 原 was {o['article_id']}"


class OrphanActions(ScreenBase):
    def action_orphans(self) -> None:
        """Pick one of your orphans and attach it to the article on screen (``u`` undoes)."""
        article = self.article
        if article is None:
            self.notify("先打开要挂到的文章 open the article to attach an orphan to first")
            return
        store = self.ws.store
        every = store.orphans()
        mine = [o for o in every if o.get("coder") == store.coder]
        theirs = len(every) - len(mine)
        if not mine:
            other = f" ({theirs} of other coders: switch coder to attach them)" if theirs else ""
            self.notify(f"没有孤儿编码 no orphans of yours ({store.coder}){other}")
            return
        rows = [(o, *orphan_row(o, article)) for o in mine]
        rows.sort(key=lambda r: not r[1])  # stable: a passage that fits first
        items = [
            (o["id"] if o["type"] == "highlight" else o["article_id"], row) for o, _f, row in rows
        ]
        title = f"挂到本文 Attach an orphan to «{truncate(article.title or article.id, 30)}»"
        if theirs:
            title += f" (yours; {theirs} of other coders not listed)"

        def chosen(ref: str | None) -> None:
            if ref is None or self.article is not article or not self.writable():
                return
            done = self.guard(lambda: store.attach_orphan(ref, article))
            if done is None:
                return
            moved = (["标签和笔记 tags and note"] if done.article else []) + (
                [f"{done.passages} 段 passage(s)"] if done.passages else []
            )
            left = (
                f"; {len(done.left)} 段不在本文，仍为孤儿 not in this text, still orphans"
                if done.left
                else ""
            )
            self.notify(
                f"{' + '.join(moved) or '没有 nothing'} → {truncate(article.title, 24)}{left}"
                " (u 撤销 undo)",
                title="已挂上 attached",
                timeout=6,
                markup=False,
            )
            self.after_change()

        self.app.push_screen(dialogs().PickDialog(title, items), chosen)
