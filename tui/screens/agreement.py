"""Two coders: the agreement table (κ, α, character κ, uα per code, coloured by strength) and
the adjudication queue (accept A, B, both or neither; written as a third coder, undoable).

Everything is computed by ``workspace.coders``; these screens show it and pass keys on.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from storage.errors import StoreError
from tui.render import assemble, plain, visible
from tui.widgets import StopList, plural, truncate
from tui.widgets.keyhints import KeyHints
from workspace.agreement import only_read_text

if TYPE_CHECKING:
    from workspace.coders import Adjudication, Disagreement
    from workspace.session import Workspace

STRENGTH = {
    "reliable": "bold #98c379",
    "tentative": "bold #e5c07b",
    "unreliable": "bold #e06c75",
    "undefined": "dim",
}
CHOICES = {"1": "a", "2": "b", "3": "both", "0": "neither"}
TITLE_CELLS = 48
"""An adjudication row's title at most."""
MARK_CELLS = 4
"""The decision column: "!A+B", a decision of both that later codings reopened, is the
widest."""
CHANGED_STYLE = "bold #e5c07b"
FIGURE_CELLS = len("-0.200")
"""A coefficient's column, the widest figure's cells."""
"""A decision the coders' later changes reopened."""


def reads_on(context: str) -> str:
    """A passage's context on one line: a paragraph break drawn as ¶ (as a space, the side
    wrapped there, and "…之区" stood alone above its passage), controls made visible."""
    return visible(re.sub(r"\s*\n\s*", "¶", context).replace("\t", " "))


def figure(value: float | None) -> Text:
    """A coefficient coloured by its strength, as a rich ``Text``: a DataTable measures that
    (a ``Content`` cell counts one cell wide, and 0.167 showed as 0)."""
    from workspace.agreement import strength

    text = "—" if value is None else f"{value:.3f}"
    return Text(text, style=STRENGTH[strength(value)], justify="right")


