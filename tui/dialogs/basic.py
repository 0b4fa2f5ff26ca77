"""Typed modal dialogs: each is a ``ModalScreen[T]`` whose result goes to a callback."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widgets import Input, Label, OptionList, SelectionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from tui.render import plain, visible
from tui.typeahead import Dialog
from tui.widgets.lists import StopList

TAG_SPLIT = re.compile(r"[,，、;；\s]+")


def split_tags(value: str) -> list[str]:
    return [t for t in TAG_SPLIT.split(value) if t]


def refused(dialog: Dialog[Any], error: str, retry: str) -> None:
    """A write the disk refused: the dialog stays open with what was typed and says why
    (one line under the input, replaced on the next try)."""
    for old in dialog.query(".save-error"):
        old.remove()
    line = Static(plain(f"未保存 not saved: {error} — {retry}", "bold #e06c75"))
    line.add_class("save-error")
    dialog.query_one(".dialog").mount(line, after=1)


class TagSuggester(Suggester):
    """Completes the last tag being typed from the existing vocabulary."""

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags = list(tags)

    async def get_suggestion(self, value: str) -> str | None:
        m = re.search(r"([^,，、;；\s]+)$", value)
        if not m:
            return None
        stem = m.group(1)
        for t in self.tags:
            if t.startswith(stem) and t != stem:
                return value[: m.start(1)] + t
        return None


class TagDialog(Dialog[list[str] | None]):
    """Ask for one or more tags (autocomplete from the vocabulary); Enter saves."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("tab", "complete", "Complete", show=False, priority=True, id="dialog.complete"),
    ]

    def __init__(
        self,
        title: str,
        vocabulary: Sequence[str],
        current: Sequence[str] = (),
        save: Callable[[list[str]], str] | None = None,
    ) -> None:
        super().__init__()
        self.heading = title
        self.vocabulary = list(vocabulary)
        self.current = list(current)
        self.save = save
        """Writes the tags and returns the error ('' when saved): with it, a write the disk
        refuses keeps the prompt open with what was typed (it closed and the tags were lost)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.heading), classes="dialog-title")
            yield Input(
                placeholder="标签，可多个（逗号或空格分隔） tags, several at once",
                suggester=TagSuggester(self.vocabulary),
                id="tag-input",
            )
            hint = "  ".join(self.vocabulary[:30]) or "(还没有标签 no tags yet)"
            yield Static(plain("已有 existing: " + hint, "dim"), classes="dialog-hint")
            if self.current:
                yield Static(plain("当前 current: " + "  ".join(self.current), "dim"))
            yield Static(plain("Enter 保存 save · Tab 补全 complete · Esc 取消 cancel", "dim"))

    def unsaved(self) -> str:
        return "标签 tags" if self.query_one("#tag-input", Input).value.strip() else ""

    def action_complete(self) -> None:
        """Tab takes the suggested completion (the grey text), as the hint says."""
        box = self.query_one("#tag-input", Input)
        box.cursor_position = len(box.value)
        box.action_cursor_right()  # at the end of the text: accepts the suggestion, if any

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        tags = split_tags(event.value)
        if not tags:
            self.dismiss(None)
            return
        from workspace.codebook import one_slip

        known = set(self.vocabulary)

        def meant(t: str) -> str | None:
            """The existing code a new ``t`` may be: one it begins (half typed), or one a
            character apart (a slip: 营商坏境 for 营商环境, testerC F10)."""
            if t in known:
                return None
            return next((v for v in self.vocabulary if v.startswith(t)), None) or next(
                (v for v in self.vocabulary if one_slip(t, v)), None
            )

        stems = [t for t in tags if meant(t) is not None]
        if not stems:
            self.finish(tags)
            return
        longer = meant(stems[0]) or stems[0]

        def decided(create: bool | None) -> None:
            if create:
                self.finish(tags)
                return
            if create is False:  # n: "use 营商环境" does it — keys typed next are not lost in
                # the field (testerC F12: n, then q, left 营商环境q there)
                self.finish(list(dict.fromkeys(longer if t == stems[0] else t for t in tags)))
                return
            # Esc: back to editing, the existing code in the field (it showed only as a ghost,
            # and Enter asked the same question again)
            box = self.query_one("#tag-input", Input)
            box.value = re.sub(
                rf"(^|[,，、;；\s]){re.escape(stems[0])}(?=$|[,，、;；\s])",
                lambda m: m.group(1) + longer,
                box.value,
                count=1,
            )
            box.cursor_position = len(box.value)
            box.focus()

        # A half-typed code is the usual reason for a new code that begins an existing one.
        question = ConfirmDialog(
            f"新建标签「{stems[0]}」? 已有「{longer}」 — create a new code?",
            f"y 新建 create · n 用「{longer}」 use {longer} · Esc 改 edit",
            edit=True,
        )
        # keys typed on before it showed (n for the note, after the tag) are not its answer:
        # they wait until it is answered (testerD F9: n said "use 大库一", the note was lost)
        question.unbidden = True
        question.reaction = 0.0  # it follows the user's Enter: a key once it shows answers it
        question.below = self  # Esc (edit) keeps this open: those keys wait for it to close
        self.app.push_screen(question, decided)

    def finish(self, tags: list[str]) -> None:
        error = self.save(tags) if self.save is not None else ""
        if error:
            refused(self, error, "Enter 再试 try again · Esc 放弃 give up")
            self.query_one("#tag-input", Input).focus()
            return
        self.dismiss(tags)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(Dialog[bool | None]):
    """y / n; Esc is n, unless ``edit``: then Esc answers None (go back and change it)."""

    BINDINGS = [
        Binding("y", "yes", "Yes", id="dialog.yes"),
        Binding("n", "no", "No", id="dialog.no"),
        Binding("escape", "escape", "No", id="dialog.escape"),
    ]

    def __init__(self, question: str, keys: str = "y 是 yes · n 否 no", edit: bool = False) -> None:
        super().__init__()
        self.question = question
        self.keys = keys
        self.edit = edit
        self.quitting = False
        """The question before quitting (a second ctrl+q does not ask it twice)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self.question))
            yield Static(plain(self.keys, "dim"))

    answer: bool | None = False

    def action_yes(self) -> None:
        self.answer = True
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)

    def action_escape(self) -> None:
        self.answer = None if self.edit else False
        self.dismiss(self.answer)

    def leaves_below_open(self) -> bool:
        return self.edit and self.answer is None


