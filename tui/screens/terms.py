"""Key terms (``W``): the terms piyue discovered in the corpus, with how often they recur and
what they are (term, person, place, organisation), for the user to review.  ``x`` rejects
the highlighted term — remembered beside the user dictionary, it is never proposed again and
the reader shows its words (``u`` takes the rejection back); Enter opens the concordance of
the term, to see it in use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.dialogs import ConfirmDialog
from tui.render import assemble, plain
from tui.screens.retrieval import AnalysisScreen, flat
from tui.typeahead import ready
from tui.widgets import VimList, plural, truncate, type_into
from tui.widgets.keyhints import KeyHints

if TYPE_CHECKING:
    from corpus.terms import Term

KINDS = {
    "term": "术语 term",
    "person": "人名 person",
    "place": "地名 place",
    "organisation": "机构 organisation",
}
"""A term's kind as the list shows it, in the order ``t`` steps through them."""
KIND_CELLS = max(cell_len(k) for k in KINDS.values())


def term_rows(terms: list[Term], width: int) -> list[Option]:
    """One row a term: its frequency, its kind, the term (cut to the list's width)."""
    freq_w = max((len(str(t.freq)) for t in terms), default=1)
    text_w = max(4, width - freq_w - KIND_CELLS - 4)
    rows = []
    for i, t in enumerate(terms):
        kind = KINDS.get(t.kind, t.kind)
        rows.append(
            Option(
                assemble(
                    (f"{t.freq:>{freq_w}}", "bold"),
                    "  ",
                    (kind + " " * (KIND_CELLS - cell_len(kind)), "dim"),
                    "  ",
                    truncate(flat(t.text), text_w),
                ),
                id=str(i),
            )
        )
    return rows


