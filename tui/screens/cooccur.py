"""Co-occurrence (from the codebook, ``x``, or the palette): a code × code table shaded by
count — articles carrying both codes, or overlapping passages (``t``) — Enter on a cell
retrieves its segments; ``g`` plots codes' counts over issue dates (space marks codes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from storage.annotations import PALETTE
from tui.render import assemble, plain
from tui.screens.retrieval import AnalysisScreen, RetrievalScreen, flat
from tui.widgets import plural, truncate
from tui.widgets.keyhints import KeyHints

if TYPE_CHECKING:
    from textual_plotext import PlotextPlot

    from workspace.analysis import Item, SortBy, StatRow

HEAT_FROM = (0x23, 0x27, 0x2E)
HEAT_TO = (0xE0, 0x6C, 0x3C)
COLUMN_CELLS = 8


def heat(count: int, top: int) -> str:
    """A background from dark (0) to hot (the largest count off the diagonal)."""
    if count <= 0 or top <= 0:
        return ""
    t = 0.2 + 0.8 * min(1.0, count / top)
    r, g, b = (round(a + (z - a) * t) for a, z in zip(HEAT_FROM, HEAT_TO, strict=True))
    fg = "#101010" if t > 0.6 else "#e6e6e6"
    return f"{fg} on #{r:02x}{g:02x}{b:02x}"


def count_ticks(top: int, most: int = 6) -> list[int]:
    """Whole-number ticks from 0 to ``top`` (counts have no 0.33), at most ``most`` of them."""
    step = max(1, -(-max(1, top) // (most - 1)))
    return list(range(0, max(1, top) + 1, step))


class CooccurScreen(AnalysisScreen):
    BINDINGS = [
        *AnalysisScreen.BINDINGS,
        Binding(
            "t",
            "toggle_matrix",
            "Articles/passages",
            id="cooccur.toggle",
            tooltip="文章或重叠段落 articles carrying both, or overlapping passages",
        ),
        Binding(
            "space",
            "mark",
            "Mark code",
            id="cooccur.mark",
            tooltip="标记以比较 the row's code, to compare in the plot",
        ),
        Binding(
            "g", "plot", "Plot", id="cooccur.plot", tooltip="随时间 the marked codes over time"
        ),
        Binding("j", "move(1, 0)", "Down", show=False, id="cooccur.down"),
        Binding("k", "move(-1, 0)", "Up", show=False, id="cooccur.up"),
        Binding("l", "move(0, 1)", "Right", show=False, id="cooccur.right"),
        Binding("h", "move(0, -1)", "Left", show=False, id="cooccur.left"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.which = "articles"
        self.matrix: dict[str, Any] = {"codes": [], "articles": [], "passages": []}
        self.marked: list[str] = []
        self.stat_rows: list[StatRow] | None = None
        self.plotted: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(plain("共现 Co-occurrence", "bold"), classes="analysis-title")
        yield Static("", classes="analysis-status")
        table: DataTable[Any] = DataTable(id="matrix", cursor_type="cell", zebra_stripes=False)
        yield table
        yield KeyHints()

    def on_mount(self) -> None:
        self.compute()
        self.query_one("#matrix").focus()
        self.call_after_refresh(self.shown)

    def after_edit(self) -> None:
        self.stat_rows = None
        self.compute()
        if self.plotted:
            self.draw_plot(self.plotted)

    def compute(self) -> None:
        from workspace.analysis import cooccur

        corpus = self.corpus()
        if corpus is None:
            self.status("语料还在加载 the corpus is still loading")
            return
        self.matrix = cooccur(corpus, self.ws.store)  # in the codebook's order
        self.fill()

    def fill(self) -> None:
        table: DataTable[Any] = self.query_one("#matrix", DataTable)
        where = table.cursor_coordinate
        table.clear(columns=True)
        codes: list[str] = self.matrix["codes"]
        counts: list[list[int]] = self.matrix[self.which]
        table.add_column(Text("代码 code"), key="__code__")
        width = self.column_cells(codes)
        for i, c in enumerate(codes):
            # right-aligned over the right-aligned counts (a label wider than the counts
            # widened its column and left them a cell off)
            label = Text(truncate(flat(c), width), justify="right")
            table.add_column(label, width=width, key=str(i))
        table.fixed_columns = 1
        top = max(
            (n for i, row in enumerate(counts) for j, n in enumerate(row) if i != j), default=0
        )
        for i, c in enumerate(codes):
            mark = "● " if c in self.marked else "  "
            cells: list[Text] = [Text(mark + truncate(flat(c), 14), style="bold")]
            for j, n in enumerate(counts[i]):
                style = "bold" if i == j else heat(n, top)
                cells.append(Text(str(n) if n else "·", style=style, justify="right"))
            table.add_row(*cells, key=str(i))
        if codes:
            table.move_cursor(
                row=min(where.row, len(codes) - 1), column=max(1, min(where.column, len(codes)))
            )
        what = (
            "文章 articles carrying both (tagged or coded in)"
            if self.which == "articles"
            else "重叠段落 overlapping passages"
        )
        self.status(
            f"{len(codes)} 个代码 {plural(len(codes), 'code')} · {what} (t 切换) · "
            "Enter 检索 the cell · 空格 mark · g 图 plot · 代码本顺序 in the codebook's order · "
            "自身计数 own counts, children not included (as the codebook counts)"
        )

    def column_cells(self, codes: list[str]) -> int:
        """The count columns' width: 8 cells, narrower (4 at least, labels cut with an
        ellipsis) when that lets every column fit the screen — at 80 columns the last label
        was cut mid-name by the screen's edge."""
        table = self.query_one("#matrix", DataTable)
        room = table.scrollable_content_region.width or self.app.size.width - 2  # borders
        names = max((cell_len(truncate(flat(c), 14)) for c in codes), default=0)
        first = max(cell_len("代码 code"), 2 + names) + 2 * table.cell_padding
        each = (room - 1 - first) // max(1, len(codes)) - 2 * table.cell_padding
        return max(4, min(COLUMN_CELLS, each))

    def rows_for_width(self) -> None:
        self.fill()

    def action_toggle_matrix(self) -> None:
        self.which = "passages" if self.which == "articles" else "articles"
        self.fill()
        if self.plotted:
            self.draw_plot(self.plotted)

    def action_move(self, rows: int, columns: int) -> None:
        table = self.query_one("#matrix", DataTable)
        at = table.cursor_coordinate
        table.move_cursor(row=max(0, at.row + rows), column=max(1, at.column + columns))

    def row_code(self) -> str | None:
        codes: list[str] = self.matrix["codes"]
        row = self.query_one("#matrix", DataTable).cursor_coordinate.row
        return codes[row] if 0 <= row < len(codes) else None

    def action_mark(self) -> None:
        code = self.row_code()
        if code is None:
            return
        if code in self.marked:
            self.marked.remove(code)
        else:
            self.marked.append(code)
        table = self.query_one("#matrix", DataTable)
        mark = "● " if code in self.marked else "  "
        table.update_cell_at(
            table.cursor_coordinate._replace(column=0),
            Text(mark + truncate(flat(code), 14), style="bold"),
        )

    @on(DataTable.CellSelected, "#matrix")
    def cell_selected(self, event: DataTable.CellSelected) -> None:
        codes: list[str] = self.matrix["codes"]
        i, j = event.coordinate.row, event.coordinate.column - 1
        if not (0 <= i < len(codes) and 0 <= j < len(codes)):
            return
        a, b = codes[i], codes[j]
        which = self.which
        corpus = self.corpus()
        if corpus is None:
            return
        store = self.ws.store

        def fetch(sort: SortBy, width: int) -> list[Item]:
            from workspace.analysis import cooccur_items

            return cooccur_items(corpus, store, a, b, which, sort=sort, width=width)  # type: ignore[arg-type]

        pair = f"「{a}」" if a == b else f"「{a}」×「{b}」"
        what = "文章 articles" if which == "articles" else "重叠段落 overlapping passages"
        self.app.push_screen(RetrievalScreen(fetch=fetch, title=f"共现 {pair} · {what}"))

    # ------------------------------------------------------------------ the plot

    def action_plot(self) -> None:
        codes = list(self.marked) or [c for c in [self.row_code()] if c]
        if not codes:
            return
        if self.plotted == codes:
            self.plotted = []
            for w in self.query("#plot, #plot-legend"):
                w.display = False
            return
        self.draw_plot(codes)

    def draw_plot(self, codes: list[str]) -> None:
        from textual_plotext import PlotextPlot

        from workspace.analysis import stats

        corpus = self.corpus()
        if corpus is None:
            return
        if self.stat_rows is None:
            self.stat_rows = stats(corpus, self.ws.store, "date")
        found = self.query("#plot")
        plot: PlotextPlot
        if found:
            plot = found.first(PlotextPlot)
        else:
            plot = PlotextPlot(id="plot")
            footer = self.query_one(KeyHints)
            self.mount(Static(id="plot-legend"), before=footer)
            self.mount(plot, before=footer)
        plot.display = True
        self.plotted = codes
        keys = sorted({r.key for r in self.stat_rows})
        dated = [k for k in keys if len(k) == 10 and k[4] == "-" and k[7] == "-"]
        xs = dated or keys
        at = {k: i for i, k in enumerate(xs)}
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        field = 0 if self.which == "articles" else 1
        colours = {t.name: t.colour for t in self.ws.store.tag_defs()}
        legend: list[str | tuple[str, str]] = []
        top_y = 0
        undated = 0
        for k, code in enumerate(codes):
            colour = colours.get(code) or PALETTE[k % len(PALETTE)]
            rgb = (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))
            legend += [("━━ ", colour), (flat(code), "bold"), "   "]
            ys = [0] * len(xs)
            for r in self.stat_rows:
                if r.code == code:
                    n = r.articles if field == 0 else r.passages
                    if r.key in at:
                        ys[at[r.key]] += n
                    else:  # a page without a date: no place on a date axis
                        undated += n
            # names stay out of plotext (it counts a wide character as one cell): the legend
            # is a line above the plot, in the codes' own colours
            top_y = max(top_y, *ys) if ys else top_y
            plt.plot(list(range(len(xs))), ys, color=rgb, marker="braille")
        # dates as tick labels over their positions: plotext's own date axis spreads a
        # single date over a century
        step = max(1, len(xs) // 6)
        ticks: list[float] = [float(i) for i in range(0, len(xs), step)]
        plt.xticks(ticks, [xs[int(i)] for i in ticks])
        if len(xs) == 1:
            plt.xlim(-1, 1)
        plt.ylim(0, max(1, top_y))
        plt.yticks([float(t) for t in count_ticks(top_y)], [str(t) for t in count_ticks(top_y)])
        unit = "articles" if field == 0 else "passages"
        plt.title(f"{unit} per issue {'date' if dated else 'page'}")
        self.query_one("#plot-legend", Static).update(
            assemble(
                *legend,
                ("文章 articles" if field == 0 else "段落 passages", "dim"),
                "  ",
                (
                    f"{undated} {'篇' if field == 0 else '段'}在无日期版面上, 未画出 · "
                    f"{undated} {plural(undated, unit[:-1])} on undated pages not plotted  "
                    if undated
                    else "",
                    "bold #e5c07b",
                ),
                ("g 关闭 close · 空格 mark codes to compare", "dim"),
            )
        )
        for w in self.query("#plot-legend"):
            w.display = True
        plot.refresh()
        # the table is lower now: the highlighted code's row stays in view (it scrolled not)
        table = self.query_one("#matrix", DataTable)
        self.call_after_refresh(table.move_cursor, scroll=True, animate=False)