class NoteDialog(Dialog[str | None]):
    """Multi-line note editor: ctrl+s saves, Esc cancels (asks first if anything changed)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="note.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="note.cancel", priority=True),
    ]

    def __init__(self, title: str, text: str, save: Callable[[str], str] | None = None) -> None:
        super().__init__()
        self.heading = title
        self.original = visible(text, tabs=True)
        """As shown: a control character in a note is drawn as its picture (␛), never sent
        to the terminal; saved as shown only if the note is edited."""
        self.save = save
        """Writes the note and returns the error ('' when saved): with it, a write the disk
        refuses keeps the editor open with the text (it closed and the note was lost)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog note-dialog"):
            yield Label(plain(self.heading), classes="dialog-title")
            yield TextArea(self.original, id="note-text", soft_wrap=True)
            yield Static(plain("ctrl+s 保存 save · Esc 取消 cancel", "dim"))

    def on_mount(self) -> None:
        ta = self.query_one(TextArea)
        ta.focus()
        ta.move_cursor(ta.document.end)

    def unsaved(self) -> str:
        return "笔记 note" if self.query_one(TextArea).text != self.original else ""

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        # Nothing changed: nothing to write, and nothing to claim as saved.
        if text == self.original:
            self.dismiss(None)
            return
        error = self.save(text) if self.save is not None else ""
        if error:
            refused(self, error, "ctrl+s 再试 try again · Esc 放弃 discard")
            self.query_one(TextArea).focus()
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        if self.query_one(TextArea).text == self.original:
            self.dismiss(None)
            return

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog("放弃未保存的修改？ Discard unsaved changes?"), decided)