class AgreementScreen(Screen[None]):
    """Per-code agreement between coder A and coder B; ``d`` opens the disagreements."""

    BINDINGS = [
        Binding("escape,q", "close", "Back", id="agree.close"),
        Binding("d", "adjudicate", "Disagreements", id="agree.adjudicate"),
        Binding("question_mark", "keys", "Keys", show=False, id="agree.keys"),
    ]

    class Computed(Message):
        def __init__(self, report: dict[str, Any] | None, error: str = "") -> None:
            super().__init__()
            self.report, self.error = report, error

    def __init__(self, ws: Workspace, coder_a: str, coder_b: str) -> None:
        super().__init__()
        self.ws, self.a, self.b = ws, coder_a, coder_b
        self.report: dict[str, Any] | None = None
        self.notes: list[str] = []
        """Each table row's whole note (the table shows what fits)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="analysis"):
            yield Static(
                plain(f"一致性 Agreement · {self.a} × {self.b}", "bold"), classes="pane-title"
            )
            yield Static(plain("计算中 computing…", "dim"), id="agree-status")
            yield DataTable(id="agree-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="agree-note")
            yield Static(
                plain(
                    "标签 tag agreement, κ, α: the code as an article tag (— 不适用 not "
                    "applicable: neither coder tagged an article with it) · char κ, uα: "
                    "passages · ≥ .800 可靠 reliable · ≥ .667 存疑 tentative · 其余不可靠 "
                    "unreliable (Krippendorff) · d 分歧裁定 disagreements · Esc 返回 back",
                    "dim",
                ),
                id="agree-legend",
            )
        yield KeyHints()

    def on_mount(self) -> None:
        self.compute()

    @work(thread=True, exclusive=True)
    def compute(self) -> None:
        from workspace.coders import agree

        try:
            self.post_message(self.Computed(dict(agree(self.ws, self.a, self.b))))
        except (StoreError, ValueError) as exc:
            self.post_message(self.Computed(None, str(exc)))

    def on_agreement_screen_computed(self, msg: Computed) -> None:
        status = self.query_one("#agree-status", Static)
        if msg.report is None:
            status.update(plain(f"无法计算 cannot compute: {msg.error}", "bold red"))
            return
        rep = msg.report
        status.update(
            plain(
                f"{rep['units']} 篇共同编码的文章 articles both coded{only_read_text(rep)} (every "
                "figure is over them) · 用到 used: those where either coder used the code",
                "dim",
            )
        )
        self.report = rep
        self.fill_table()
        self.query_one(DataTable).focus()

    def fill_table(self) -> None:
        """The codes' rows; the note column takes the cells the figures leave (at 80 columns
        the table cut notes mid-word), cut with an ellipsis, the whole note under the table."""
        rep = self.report
        if rep is None:
            return
        table = self.query_one(DataTable)
        at = table.cursor_row
        table.clear(columns=True)
        code_w, tag_label = self.code_cells(rep)
        table.add_column("代码 code", width=code_w)
        table.add_columns("用到 used", tag_label, "κ", "α", "char κ", "uα")
        notes: list[str] = []
        for row in rep["codes"]:
            table.add_row(
                truncate(row["code"], code_w),
                str(row["units"]),
                # None (—) when neither coder used it as a tag: the report says so, as in
                # ``piyue agree``
                figure(row["agreement"]),
                figure(row["kappa"]),
                figure(row["alpha"]),
                figure(row["char_kappa"]),
                figure(row["alpha_u"]),
                key=str(len(notes)),
            )
            notes.append(str(row.get("note", "")))
        o = rep["overall"]
        table.add_row(
            Text("(overall)", style="bold"),
            str(rep["units"]),
            "",
            figure(o["kappa"]),
            figure(o["alpha"]),
            figure(o["char_kappa"]),
            figure(o["alpha_u"]),
            key=str(len(notes)),
        )
        self.notes = [*notes, ""]
        if 0 <= at < table.row_count:
            table.move_cursor(row=at)
        self.show_note(table.cursor_row)
        self.call_after_refresh(self.fit_notes)  # the columns are measured on the refresh

    def code_cells(self, rep: dict[str, Any]) -> tuple[int, str]:
        """The code column's width and the tag column's label: the figures all on screen,
        the names cut to what they leave (at 80 columns a 30-cell name pushed char κ and uα
        off the table), the tag column's label shorter when the long one leaves the names
        and a note column too few."""
        table = self.query_one(DataTable)
        room = table.scrollable_content_region.width or self.app.size.width - 2
        longest = max((cell_len(r["code"]) for r in rep["codes"]), default=8)
        longest = max(longest, cell_len("(overall)"), cell_len("代码 code"))
        pad = 2 * table.cell_padding

        def left(tag: str) -> int:
            figures = cell_len("用到 used") + cell_len(tag) + 4 * FIGURE_CELLS
            return room - figures - 7 * pad - 1

        names = min(longest, 16)
        note = 8 + pad  # the narrowest note column worth drawing (see ``fit_notes``)
        for tag in ("标签 tag agreement", "标签 tag"):
            if left(tag) >= names + note:
                break
        return max(cell_len("代码 code"), min(longest, left(tag))), tag

    def fit_notes(self) -> None:
        table = self.query_one(DataTable)
        if "note" in table.columns or not table.row_count:
            return
        figures = sum(c.get_render_width(table) for c in table.columns.values())
        room = table.scrollable_content_region.width or self.app.size.width
        width = room - figures - 2 * table.cell_padding - 1
        if width < 8:  # too narrow to read: the whole note is under the table (at least
            return  # 8 cells, the table ran off the screen, its notes cut to "pa", "ta")
        table.add_column("note", width=width, key="note", default="")
        for i, note in enumerate(self.notes):
            if note:
                table.update_cell(str(i), "note", Text(truncate(note, width), style="dim"))

    def show_note(self, row: int) -> None:
        """The highlighted code's whole note, wrapped under the table."""
        note = self.notes[row] if 0 <= row < len(self.notes) else ""
        code = self.report["codes"][row]["code"] if note and self.report else ""
        self.query_one("#agree-note", Static).update(
            plain(f"注 note · {code}: {note}" if note else "", "dim")
        )

    @on(DataTable.RowHighlighted, "#agree-table")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_note(event.cursor_row)

    def on_resize(self, _event: Resize) -> None:
        if self.report is not None:
            self.call_after_refresh(self.fill_table)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_keys(self) -> None:
        from tui.dialogs import HelpScreen, screen_keys

        self.app.push_screen(HelpScreen(screen_keys(self)))

    def action_adjudicate(self) -> None:
        try:
            from workspace.coders import Adjudication

            adj = Adjudication(self.ws, self.a, self.b)
        except StoreError as exc:
            self.notify(str(exc), severity="error")
            return
        self.app.push_screen(AdjudicationScreen(self.ws, adj))


