"""The archive changing under the reader: ``F5`` (or the palette's Refresh) reads the corpus
folder again in a worker and redraws the tree; an article whose page file is gone, or was
changed since the list was read, says so when it opens and before it is coded (a tester's
tag on a deleted page was acknowledged "saved" and became an orphan)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import work

from tui.screens.base import ScreenBase

if TYPE_CHECKING:
    from corpus.model import Article


class RefreshActions(ScreenBase):
    rows_read_at = 0.0
    """When the page list was last read (a page file changed after it is "changed")."""

    def action_refresh(self) -> None:
        self.status("正在刷新 re-reading the corpus folder…")
        self.refresh_corpus()

    @work(thread=True, exclusive=True, group="refresh")
    def refresh_corpus(self) -> None:
        from corpus.keywords import DocFreq

        lib = self.ws.library
        msg = type(self).IndexReady  # type: ignore[attr-defined]
        try:

            def progress(done: int, total: int) -> None:
                self.post_message(type(self).IndexProgress(done, total))  # type: ignore[attr-defined]

            stats = lib.refresh_index(progress)
            lib.let_go()  # a corpus read whole before is the old one
            if stats is not None:  # a page another command re-read is found again too
                self.ws.reattach_moved()
            rows = (lib.page_rows(), lib.skipped())
            df = lib.doc_freq() if stats is not None else DocFreq()
            self.post_message(msg(stats, df, rows=rows, refreshed=True))
        except Exception as exc:  # shown, not crashed
            self.post_message(msg(None, DocFreq(), str(exc), refreshed=True))

    def said_refreshed(self, stats: object) -> None:
        """What the refresh found, in one line."""
        self.rows_read_at = time.time()
        parsed = int(getattr(stats, "parsed", 0))
        removed = int(getattr(stats, "removed", 0))
        relabelled = int(getattr(stats, "relabelled", 0))
        try:  # codings whose text is gone: said, not left to vanish from P (testerC F13)
            lost = len(self.ws.store.orphans())
        except Exception:
            lost = 0
        orphans = (
            f" · 共 {lost} 条孤儿编码 orphaned codings in all: {lost} (piyue orphans lists them)"
            if lost
            else ""
        )
        if parsed or removed or relabelled:
            meta = (
                f", {relabelled} 版报名/日期/版次更新 pages' paper, date or page"
                " changed (pages.csv)"
                if relabelled
                else ""
            )
            self.notify(
                f"已刷新 refreshed: {parsed} 版重读 pages re-read, {removed} 版移除 removed"
                f"{meta}{orphans}",
                severity="warning" if lost else "information",
                timeout=8 if lost else 6,
            )
        elif lost:
            self.notify(f"已刷新 refreshed{orphans}", severity="warning", timeout=8)
        else:
            self.notify("已刷新 refreshed: 没有变化 nothing changed on disk", timeout=4)

    def page_trouble(self, article: Article | None) -> str:
        """Why the article's page file is not what the reader shows ('' when it is)."""
        if article is None or self.pages is None:
            return ""
        row = self.pages.by_id.get(article.issue_id)
        if row is None:
            return ""
        path = self.ws.library.root / row.file
        try:
            changed = path.stat().st_mtime > self.rows_read_at > 0
        except OSError:
            return f"页面文件已不存在 the page file is gone: {row.file}"
        if changed:
            return f"页面文件已改动 the page file changed on disk: {row.file}"
        return ""

    def open_article(
        self, article: Article, scroll: float = 0.0, focus: bool = False, mark_read: bool = True
    ) -> None:
        super().open_article(article, scroll, focus, mark_read)
        trouble = self.page_trouble(article)
        if trouble:
            self.notify(f"{trouble} — F5 刷新 refresh", severity="warning", timeout=8)

    def writable(self) -> bool:
        """Before a coding: an article whose page file is gone would keep it only as an
        orphan, one whose file changed may not be what is shown — said first."""
        trouble = self.page_trouble(self.target_article())
        if trouble:
            self.notify(
                f"{trouble}: 编码可能成为孤儿 a coding here may become an orphan — F5 刷新 refresh",
                severity="warning",
                timeout=8,
            )
        return super().writable()