class PickDialog(Dialog[Any]):
    """Choose one item from a list: typing narrows it (every word typed, in any case, is in
    the item), ↑/↓ move, Enter takes the highlighted item, Esc cancels. The filter has the
    focus, so what is typed while the dialog opens narrows the list too (type-ahead)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("up", "move('cursor_up')", show=False, priority=True),
        Binding("down", "move('cursor_down')", show=False, priority=True),
        Binding("pageup", "move('page_up')", show=False, priority=True),
        Binding("pagedown", "move('page_down')", show=False, priority=True),
    ]

    def __init__(self, title: str, items: Sequence[tuple[Any, str]]) -> None:
        super().__init__()
        self.heading = title
        self.items = list(items)
        self.shown = list(range(len(self.items)))
        """Indices into ``items`` of the rows the filter leaves, in order."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog pick-dialog"):
            yield Label(plain(self.heading), classes="dialog-title")
            yield Input(placeholder="筛选 type to filter", id="pick-filter")
            yield StopList(*self.options(), id="pick-list")
            hint = "输入筛选 filter · ↑↓ · Enter 选择 choose · Esc 取消 cancel"
            yield Static(plain(hint, "dim"))

    def options(self) -> list[Option]:
        """The rows the filter leaves; none left is said, not an empty box."""
        if not self.shown:
            word = "没有匹配项 no match" if self.items else "没有可选项 nothing to choose"
            return [Option(plain(word, "dim italic"), disabled=True)]
        return [Option(plain(self.items[i][1]), id=str(i)) for i in self.shown]

    def on_mount(self) -> None:
        self.query_one("#pick-list", OptionList).highlighted = 0 if self.items else None
        self.query_one("#pick-filter", Input).focus()

    @on(Input.Changed, "#pick-filter")
    def narrowed(self, event: Input.Changed) -> None:
        words = event.value.casefold().split()
        self.shown = [
            i
            for i, (_, label) in enumerate(self.items)
            if all(w in label.casefold() for w in words)
        ]
        ol = self.query_one("#pick-list", OptionList)
        ol.clear_options()
        ol.add_options(self.options())
        ol.highlighted = 0 if self.shown else None

    def action_move(self, how: str) -> None:
        getattr(self.query_one("#pick-list", OptionList), f"action_{how}")()

    @on(Input.Submitted, "#pick-filter")
    def submitted(self, _event: Input.Submitted) -> None:
        ol = self.query_one("#pick-list", OptionList)
        if ol.highlighted is None:
            self.notify("没有匹配项 nothing matches", severity="warning")
            return
        self.dismiss(self.items[int(ol.get_option_at_index(ol.highlighted).id or 0)][0])

    @on(OptionList.OptionSelected, "#pick-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.items[int(event.option.id or 0)][0])

    def action_cancel(self) -> None:
        self.dismiss(None)


class InputDialog(Dialog[str | None]):
    """One line of input (filter expression, word split…)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(
        self,
        title: str,
        value: str = "",
        hint: str = "",
        placeholder: str = "",
        save: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__()
        self.heading, self.value, self.hint, self.placeholder = title, value, hint, placeholder
        self.save = save
        """Writes the value and returns the error ('' when saved): with it, a write the disk
        refuses keeps the dialog open with what was typed, as the tag prompt does."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.heading), classes="dialog-title")
            yield Input(self.value, placeholder=self.placeholder)
            if self.hint:
                yield Static(plain(self.hint, "dim"))

    def unsaved(self) -> str:
        typed = self.query_one(Input).value
        return "输入 text" if typed.strip() and typed != self.value else ""

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        error = self.save(event.value) if self.save is not None else ""
        if error:
            refused(self, error, "Enter 再试 try again · Esc 放弃 give up")
            self.query_one(Input).focus()
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class LayersDialog(Dialog[list[str] | None]):
    """Toggle highlight layers (space toggles, Enter applies)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("enter", "apply", "Apply", id="layers.apply", priority=True),
    ]

    def __init__(self, options: Sequence[tuple[str, str, bool]]) -> None:
        super().__init__()
        self.options = list(options)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("高亮图层 Highlight layers", classes="dialog-title")
            yield SelectionList[str](
                *[Selection(plain(label), key, on) for key, label, on in self.options]
            )
            yield Static(plain("空格 切换 toggle · Enter 应用 apply · Esc 取消", "dim"))

    def action_apply(self) -> None:
        self.dismiss(list(self.query_one(SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)


def screen_keys(screen: Screen[Any], moves: str = "move") -> list[tuple[str, str]]:
    """Every key a screen binds, with what it does (a binding's tooltip says more): what
    ``?`` lists on a screen whose footer, at 80 columns, leaves some out."""
    rows = [("↑↓ j k", moves)]
    for b in screen.BINDINGS:
        if isinstance(b, Binding) and b.description and b.action != "keys":
            what = f"{b.description} — {b.tooltip}" if b.tooltip else b.description
            rows.append((screen.app.get_key_display(b), what))
    rows.append(("ctrl+p", "command palette"))
    return rows


class HelpScreen(Dialog[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
        Binding("j", "scroll(1)", show=False),
        Binding("k", "scroll(-1)", show=False),
    ]

    def __init__(self, rows: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Label("按键 Keys", classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(plain(self.text(self.app.size.width)), id="help-text")
            yield Static(
                plain("↑↓ 滚动 scroll · Esc 关闭 close · ctrl+p 命令面板 command palette", "dim")
            )

    def on_mount(self) -> None:
        self.fit()
        self.query_one("#help-scroll").focus()  # ↑↓ scroll what does not fit

    def on_resize(self) -> None:
        self.fit()

    def fit(self) -> None:
        """The keys scroll inside the dialog: the dialog's border, padding, title and hint
        stay on screen (at 24 rows the box ran past the dialog and its hint was cut)."""
        self.query_one("#help-scroll").styles.max_height = max(
            3, self.app.size.height * 95 // 100 - 8
        )

    def text(self, screen_width: int) -> str:
        """The keys, in two columns when the screen is wide enough: in one, the quick tags,
        B, K, W were below the dialog's fold and a tester thought them missing."""
        key_w = max((cell_len(k) for k, _ in self.rows), default=4) + 2
        lines = [k + " " * (key_w - cell_len(k)) + d for k, d in self.rows]
        col_w = max((cell_len(line) for line in lines), default=0) + 3
        inner = min(150, screen_width * 95 // 100) - 10  # the dialog's border, padding, bar
        if inner < 2 * col_w or len(lines) < 12:
            return "\n".join(lines)
        half = (len(lines) + 1) // 2
        left, right = lines[:half], lines[half:]
        return "\n".join(
            a + " " * (col_w - cell_len(a)) + (right[i] if i < len(right) else "")
            for i, a in enumerate(left)
        )

    def action_scroll(self, lines: int) -> None:
        box = self.query_one("#help-scroll", VerticalScroll)
        # at once: deferred to the next frame, keys typed fast each read the same position
        # (ten j's scrolled three lines)
        box.scroll_to(y=box.scroll_y + lines, animate=False, immediate=True)

    def action_close(self) -> None:
        self.dismiss(None)