class TermsScreen(AnalysisScreen):
    """The discovered terms, most frequent first; a filter by text and by kind."""

    class Loaded(Message):
        def __init__(self, terms: list[Term], error: str = "") -> None:
            super().__init__()
            self.terms, self.error = terms, error

    class Rejected(Message):
        """A rejection written (``restored``: taken back)."""

        def __init__(self, text: str, restored: bool = False, error: str = "") -> None:
            super().__init__()
            self.text, self.restored, self.error = text, restored, error

    BINDINGS = [
        Binding("escape", "back", "Back", id="terms.back"),
        Binding("x", "reject", "Reject", id="terms.reject"),
        Binding("t", "kind", "Kind", id="terms.kind"),
        Binding("slash", "edit_filter", "Filter", id="terms.filter"),
        Binding("u", "undo", "Undo reject", id="terms.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="terms.redo"),
    ]
    HINT_ORDER = ("terms.back", "terms.reject", "terms.undo", "terms.kind", "terms.filter")

    def __init__(self) -> None:
        super().__init__()
        self.every: list[Term] = []
        self.shown_terms: list[Term] = []
        self.kind = ""
        """The kind shown ("" every kind)."""
        self.rejected: list[str] = []
        """This visit's rejections, last last: what ``u`` takes back."""
        self.restored: list[str] = []
        """Rejections taken back: what ctrl+r rejects again."""
        self.words_stale = False
        self.fetching = True

    def compose(self) -> ComposeResult:
        yield Static(
            plain("关键术语 Key terms · 频次 frequency: on the pages where it recurs", "bold"),
            classes="analysis-title",
        )
        yield Input(placeholder="筛选 filter — type part of a term (e.g. 园区)", id="terms-input")
        yield Static("", classes="analysis-status")
        yield VimList(id="terms-list")
        yield KeyHints()

    def on_mount(self) -> None:
        self.query_one("#terms-list").focus()
        if not self.main.index_ready:
            self.status(
                "术语来自索引 terms come from the index, which is not ready yet: try again soon"
            )
            self.fetching = False
            self.call_after_refresh(self.shown)
            return
        self.status("读取术语 reading the terms…")
        self._load()

    @work(thread=True, exclusive=True, group="terms")
    def _load(self) -> None:
        try:
            found = self.ws.library.terms()
        except Exception as exc:  # shown, not crashed
            self.post_message(self.Loaded([], str(exc)))
            return
        self.post_message(self.Loaded(found))

    def on_terms_screen_loaded(self, msg: Loaded) -> None:
        first = self.fetching
        self.fetching = False
        if msg.error:
            self.status(f"无法读取术语 cannot read the terms: {msg.error}")
        else:
            self.every = msg.terms
            self.show_terms(
                None if first else self.query_one("#terms-list", OptionList).highlighted
            )
        if first:
            self.shown()

    def width(self) -> int:
        w = self.query_one("#terms-list", OptionList).scrollable_content_region.width
        return max(30, (w if w > 4 else self.app.size.width - 4) - 2)

    def show_terms(self, keep: int | None = None) -> None:
        needle = self.query_one("#terms-input", Input).value.strip()
        self.shown_terms = [
            t
            for t in self.every
            if (not self.kind or t.kind == self.kind) and (not needle or needle in t.text)
        ]
        ol = self.query_one("#terms-list", OptionList)
        ol.clear_options()
        ol.add_options(term_rows(self.shown_terms, self.width()))
        if self.shown_terms:
            ol.highlighted = min(keep or 0, len(self.shown_terms) - 1)
        self.status_line()

    def status_line(self) -> None:
        n, total = len(self.shown_terms), len(self.every)
        which = f"{n} / {total}" if n != total else str(total)
        if total and not n:
            which = f"没有匹配项 no match · {which}"
        kind = KINDS.get(self.kind, "全部 all")
        if not total:
            self.status("还没有发现术语 no terms discovered yet (the index finds them)")
            return
        self.status(
            f"{which} 个 {plural(total, 'term')} · 类别 kind: {kind} (t) · "
            "Enter 语境索引 concordance · x 拒绝 reject"
        )

    def rows_for_width(self) -> None:
        if self.every:
            self.show_terms(self.query_one("#terms-list", OptionList).highlighted)

    @on(Input.Changed, "#terms-input")
    def filter_changed(self, _event: Input.Changed) -> None:
        if not self.fetching:
            self.show_terms()

    @on(Input.Submitted, "#terms-input")
    def filter_done(self, _event: Input.Submitted) -> None:
        self.query_one("#terms-list").focus()

    def action_edit_filter(self) -> None:
        self.query_one("#terms-input").focus()

    def on_key(self, event: events.Key) -> None:
        """↓/↑ in the filter go to the list (as in the other pickers); a Chinese character
        typed in the list goes to the filter (letters there are commands: x, t, u) — typing
        营造 on the list was dropped (tester E, E9.2)."""
        box = self.query_one("#terms-input", Input)
        ol = self.query_one("#terms-list", OptionList)
        if self.focused is box and event.key in ("down", "up"):
            ol.focus()
            if ol.highlighted is None and ol.option_count:
                ol.highlighted = 0
            event.stop()
            event.prevent_default()
        elif (
            self.focused is ol
            and event.is_printable
            and event.character
            and not event.character.isascii()
        ):
            type_into(box, event)

    def action_kind(self) -> None:
        order = ["", *KINDS]
        self.kind = order[(order.index(self.kind) + 1) % len(order)]
        self.show_terms()

    def current(self) -> Term | None:
        at = self.query_one("#terms-list", OptionList).highlighted
        if at is None or not self.shown_terms:
            return None
        return self.shown_terms[min(at, len(self.shown_terms) - 1)]

    @on(OptionList.OptionSelected, "#terms-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        from tui.screens.concordance import ConcordanceScreen

        term = self.shown_terms[int(event.option.id or 0)]
        self.app.push_screen(ConcordanceScreen(term.text))

    def action_reject(self) -> None:
        term = self.current()
        if term is None:
            return
        text = term.text

        def decided(yes: bool | None) -> None:
            if yes:
                self.write(text, restore=False)

        self.app.push_screen(
            ConfirmDialog(
                f"「{flat(text)}」不是术语? Reject it: it is never proposed again, and the reader "
                "shows its words instead (remembered beside the user dictionary)"
            ),
            decided,
        )

    def action_undo(self) -> None:
        if not self.rejected:
            self.notify(
                "没有可撤销的拒绝 no rejection to take back (codings: undo on the main screen)"
            )
            return
        self.write(self.rejected[-1], restore=True)

    def action_redo(self) -> None:
        if not self.restored:
            self.notify("没有可重做的 nothing to redo")
            return
        self.write(self.restored[-1], restore=False)

    def write(self, text: str, restore: bool) -> None:
        self.status(
            f"「{truncate(flat(text), 30)}」 {'恢复 restoring' if restore else '拒绝 rejecting'}…"
        )
        self.typeahead_ready = False  # keys typed meanwhile act on the new list
        self._write(text, restore)

    @work(thread=True, exclusive=True, group="terms")
    def _write(self, text: str, restore: bool) -> None:
        lib = self.ws.library
        try:
            if restore:
                lib.restore_term(text)
                found = lib.terms()
            else:
                lib.reject_term(text)
                found = []
        except Exception as exc:  # shown, not crashed
            self.post_message(self.Rejected(text, restore, str(exc)))
            return
        if restore:
            self.post_message(self.Loaded(found))
        self.post_message(self.Rejected(text, restore))

    def on_terms_screen_rejected(self, msg: Rejected) -> None:
        text = truncate(flat(msg.text), 30)
        if msg.error:
            self.notify(msg.error, title="未保存 not saved", severity="error")
        elif msg.restored:
            self.rejected.remove(msg.text)
            self.restored.append(msg.text)
            self.words_stale = True
            back = any(t.text == msg.text for t in self.every)
            self.notify(
                f"「{text}」 恢复 restored"
                + ("" if back else ": 语料中已不是术语 the corpus no longer makes it a term"),
                timeout=3,
            )
        else:
            at = self.query_one("#terms-list", OptionList).highlighted
            self.every = [t for t in self.every if t.text != msg.text]
            if msg.text in self.restored:
                self.restored.remove(msg.text)
            self.rejected.append(msg.text)
            self.words_stale = True
            self.show_terms(at)
            self.notify(f"「{text}」 不再是术语 rejected (u 撤销 takes it back)", timeout=3)
        ready(self)

    def on_unmount(self) -> None:
        if self.words_stale:
            self.main.words_changed()  # what was segmented with the term is stale
