"""``M`` asks first, saying what the merge does to codings: the next article's tags, note
and passages — every coder's — become the first article's.  Done at once, a merge left a
user wondering where the next article's codings went (they moved, counted only afterwards)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.actions.corrections import CorrectionActions
from tui.screens.base import dialogs
from tui.widgets import plural, truncate

if TYPE_CHECKING:
    from corpus.model import Article
    from storage.annotations import Store


def spans_text(article: Article) -> str:
    return ", ".join(f"{s}–{e}" for s, e in article.spans)


def codings_of(store: Store, article: Article) -> tuple[str, str]:
    """(totals, per coder) of the article's codings, every coder's: "2 个标签 tags (a, b),
    1 条笔记 note, 3 段 passages" and "alice: 2 tags, 1 passage; bob: 2 passages"."""
    per: dict[str, list[int]] = {}
    tags: list[str] = []
    for coder, n in store.notes_by_coder(article.id).items():
        tags += [t for t in n.tags if t not in tags]
        per.setdefault(coder, [0, 0, 0])[:2] = [len(n.tags), 1 if n.note else 0]
    for h in store.highlights(article.id, coders=None):
        if not h.orphan:
            per.setdefault(h.coder, [0, 0, 0])[2] += 1
    total = [sum(p[k] for p in per.values()) for k in range(3)]
    if not any(total):
        return "", ""
    named = f" ({truncate(', '.join(tags), 30)})" if tags else ""
    totals = ", ".join(
        x
        for x in (
            f"{total[0]} 个标签 {plural(total[0], 'tag')}{named}" if total[0] else "",
            f"{total[1]} 条笔记 {plural(total[1], 'note')}" if total[1] else "",
            f"{total[2]} 段 {plural(total[2], 'passage')}" if total[2] else "",
        )
        if x
    )
    whose = "; ".join(
        f"{coder}: "
        + ", ".join(
            f"{n} {plural(n, what)}"
            for n, what in zip(p, ("tag", "note", "passage"), strict=True)
            if n
        )
        for coder, p in sorted(per.items())
        if any(p)
    )
    return totals, whose


class MergeActions(CorrectionActions):
    def action_merge_next(self) -> None:
        """Confirm first, naming both articles and the codings that move to the first."""
        art, pages = self.article, self.pages
        if art is None or pages is None:
            return
        page = pages.issue_of(art)
        ids = [a.id for a in page.articles]
        if art.id not in ids or ids.index(art.id) + 1 >= len(ids):
            super().action_merge_next()  # the last article: refused there, with its reason
            return
        nxt = page.articles[ids.index(art.id) + 1]
        first, second = truncate(art.title or art.label, 24), truncate(nxt.title or nxt.label, 24)
        totals, whose = codings_of(self.ws.store, nxt)
        moved = (
            f"「{second}」的编码归入「{first}」 its codings become the first article's: "
            f"{totals} — {whose}."
            if totals
            else f"「{second}」没有编码 it has no codings."
        )
        question = (
            f"把「{first}」与下一篇「{second}」合并? Merge with the next article: one article "
            f"of lines {spans_text(art)} + {spans_text(nxt)}. {moved} "
            "(u 撤销 undoes; S 拆分 splits it again)"
        )

        def decided(yes: bool | None) -> None:
            if yes and self.article is art:
                super(MergeActions, self).action_merge_next()

        self.app.push_screen(dialogs().ConfirmDialog(question), decided)
