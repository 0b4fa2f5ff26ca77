"""The export dialog (``x``): format, whose codings, selection (the current filter by default),
path, progress."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, ProgressBar, Select, Static

from storage.errors import AnnotationError, StoreError
from tui.render import plain
from tui.typeahead import Dialog

EXT = {"jsonl": "jsonl", "csv": "csv", "md": "md", "qdpx": "qdpx", "corpus": ""}
NAMES = [
    ("JSON Lines (pandas, R)", "jsonl"),
    ("CSV (spreadsheets, statistics)", "csv"),
    ("Markdown report", "md"),
    ("REFI-QDA .qdpx (NVivo, ATLAS.ti, MAXQDA, QualCoder)", "qdpx"),
    ("Segmented corpus folder (AntConc, KH Coder, quanteda)", "corpus"),
]


def with_format(path: str, fmt: str) -> str:
    """The typed path with the extension of ``fmt``: only the extension follows the format
    (choosing one replaced a typed path with the default, in the current folder)."""
    ext = EXT[fmt]
    p = Path(path.strip())
    if not path.strip():
        return str(default_path(fmt))
    known = {f".{e}" for e in EXT.values() if e}
    stem = p.with_suffix("") if p.suffix.lower() in known else p
    return str(stem.with_name(f"{stem.name}.{ext}") if ext else stem)


def default_path(fmt: str, folder: Path | None = None) -> Path:
    """A name that does not exist yet (two exports in the same minute get two files)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    ext = EXT[fmt]
    base = f"piyue-export-{stamp}" if ext else f"piyue-corpus-{stamp}"
    folder = folder or Path.cwd()
    for n in range(1, 1000):
        name = base if n == 1 else f"{base}-{n}"
        path = folder / (f"{name}.{ext}" if ext else name)
        if not path.exists():
            return path
    return folder / f"{base}-{datetime.now().timestamp():.0f}.{ext}"


class ExportDialog(Dialog[None]):
    BINDINGS = [Binding("escape", "cancel", "Close", id="export.close")]

    class Progress(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    class Finished(Message):
        def __init__(self, path: Path | None, count: int, error: str = "") -> None:
            super().__init__()
            self.path, self.count, self.error = path, count, error

    def __init__(self, where: str = "") -> None:
        super().__init__()
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("导出 Export", classes="dialog-title")
            yield Select(NAMES, value="jsonl", allow_blank=False, id="export-format")
            yield Select(self.coders(), value="", allow_blank=False, id="export-coder")
            yield Input(
                self.where,
                placeholder="标签表达式 tag expression (空 = 所有已标注 all annotated)",
                id="export-where",
            )
            yield Input(str(default_path("jsonl")), id="export-path")
            yield ProgressBar(id="export-progress", show_eta=False)
            yield Static(plain("Enter 导出 export · Esc 关闭 close", "dim"), id="export-status")

    def coders(self) -> list[tuple[str, str]]:
        """Whose codings (as the CLI's ``--coder``): yours, each other coder who coded
        something (``final``: the adjudicated codings), or every coder's."""
        from workspace.coders import FINAL

        store = self.app.workspace.store  # type: ignore[attr-defined]
        me = store.coder
        out = [(f"编码者 coder: 我的 mine ({me})", "")]
        for c in store.coder_summaries():
            if c.name != me and (c.articles or c.passages):
                what = "裁决 adjudicated" if c.name == FINAL else f"{c.articles} 篇"
                out.append((f"编码者 coder: {c.name} ({what})", c.name))
        out.append(("编码者 coder: 全部 every coder (one record each)", "all"))
        return out

    def on_mount(self) -> None:
        self.query_one("#export-progress").display = False
        self.query_one("#export-path", Input).focus()

    @on(Select.Changed, "#export-format")
    def format_changed(self, event: Select.Changed) -> None:
        box = self.query_one("#export-path", Input)
        box.value = with_format(box.value, str(event.value))

    @on(Input.Submitted, "#export-where")
    @on(Input.Submitted, "#export-path")
    def go(self) -> None:
        """Enter in either box exports (the hint says so: Enter in the selection only moved
        on to the path, and a tester's first Enter did nothing)."""
        fmt = str(self.query_one("#export-format", Select).value)
        coder = str(self.query_one("#export-coder", Select).value)
        where = self.query_one("#export-where", Input).value.strip()
        path = Path(self.query_one("#export-path", Input).value.strip()).expanduser()
        try:
            listed = self.listed(where)
        except AnnotationError as exc:
            self.failed(str(exc))
            return
        bar = self.query_one("#export-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.query_one("#export-status", Static).update(plain("导出中 exporting…", "dim"))
        self.export(fmt, where, path, coder, listed)

    def listed(self, where: str) -> list[str] | None:
        """A selection with the reader's own terms (``has:note``, ``is:starred``, ``is:read``)
        is the articles the reader's filter lists for it — the export takes exactly those
        (``export --where`` knows no such terms: the dialog wrote an empty file and said
        "exported"); None for any other selection."""
        from storage.annotations import parse_expression
        from tui.screens.base import READER_TERMS, Filter, unaliased
        from workspace.coded import leaves

        if not where:
            return None
        tree = parse_expression(unaliased(where))
        if not any(x.lower() in READER_TERMS for x in leaves(tree)):
            return None
        main = self.app.main_screen  # type: ignore[attr-defined]
        if main.pages is None:
            raise AnnotationError("the pages are still being read — try again in a moment")
        found, _total = main.filtered(Filter(where, tree), 10**9)
        return [a.id for a in found]

    @work(thread=True, exclusive=True)
    def export(
        self, fmt: str, where: str, path: Path, coder: str = "", listed: list[str] | None = None
    ) -> None:
        from storage.export import ExportError
        from tui.screens.base import unaliased
        from workspace import exchange
        from workspace.coded import check_where

        ws = self.app.workspace  # type: ignore[attr-defined]
        try:
            if path.exists() and fmt != "corpus":
                raise ExportError(f"{path} exists — choose another name")
            if listed is not None:
                wanted = set(listed)
                articles = [a for a in ws.corpus().articles if a.id in wanted]
            else:
                # an unknown code is refused, as ``export --where`` refuses it
                where = check_where(ws.store, unaliased(where))
                articles = exchange.select(ws, (), where, coder=coder)
            if not articles:
                what = f"「{where}」" if where else "(所有已标注 all annotated)"
                raise ExportError(f"没有文章 no article matches {what}: nothing written")

            def progress(done: int, total: int) -> None:
                self.post_message(self.Progress(done, total))

            opts = exchange.ExportOptions(fmt, coder=coder)
            exchange.export(ws, articles, opts, path, progress)
            self.post_message(self.Finished(path, len(articles)))
        except (AnnotationError, StoreError, OSError) as exc:
            self.post_message(self.Finished(None, 0, str(exc)))

    def on_export_dialog_progress(self, msg: Progress) -> None:
        self.query_one("#export-progress", ProgressBar).update(
            total=max(1, msg.total), progress=msg.done
        )

    def failed(self, error: str) -> None:
        self.query_one("#export-status", Static).update(plain(f"失败 failed: {error}", "bold red"))
        self.query_one("#export-progress").display = False

    def on_export_dialog_finished(self, msg: Finished) -> None:
        if msg.error:
            self.failed(msg.error)
            return
        self.app.notify(f"{msg.count} 篇 → {msg.path}", title="已导出 exported", timeout=6)
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
