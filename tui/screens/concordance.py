"""The concordance (``K``, and ctrl+k from the search dialog): every occurrence of a term with
its context, matches in one column; sorted by left or right context; Enter opens the article
at the occurrence, ``c``/``C`` code it (or its sentence), ``A`` autocodes every hit."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.dialogs import ConfirmDialog, PickDialog, TagDialog
from tui.render import assemble, plain
from tui.screens.retrieval import (
    FIRST_ROWS,
    MORE_ROWS,
    QUOTE_STYLE,
    AnalysisScreen,
    fit_left,
    fit_right,
    flat,
    kwic_cells,
)
from tui.typeahead import ready
from tui.widgets import VimList, counted, plural, truncate, type_into
from tui.widgets.keyhints import KeyHints

if TYPE_CHECKING:
    from corpus.model import Corpus
    from workspace.kwic import Line, Sort

LIMIT = 5000
"""Lines shown (the count says how many there are)."""
UNIT_NAMES = {
    "match": "匹配 the match itself",
    "sentence": "句子 its sentence",
    "paragraph": "段落 its paragraph",
}


def place(date: str | None, title: str) -> str:
    """Where a line's article is, as the row shows it: its date and title."""
    return " ".join(x for x in (date or "", flat(title)) if x)


def corpus_lines(
    corpus: Corpus, term: str, side: int, sort: Sort
) -> tuple[list[Line], dict[str, str], tuple[int, int]]:
    """The first ``LIMIT`` lines over a corpus in memory, their places, and how many lines and
    articles there are in all."""
    from workspace.kwic import kwic

    every = kwic(corpus, term, width=side, sort=sort)
    head = every[:LIMIT]
    places: dict[str, str] = {}
    for ln in head:
        art = corpus.article(ln.article_id)
        if art is not None and ln.article_id not in places:
            places[ln.article_id] = place(corpus.issue_of(art).date, art.title)
    return head, places, (len(every), len({ln.article_id for ln in every}))


def kwic_rows(
    lines: list[Line], places: dict[str, str], avail: int, first: int = 0
) -> list[Option]:
    """Aligned lines: left context right-aligned, the match, right context, then where —
    the match marked by its style only, so the line reads as the page has it."""
    from workspace.kwic import PART_NAMES

    match_w = max((cell_len(flat(ln.match)) for ln in lines), default=4)
    side, meta_w = kwic_cells(avail, match_w, meta=True)
    options = []
    for i, ln in enumerate(lines, start=first):
        # a headline line: its part in the left context's place (the match stays aligned)
        mark = f"{PART_NAMES.get(ln.part, '')} " if ln.headline else ""
        parts: list[str | tuple[str, str]] = [
            (mark, "bold #61afef"),
            (fit_left(flat(ln.left), side - cell_len(mark)), ""),
            (flat(ln.match), QUOTE_STYLE),
            (fit_right(flat(ln.right), side + match_w - cell_len(flat(ln.match))), ""),
        ]
        where = places.get(ln.article_id)
        if meta_w and where:
            parts += ["  ", (truncate(where, meta_w), "dim")]
        options.append(Option(assemble(*parts), id=str(i)))
    return options


