"""Annotating: tags, notes, coded passages, quick tags, read marks, stars, undo/redo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.screens.base import ScreenBase, dialogs
from tui.widgets import Reader, truncate

if TYPE_CHECKING:
    from corpus.model import Article
    from storage.annotations import Highlight


class AnnotateActions(ScreenBase):
    """Each action names its target in its dialog: the highlighted row while the article
    list has focus, else the article in the reader (``target_article``)."""

    def passage_here(self, article: Article | None) -> Highlight | None:
        """The coded passage under the word caret (passage mode, nothing selected)."""
        reader = self.query_one(Reader)
        if article is None or article is not self.article or reader.mode != "caret":
            return None
        tok = reader.caret_token()
        return self.ws.passage_at(article, tok[0]) if tok is not None else None

    def refuse_others(self, here: Highlight | None) -> bool:
        """Whether ``here`` is another coder's passage (said once; nothing changes)."""
        coder = self.ws.store.coder
        if here is None or here.coder == coder:
            return False
        self.notify(
            f"这段是 {here.coder} 的编码 this passage is {here.coder}'s: {coder} cannot change it",
            severity="warning",
        )
        return True

    def caret_on_coded(self) -> None:
        """After coding a selection the caret stays on the passage (caret mode), so the next
        ``n``/``t``/``D`` act on the passage just coded, as the legend says (testerC F2: ``n``
        went to the article's note); Esc goes back to reading."""
        reader = self.query_one(Reader)
        if reader.mode == "select":
            reader.toggle_passage_mode()

    def coding_target(self) -> tuple[Article, tuple[int, int] | None] | None:
        """The target article and the selection in it (only when it is the reader's); None
        when there is no article or the database is read-only (said once)."""
        article = self.target_article()
        if article is None or not self.writable():
            return None
        sel = self.query_one(Reader).selection() if article is self.article else None
        return article, sel

    def naming(self, article: Article, cells: int) -> str:
        """A dialog's target: the title, then where it is (date, page), since the same
        article reprinted on several dates has the same title."""
        where = ""
        if self.pages is not None:
            issue = self.pages.issue_of(article)
            bits = [issue.date or "", f"第{issue.page}版" if issue.page is not None else ""]
            where = " ".join(b for b in bits if b) or issue.id
        return (
            f"{truncate(article.title or article.label, cells)}  ({where})"
            if where
            else (truncate(article.title or article.label, cells))
        )

    def _vocabulary(self) -> list[str]:
        store = self.ws.store
        vocab = [t for t, _ in sorted(store.tag_counts().items(), key=lambda kv: -kv[1])]
        return vocab + [t.name for t in store.tag_defs() if t.name not in vocab]

    def action_tag(self) -> None:
        target = self.coding_target()
        if target is None:
            return
        article, sel = target
        ws = self.ws
        if sel is not None:
            start, end = sel
            quote = article.text[start:end]

            def passage_done() -> None:
                self.caret_on_coded()
                self.after_change()

            def tag_passage(tags: list[str]) -> str:
                return self.attempt(
                    lambda: ws.code_passage(article, start, end, tags),
                    f"«{truncate(quote, 20)}» ← {' '.join(tags)}",
                    passage_done,
                )

            self.app.push_screen(
                dialogs().TagDialog(
                    f"给段落加标签 Tag passage «{truncate(quote, 30)}»",
                    self._vocabulary(),
                    save=tag_passage,
                )
            )
            return
        here = self.passage_here(article)
        if self.refuse_others(here):
            return
        if here is not None:
            hid = here.id

            def code_here(tags: list[str]) -> str:
                if all(t in here.tags for t in tags):
                    self.notify(f"«{truncate(here.quote, 20)}» 已有 already has {' '.join(tags)}")
                    return ""
                return self.attempt(
                    lambda: ws.add_passage_codes(hid, tags),
                    f"«{truncate(here.quote, 20)}» ← {' '.join(tags)}",
                    self.after_change,
                )

            self.app.push_screen(
                dialogs().TagDialog(
                    f"给段落加代码 Code passage «{truncate(here.quote, 30)}»",
                    self._vocabulary(),
                    here.tags,
                    save=code_here,
                )
            )
            return

        def tag_article(tags: list[str]) -> str:
            if self.already_tagged(article, tags):
                return ""
            return self.attempt(
                lambda: ws.tag(article, tags),
                f"{' '.join(tags)} → {truncate(article.title, 20)}",
                self.after_change,
            )

        self.app.push_screen(
            dialogs().TagDialog(
                f"标签 Tag: {self.naming(article, 40)}",
                self._vocabulary(),
                ws.store.notes(article.id).tags,
                save=tag_article,
            )
        )

    def action_untag(self) -> None:
        article = self.target_article()
        if article is None or not self.writable():
            return
        store = self.ws.store
        here = self.passage_here(article)
        if self.refuse_others(here):
            return
        if here is not None:
            hid = here.id

            def uncode(tag: str | None) -> None:
                if tag and self.guard(lambda: self.ws.remove_passage_codes(hid, [tag]), f"− {tag}"):
                    self.after_change()

            self.app.push_screen(
                dialogs().PickDialog(
                    f"删除段落代码 Remove code from «{truncate(here.quote, 24)}»",
                    [(t, t) for t in here.tags],
                ),
                uncode,
            )
            return
        # every coder's tags show with ``B``; only your own can be removed (another's were
        # offered, then refused as "has no tag")
        by = store.notes_by_coder(article.id)
        mine = by.get(store.coder)
        tags = mine.tags if mine is not None else ()
        others = sorted({t for c, n in by.items() if c != store.coder for t in n.tags})
        if not tags:
            whose = f" (其他编码者 other coders': {' '.join(others)})" if others else ""
            self.notify(f"这篇文章没有你的标签 none of your tags on this article{whose}")
            return

        def chosen(tag: str | None) -> None:
            if tag and self.guard(lambda: self.ws.untag(article, [tag]), f"− {tag}"):
                self.after_change()

        self.app.push_screen(
            dialogs().PickDialog(
                f"删除标签 Remove tag: {truncate(article.title, 30)}", [(t, t) for t in tags]
            ),
            chosen,
        )

    def action_note(self) -> None:
        target = self.coding_target()
        if target is None:
            return
        article, sel = target
        ws = self.ws
        if sel is not None:
            start, end = sel
            quote = article.text[start:end]

            def passage_done() -> None:
                self.caret_on_coded()
                self.after_change()

            def note_passage(text: str) -> str:
                return self.attempt(
                    lambda: ws.code_passage(article, start, end, (), text),
                    "段落笔记 passage note",
                    passage_done,
                )

            self.app.push_screen(
                dialogs().NoteDialog(
                    f"段落笔记 Note on «{truncate(quote, 30)}»", "", save=note_passage
                )
            )
            return
        here = self.passage_here(article)
        if self.refuse_others(here):
            return
        if here is not None:
            hid = here.id

            def note_here(text: str) -> str:
                return self.attempt(
                    lambda: ws.set_passage_note(hid, text),
                    "段落笔记 passage note",
                    self.after_change,
                )

            self.app.push_screen(
                dialogs().NoteDialog(
                    f"段落笔记 Note on «{truncate(here.quote, 30)}»", here.note, save=note_here
                )
            )
            return

        def save_note(text: str) -> str:
            return self.attempt(lambda: ws.set_note(article, text), "笔记 note", self.after_change)

        self.app.push_screen(
            dialogs().NoteDialog(
                f"文章笔记 Article note: {self.naming(article, 40)}",
                ws.store.notes(article.id).note,
                save=save_note,
            )
        )

    def action_visual(self) -> None:
        if self.article is None:
            return
        if not self.ws.library.segmenter.loaded:
            self.notify("词典加载中 the dictionary is still loading")
        reader = self.query_one(Reader)
        if reader.mode == "read":
            self.set_pane("reader")
        reader.toggle_passage_mode()

    def action_cancel_visual(self) -> None:
        self.query_one(Reader).cancel_passage_mode()

    def action_delete_passage(self) -> None:
        if self.article is None or not self.writable():
            return
        here = self.passage_here(self.article)
        if here is not None:
            hid = here.id
            if self.guard(lambda: self.ws.delete_passage(hid), "删除段落 passage deleted (u 撤销)"):
                self.after_change()
            return
        passages = self.ws.store.highlights(self.article.id)
        if not passages:
            self.notify("没有编码段落 no coded passages here")
            return

        def chosen(hid: str | None) -> None:
            if hid and self.guard(lambda: self.ws.delete_passage(hid), "删除段落 passage deleted"):
                self.after_change()

        items = [(h.id, f"«{truncate(h.quote, 40)}» {' '.join(h.tags)}") for h in passages]
        self.app.push_screen(
            dialogs().PickDialog("删除编码段落 Delete coded passage", items), chosen
        )

    def action_passages(self) -> None:
        """``P``: the article's coded passages; Enter puts the caret on one."""
        article = self.article
        if article is None:
            return
        passages = [h for h in self.ws.store.highlights(article.id) if not h.orphan]
        if not passages:
            self.notify("没有编码段落 no coded passages here")
            return

        def jump(hid: str | None) -> None:
            h = next((p for p in passages if p.id == hid), None)
            if h is not None:
                self.set_pane("reader")
                self.query_one(Reader).caret_to(h.start)

        me = self.ws.store.coder

        def whose(h: Highlight) -> str:
            """Another coder's passage (shown with ``B``) names its coder."""
            return "" if h.coder == me else f"  @{h.coder}"

        items = [
            (
                h.id,
                f"«{truncate(h.quote, 36)}» {' '.join(h.tags) or '—'}"
                f"{' ✎' if h.note else ''}{whose(h)}",
            )
            for h in sorted(passages, key=lambda p: p.start)
        ]
        self.app.push_screen(dialogs().PickDialog("编码段落 Coded passages", items), jump)

    def action_resize_passage(self) -> None:
        """``R`` with a selection: the coded passage it overlaps takes the selection's bounds."""
        article = self.article
        sel = self.query_one(Reader).selection()
        if article is None or sel is None or not self.writable():
            self.notify("先选择新的范围 select the new extent first (v … v)")
            return
        start, end = sel
        hits = [
            h
            for h in self.ws.store.highlights(article.id)
            if not h.orphan and h.start < end and start < h.end
        ]
        if not hits:
            self.notify("选择须与一个编码段落重叠 the selection must overlap a coded passage")
            return
        if len(hits) > 1:  # which one is meant cannot be told: say which it touches
            which = ", ".join(f"«{h.quote[:12]}» {' '.join(h.tags)}".strip() for h in hits)
            self.notify(
                f"选择重叠 {len(hits)} 个编码段落 the selection overlaps {len(hits)} coded passages"
                f" ({which}): 只选其中一个 select within exactly one",
                severity="warning",
            )
            return
        hid = hits[0].id
        if self.guard(lambda: self.ws.resize_passage(hid, article, start, end), "段落范围 resized"):
            self.action_cancel_visual()
            self.after_change()

    def action_toggle_read(self) -> None:
        article = self.target_article()
        if article is None or not self.writable():
            return
        now = not self.ws.store.notes(article.id).read
        if self.guard(lambda: self.ws.set_read(article, now)):
            self.refresh_articles(article.id)
            if self.pages is not None:
                self.refresh_issue_row(self.pages.issue_of(article))
            self.status("已读 marked read" if now else "未读 marked unread")

    def action_toggle_star(self) -> None:
        article = self.target_article()
        if article is None or not self.writable():
            return
        now = not self.ws.store.notes(article.id).starred
        if self.guard(lambda: self.ws.set_starred(article, now), "★" if now else "☆"):
            self.after_change()

    def action_quick_tag(self, n: int) -> None:
        target = self.coding_target()
        if target is None:
            return
        article, sel = target
        quick = self.ws.store.quick_tags()
        tag = quick[n - 1] if n <= len(quick) else ""
        if not tag:
            self.notify(f"快捷标签 {n} 未定义 quick tag {n} is not set")
            return
        if sel is not None:
            start, end = sel
            if self.already_coded(article, start, end, [tag]):
                self.action_cancel_visual()
                return
            if self.guard(
                lambda: self.ws.code_passage(article, start, end, [tag]), f"段落 ← {tag}"
            ):
                self.action_cancel_visual()
                self.after_change()
            return
        here = self.passage_here(article)
        if here is not None:  # the caret in a coded passage: the digit codes the passage
            if tag in here.tags:
                self.notify(f"«{truncate(here.quote, 20)}» 已有 already has {tag}", timeout=2)
            elif self.guard(
                lambda: self.ws.add_passage_codes(here.id, [tag]),
                f"«{truncate(here.quote, 20)}» ← {tag}",
            ):
                self.after_change()
            return
        if self.already_tagged(article, [tag]):
            return
        if self.guard(
            lambda: self.ws.tag(article, [tag]), f"{tag} → {truncate(article.title, 20)}"
        ):
            self.after_change()

    def already_tagged(self, article: Article, tags: list[str]) -> bool:
        """Every tag is on the article already: said, and nothing written (the store would
        record an undo step that changes nothing; ``u`` then "undid" it)."""
        store = self.ws.store
        have = store.notes(article.id, {store.coder}).tags  # yours: not another coder's
        if not tags or any(t not in have for t in tags):
            return False
        self.notify(
            f"{' '.join(tags)} 已在 already on {truncate(article.title or article.label, 20)}",
            timeout=2,
        )
        return True

    def already_coded(self, article: Article, start: int, end: int, tags: list[str]) -> bool:
        """The same span is a passage with these codes already: said, nothing written."""
        for h in self.ws.store.highlights(article.id):
            same = h.start == start and h.end == end and not h.orphan
            if same and h.coder == self.ws.store.coder and all(t in h.tags for t in tags):
                self.notify(f"«{truncate(h.quote, 20)}» 已有 already has {' '.join(tags)}")
                return True
        return False

    def action_undo(self) -> None:
        self._history(redo=False)

    def action_redo(self) -> None:
        self._history(redo=True)

    def _history(self, redo: bool) -> None:
        if not self.writable():
            return
        step = self.guard(self.ws.redo if redo else self.ws.undo)
        if step in (None, True):
            self.notify("没有可重做的 nothing to redo" if redo else "没有可撤销的 nothing to undo")
            return
        self.notify(f"{'重做 redone' if redo else '撤销 undone'}: {step.label}", timeout=2)
        if step.corpus_changed:
            self.corpus_reloaded()
        else:
            self.after_change()

    def action_add_watch(self) -> None:
        if not self.writable():
            return

        def add(term: str | None) -> None:
            if term and self.guard(
                lambda: self.ws.add_watch(term.strip()), f"关注 watching {term}"
            ):
                self.render_article(keep_scroll=True)

        self.app.push_screen(
            dialogs().InputDialog("关注词 Watch-list term", hint="总是高亮 always highlighted"), add
        )