class AdjudicationScreen(Screen[None]):
    """The disagreements one by one: what A and B did, their passages side by side; 1 accepts
    A, 2 B, 3 both, 0 neither — each written as the final coder, one undo step (u)."""

    BINDINGS = [
        Binding("escape,q", "close", "Back", id="adj.close"),
        Binding("1", "settle('1')", "Accept A", id="adj.a"),
        Binding("2", "settle('2')", "Accept B", id="adj.b"),
        Binding("3", "settle('3')", "Both", id="adj.both"),
        Binding("0", "settle('0')", "Neither", id="adj.neither"),
        Binding("u", "undo", "Undo", id="adj.undo"),
        Binding("question_mark", "keys", "Keys", show=False, id="adj.keys"),
    ]

    def __init__(self, ws: Workspace, adj: Adjudication) -> None:
        super().__init__()
        self.ws, self.adj = ws, adj
        self.rows: list[Disagreement] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="analysis"):
            yield Static("", id="adj-title", classes="pane-title")
            yield Static("", id="adj-help")
            yield StopList(id="adj-list")
            with Horizontal(id="adj-sides"):
                yield Static("", id="adj-a", classes="adj-side")
                yield Static("", id="adj-b", classes="adj-side")
        yield KeyHints()

    def on_mount(self) -> None:
        self.show_rows()
        self.query_one(OptionList).focus()

    def show_rows(self, keep: int = 0) -> None:
        self.rows = self.adj.rows()
        done, total = self.adj.progress()
        changed = sum(r.changed for r in self.rows)
        self.query_one("#adj-title", Static).update(
            assemble(
                (
                    f"裁定 Adjudication · {self.adj.a.coder} × {self.adj.b.coder} → "
                    f"{self.adj.final} · {done}/{total} settled",
                    "bold",
                ),
                (
                    f" · {changed} 条裁定后编码已变, 请重审 changed since decided (!): decide again"
                    if changed
                    else "",
                    CHANGED_STYLE,
                ),
            )
        )
        # the keys and the note on a line of their own that wraps (one line cut them at 80
        # columns, and the note at 160)
        self.query_one("#adj-help", Static).update(
            plain(
                "1 A · 2 B · 3 两者 both · 0 皆否 neither: 写入并移到下一条 writes it and "
                "moves to the next row"
                + (
                    f" · {self.adj.one_coder_only} 篇仅一人编码 articles only one coder coded: "
                    f"not units, not in {self.adj.final}"
                    if self.adj.one_coder_only
                    else ""
                ),
                "dim",
            )
        )
        ol = self.query_one(OptionList)
        ol.clear_options()
        ol.add_options(
            self.options() or [Option(plain("没有分歧 no disagreements", "dim"), disabled=True)]
        )
        if self.rows:
            ol.highlighted = min(keep, len(self.rows) - 1)
            self.show_sides(self.rows[ol.highlighted])

    def row(
        self, r: Disagreement, title_w: int = 30, code_w: int = 0, two_lines: bool = False
    ) -> Content:
        mark = {"a": "A", "b": "B", "both": "A+B", "neither": "∅"}.get(r.settled or "", "·")
        if r.changed:  # decided before A or B changed their codings: not settled any more
            mark = "!" + mark  # whole: "!A+" did not say which decision was reopened
        title = truncate(r.title or r.unit, title_w)
        pad = " " * max(0, title_w - cell_len(title))
        style = CHANGED_STYLE if r.changed else "bold #98c379" if r.settled else "dim"
        return assemble(
            (f"{mark:>{MARK_CELLS}} ", style),
            (title + pad, ""),
            "  ",
            (f" {r.code} ", "#101010 on #e5c07b"),
            " " * max(0, code_w - cell_len(r.code)),
            "\n" + " " * (MARK_CELLS + 1) if two_lines else "",
            *self.did(r),
        )

    @staticmethod
    def did(r: Disagreement) -> list[str | tuple[str, str]]:
        """What A and what B did, after the code."""

        def one(tag: bool, passages: tuple[tuple[int, int], ...]) -> str:
            parts = (["标签 tag"] if tag else []) + (
                [f"{len(passages)} 段 {plural(len(passages), 'passage')}"] if passages else []
            )
            return " + ".join(parts) or "—"

        return [
            "  A: ",
            (one(r.a_tag, r.a_passages), "#61afef"),
            "  B: ",
            (one(r.b_tag, r.b_passages), "#c678dd"),
        ]

    def options(self) -> list[Option]:
        """The rows, their titles as wide as the list leaves (``TITLE_CELLS`` at most); when what
        A and B did leaves too little, it goes on a second line (at 80 columns a row
        wrapped mid-phrase)."""
        ol = self.query_one(OptionList)
        avail = ol.scrollable_content_region.width or self.app.size.width - 4
        code_w = max((cell_len(r.code) for r in self.rows), default=0)
        rest = max((assemble(*self.did(r)).cell_length for r in self.rows), default=0)
        fixed = 1 + MARK_CELLS + 1 + 2 + code_w + 2
        # as wide as the longest title, up to TITLE_CELLS (at 160 columns a cap of 30 cut
        # every title with half the line empty)
        widest = min(TITLE_CELLS, max((cell_len(r.title or r.unit) for r in self.rows), default=8))
        room = avail - fixed - rest
        # what A and B did on a line of its own, under the title, when the title would get
        # fewer than 14 cells beside it (short titles keep one line)
        two_lines = room < min(14, widest)
        if two_lines:
            title_w = max(min(10, widest), min(widest, avail - fixed))
        else:
            title_w = min(widest, room)
        return [
            Option(self.row(r, title_w, code_w, two_lines), id=str(i))
            for i, r in enumerate(self.rows)
        ]

    def on_resize(self, _event: Resize) -> None:
        self.call_after_refresh(self.show_rows, self.query_one(OptionList).highlighted or 0)

    def show_sides(self, r: Disagreement) -> None:
        art = self.ws.coded_corpus().article(r.unit)
        text = art.text if art is not None else ""

        def side(who: str, tag: bool, spans: tuple[tuple[int, int], ...], style: str) -> Content:
            parts: list[Any] = [(f"{who}\n", f"bold {style}")]
            parts.append(("标签 tag ✓\n" if tag else "标签 tag ✗\n", "dim"))
            for s, e in spans:
                left, right = reads_on(text[max(0, s - 12) : s]), reads_on(text[e : e + 12])
                quote = reads_on(text[s:e])
                parts += [(left, "dim"), (quote, f"bold {style}"), (right, "dim"), "\n"]
            if not spans:
                parts.append(("(没有段落 no passages)", "dim"))
            return assemble(*parts)

        self.query_one("#adj-a", Static).update(
            side(f"A · {self.adj.a.coder}", r.a_tag, r.a_passages, "#61afef")
        )
        self.query_one("#adj-b", Static).update(
            side(f"B · {self.adj.b.coder}", r.b_tag, r.b_passages, "#c678dd")
        )

    @on(OptionList.OptionHighlighted, "#adj-list")
    def moved(self, event: OptionList.OptionHighlighted) -> None:
        i = event.option_index
        if 0 <= i < len(self.rows):
            self.show_sides(self.rows[i])

    def action_settle(self, key: str) -> None:
        ol = self.query_one(OptionList)
        i = ol.highlighted
        if i is None or not 0 <= i < len(self.rows):
            return
        r = self.rows[i]
        try:
            self.adj.settle(r.unit, r.code, CHOICES[key])
        except StoreError as exc:
            self.notify(str(exc), title="未保存 not saved", severity="error")
            return
        self.show_rows(keep=i + 1)

    def action_keys(self) -> None:
        from tui.dialogs import HelpScreen, screen_keys

        self.app.push_screen(HelpScreen(screen_keys(self)))

    def action_undo(self) -> None:
        try:
            step = self.adj.undo()
        except StoreError as exc:
            self.notify(str(exc), severity="error")
            return
        if step is None:
            self.notify("没有可撤销的 nothing to undo")
        self.show_rows(keep=self.query_one(OptionList).highlighted or 0)

    def action_close(self) -> None:
        self.dismiss(None)