class ConcordanceScreen(AnalysisScreen):
    """Every occurrence, coded or not.  With the corpus in memory the lines are made at once;
    with pages read from the index (a decade of a daily) a worker takes the texts that hold
    the term from the index — no page is built — and keys typed meanwhile wait for the lines;
    with boundary corrections, or to autocode, it builds the pages the term is on."""

    class Found(Message):
        def __init__(
            self,
            term: str,
            sort: Sort,
            lines: list[Line],
            places: dict[str, str],
            total: tuple[int, int],
            error: str = "",
        ) -> None:
            super().__init__()
            self.term, self.sort, self.lines, self.places = term, sort, lines, places
            self.total, self.error = total, error

    class TermPages(Message):
        """The pages a term is on, built for autocoding it."""

        def __init__(
            self, term: str, unit: str, code: str, corpus: Corpus | None, error: str = ""
        ) -> None:
            super().__init__()
            self.term, self.unit, self.code, self.corpus = term, unit, code, corpus
            self.error = error

    BINDINGS = [
        *AnalysisScreen.BINDINGS,
        Binding(
            "l", "sort('left')", "Left", id="kwic.left", tooltip="按左语境排序 sort by the left"
        ),
        Binding(
            "r", "sort('right')", "Right", id="kwic.right", tooltip="按右语境排序 sort by the right"
        ),
        Binding("c", "code('match')", "Code", id="kwic.code", tooltip="编码此处 code the match"),
        Binding(
            "C",
            "code('sentence')",
            "Sentence",
            id="kwic.sentence",
            tooltip="编码整句 code its sentence",
        ),
        Binding(
            "A", "autocode", "Autocode", id="kwic.autocode", tooltip="编码全部 code every line"
        ),
        Binding(
            "slash", "edit_term", "Term", show=False, id="kwic.term", tooltip="换词 another term"
        ),
        Binding("down", "lines", "Lines", show=False, id="kwic.lines"),
    ]

    def __init__(self, term: str = "") -> None:
        super().__init__()
        self.sort: Sort = None
        self.keep_at: int | None = None
        """The line to highlight when the lines come (else the first)."""
        self.term = term
        self.lines: list[Line] = []
        self.total = 0
        self.article_total = 0
        self.places: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        left = self.papp.concordance_left
        if not self.term and left:  # ``K`` again: where the concordance was left
            self.term, self.sort, self.keep_at = left["term"], left["sort"], left["at"]
        yield Static(plain("语境索引 Concordance (KWIC)", "bold"), classes="analysis-title")
        yield Input(self.term, placeholder="词语 a term: 营商环境", id="kwic-input")
        yield Static("", classes="analysis-status")
        yield VimList(id="kwic-lines")
        yield KeyHints()

    def on_mount(self) -> None:
        if self.term.strip():
            self.run()
            self.query_one("#kwic-lines").focus()
        else:
            self.query_one("#kwic-input").focus()
        self.call_after_refresh(self.shown)

    @on(Input.Submitted, "#kwic-input")
    def submitted(self, event: Input.Submitted) -> None:
        self.term = event.value.strip()
        if self.term:
            self.run()
            self.query_one("#kwic-lines").focus()
        else:  # Enter on spaces did nothing, said nothing
            self.query_one(".analysis-status", Static).update(
                plain("先输入一个词语 type a term first, e.g. 营商环境", "#e5c07b")
            )

    def action_edit_term(self) -> None:
        box = self.query_one("#kwic-input", Input)
        box.select_on_focus = True
        box.focus()

    def action_lines(self) -> None:
        """↓ in the term box: to the lines (it did nothing there)."""
        if self.lines:
            self.query_one("#kwic-lines").focus()

    def on_key(self, event: events.Key) -> None:
        """A term typed while the lines have the focus goes to the term box, as a new term
        (it was lost); the lines' own keys (l r c C A u / j k g G) stay theirs."""
        box = self.query_one("#kwic-input", Input)
        if self.focused is box or not (event.is_printable and event.character):
            return
        if event.key in self.active_bindings or event.character.isspace():
            return
        if box.value == self.term:  # the first key of the new term (focus comes later)
            box.value = ""
        type_into(box, event)

    def action_sort(self, side: str) -> None:
        self.sort = None if self.sort == side else ("left" if side == "left" else "right")
        self.run()

    def after_edit(self) -> None:
        self.status_line()

    def rows_for_width(self) -> None:
        if self.term:
            self.keep_at = self.query_one("#kwic-lines", OptionList).highlighted
            self.run()

    def width(self) -> int:
        w = self.query_one("#kwic-lines", OptionList).scrollable_content_region.width
        return max(30, (w if w > 4 else self.app.size.width - 4) - 4)

    def run(self) -> None:
        ol = self.query_one("#kwic-lines", OptionList)
        ol.clear_options()
        self.lines = []
        if self.main.pages is None or not self.term:
            self.status("语料还在加载 the corpus is still loading" if self.term else "")
            return
        side, _ = kwic_cells(self.width(), cell_len(self.term), meta=True)
        if self.ws.library.lazy:
            self.status(f"「{self.term}」 查找中 finding…")
            self.typeahead_ready = False  # keys typed meanwhile act on the lines
            self._find(self.term, self.sort, side)
            return
        self.show_lines(*corpus_lines(self.ws.corpus(), self.term, side, self.sort))

    @work(thread=True, exclusive=True, group="kwic")
    def _find(self, term: str, sort: Sort, side: int) -> None:
        from storage.pages import article_heads
        from workspace.kwic import (
            concordance_head,
            headline_pages,
            texts_with_heads,
            with_headline_pages,
        )

        try:
            lib = self.ws.library
            idx = lib.reading_index() if lib.lazy else None
            # one scan of the headlines for the pages with the term in one (headline framing
            # counts: testerC F5); the index's texts are bodies', its headlines put in place
            heads = headline_pages(idx, term) if idx is not None else set()
            texts = self.ws.indexed_texts(term)
            if texts is not None and idx is not None and heads:
                texts = texts_with_heads(idx, term, heads)
            if texts is None and heads:  # corrected pages: built, with the headlines' pages
                found = with_headline_pages(lib, self.ws.term_corpus(term), term, heads)
                head, places, counts = corpus_lines(found, term, side, sort)
            elif texts is not None:
                head, total, arts = concordance_head(
                    texts, term, width=side, sort=sort, limit=LIMIT
                )
                ids = [ln.article_id for ln in head]
                pages = self.main.pages
                rows = pages.by_id if pages is not None else {}
                places = {}
                for aid, (pid, title) in article_heads(self.ws.library, ids).items():
                    row = rows.get(pid)
                    places[aid] = place(row.date if row is not None else None, title)
                counts = (total, arts)
            else:
                head, places, counts = corpus_lines(self.ws.term_corpus(term), term, side, sort)
        except Exception as exc:  # shown, not crashed
            self.post_message(self.Found(term, sort, [], {}, (0, 0), str(exc)))
            return
        self.post_message(self.Found(term, sort, head, places, counts))

    def on_concordance_screen_found(self, msg: Found) -> None:
        if (msg.term, msg.sort) != (self.term, self.sort):
            return  # a newer query is on its way
        if msg.error:
            self.status(f"无法查找 cannot search: {msg.error}")
        else:
            self.show_lines(msg.lines, msg.places, msg.total)
        ready(self)

    def show_lines(self, lines: list[Line], places: dict[str, str], total: tuple[int, int]) -> None:
        """The first ``LIMIT`` lines of ``total`` (lines, articles): a screenful now and the
        rest in batches."""
        ol = self.query_one("#kwic-lines", OptionList)
        ol.clear_options()
        avail = self.width()
        self.total, self.article_total = total
        self.lines = lines
        self.places = places
        at, self.keep_at = self.keep_at or 0, None
        ol.add_options(kwic_rows(self.lines[: max(FIRST_ROWS, at + 1)], places, avail))
        if self.lines:
            ol.highlighted = min(at, len(self.lines) - 1)
        self.status_line()
        if len(self.lines) > ol.option_count:
            more = partial(self._more, avail, ol.option_count)
            self.call_after_refresh(self.set_timer, 0.02, more)

    def _more(self, avail: int, done: int) -> None:
        """The lines after the first screenful, a batch per tick (keys go in between)."""
        ol = self.query_one("#kwic-lines", OptionList)
        if done != ol.option_count or done >= len(self.lines):
            return  # replaced by a newer concordance meanwhile, or finished
        batch = self.lines[done : done + MORE_ROWS]
        ol.add_options(kwic_rows(batch, self.places, avail, done))
        if done + len(batch) < len(self.lines):
            self.set_timer(0.01, partial(self._more, avail, done + len(batch)))

    def status_line(self) -> None:
        sort = {None: "语料顺序 corpus order", "left": "左 left", "right": "右 right"}[self.sort]
        shown = f" (前 first {LIMIT})" if self.total > len(self.lines) else ""
        self.status(
            f"「{self.term}」 {self.total} 处 {plural(self.total, 'occurrence')}{shown} in "
            f"{self.article_total} 篇 {plural(self.article_total, 'article')} · "
            f"排序 sort: {sort} (l/r) · Enter 打开 open · c 编码 code · C 句子 sentence · "
            "A 自动编码 autocode"
        )

    def current(self) -> Line | None:
        ol = self.query_one("#kwic-lines", OptionList)
        if not self.lines or ol.highlighted is None:
            return None
        return self.lines[min(ol.highlighted, len(self.lines) - 1)]

    @on(OptionList.OptionSelected, "#kwic-lines")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        ln = self.lines[int(event.option.id or 0)]
        self.remember()
        # a headline's offsets are not the text's: the article opens at its top
        self.open_in_reader(ln.article_id, None if ln.headline else ln.start)

    def remember(self) -> None:
        """Where this concordance is (term, sort, line): ``K`` comes back to it, the list
        focused (it came back empty, the term box focused: ↓ did nothing)."""
        if self.term and self.lines:
            at = self.query_one("#kwic-lines", OptionList).highlighted
            self.papp.concordance_left = {"term": self.term, "sort": self.sort, "at": at or 0}

    def action_back(self) -> None:
        self.remember()
        super().action_back()

    def action_code(self, unit: str) -> None:
        ln = self.current()
        if ln is None:
            return
        if ln.headline:  # passages anchor in the text: a headline is coded by an article tag
            self.notify(
                "标题不能编码为段落 a headline cannot be a passage: tag the article (Enter, t)",
                severity="warning",
            )
            return
        art = self.article(ln.article_id)
        if art is None:
            return
        start, end = ln.start, ln.end
        if unit == "sentence":
            from workspace.analysis import sentence_span

            start, end = sentence_span(art.text, start, end)
        quote = art.text[start:end]

        def code(tags: list[str] | None) -> None:
            if tags and self.edit(
                lambda: self.ws.code_passage(art, start, end, tags),
                f"«{truncate(flat(quote), 20)}» ← {' '.join(tags)}",
            ):
                self.after_edit()

        what = "句子 sentence" if unit == "sentence" else "这一处 occurrence"
        where = self.places.get(ln.article_id) or flat(art.title) or art.label
        self.app.push_screen(
            TagDialog(
                f"编码{what} Code «{truncate(flat(quote), 40)}»\n"
                f"1 line in 1 article: {truncate(where, 64)}",
                self.vocabulary(),
            ),
            code,
        )

    def action_autocode(self) -> None:
        if self.main.pages is None or not self.term or not self.lines:
            self.notify("先输入词语 type a term with hits first")
            return
        term = self.term

        def unit_chosen(unit: str | None) -> None:
            if unit is None:
                return

            def code_chosen(tags: list[str] | None) -> None:
                if tags:
                    self.notify(f"正在读取「{term}」所在的版面 reading its pages…", timeout=2)
                    self._term_pages(term, unit, tags[0])

            heads = sum(ln.headline for ln in self.lines)  # a passage lies in the text
            left = f" ({heads} in headlines: not coded, 标题不编码)" if heads else ""
            if heads and self.total > len(self.lines):  # counted over the lines shown only
                left = (
                    f" (of the first {len(self.lines)}, {heads} in headlines: not coded, "
                    "标题不编码)"
                )
            self.app.push_screen(
                TagDialog(
                    f"自动编码「{term}」({UNIT_NAMES[unit]}): {counted(self.total, 'line')} in "
                    f"{counted(self.article_total, 'article')}{left} — 代码 code as",
                    self.vocabulary(),
                ),
                code_chosen,
            )

        self.app.push_screen(
            PickDialog(f"自动编码 Autocode every 「{term}」: 单位 unit", list(UNIT_NAMES.items())),
            unit_chosen,
        )

    @work(thread=True, exclusive=True, group="autocode")
    def _term_pages(self, term: str, unit: str, code: str) -> None:
        try:
            corpus = self.ws.term_corpus(term)
        except Exception as exc:  # shown (by the handler), not crashed
            self.post_message(self.TermPages(term, unit, code, None, str(exc)))
            return
        self.post_message(self.TermPages(term, unit, code, corpus))

    def on_concordance_screen_term_pages(self, msg: TermPages) -> None:
        if msg.corpus is None:
            self.notify(msg.error, title="无法读取 cannot read the pages", severity="error")
            return
        self.confirm_autocode(msg.corpus, msg.term, msg.unit, msg.code)

    def confirm_autocode(self, corpus: Corpus, term: str, unit: str, code: str) -> None:
        from workspace.analysis import apply_autocode, plan_autocode, preview

        plan = plan_autocode(corpus, term, unit)  # type: ignore[arg-type]
        passages, articles = preview(plan)

        def decided(yes: bool | None) -> None:
            if not yes:
                return
            n = self.edit(lambda: apply_autocode(self.ws.store, plan, code))
            if n is None:
                return
            count = 0 if n is True else n
            self.notify(
                f"{count} 段 {plural(count, 'passage')} ← {code} (u 一步撤销 undoes in one step)",
                title="已保存 saved",
            )
            self.after_edit()

        self.app.push_screen(
            ConfirmDialog(
                f"{counted(passages, 'passage')} in {counted(articles, 'article')} — "
                f"code {'it' if passages == 1 else 'them'} as 「{code}」? "
                f"({passages} 段 · {articles} 篇 · {UNIT_NAMES[unit]})"
            ),
            decided,
        )
