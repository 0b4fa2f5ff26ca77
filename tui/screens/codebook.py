"""The codebook screen (``c``): every code as a tree with its colour, counts and description,
and the edits a researcher makes to it — each one undo step through ``workspace.codebook``;
Enter retrieves what a code codes.

The counts are the code's own, as ``piyue codes`` and the co-occurrence table's diagonal count
them (``workspace.analysis``: no roll-up of children); a code with children also shows its
total with them, labelled, which is what Enter retrieves."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from storage.annotations import PALETTE
from tui.dialogs import ConfirmDialog, InputDialog, PickDialog
from tui.dialogs.basic import refused
from tui.render import assemble, plain
from tui.screens.retrieval import AnalysisScreen, fit_right, flat
from tui.typeahead import Dialog
from tui.widgets import VimList, counted, plural, truncate, type_into
from tui.widgets.keyhints import KeyHints
from workspace import codebook

if TYPE_CHECKING:
    from storage.annotations import CodeRow
    from workspace.session import Workspace


TOTAL_CELLS = cell_len("含子 0000 篇 00000 段")
"""The width of the with-children column (blank for a code without children)."""


def columns(rows: list[CodeRow], avail: int) -> tuple[int, int]:
    """(name cells, description cells) of the rows in ``avail`` cells."""
    total_w = TOTAL_CELLS + 2 if any(r.parent for r in rows) else 0
    fixed = cell_len("██ 00  0000 篇 00000 段") + total_w  # swatch, quick key, counts
    name_w = min(max((2 * r.depth + cell_len(r.name) for r in rows), default=8), avail // 2)
    name_w = max(8, min(name_w, avail - fixed))  # a long name wrapped the counts at 80 columns
    return name_w, avail - name_w - cell_len("0000 篇 00000 段") - total_w - 9


def code_rows(rows: list[CodeRow], avail: int) -> list[Option]:
    """One line a code: indent, swatch, name, its own articles and passages, the same with
    its children (only a code that has some), description — counts in columns whatever the
    names' scripts."""
    name_w, desc_w = columns(rows, avail)
    parents = {r.parent for r in rows if r.parent}
    options = []
    for r in rows:
        indent = "  " * r.depth
        name = fit_right(truncate(flat(r.name), max(4, name_w - len(indent))), name_w - len(indent))
        counts = f"{r.articles:>4} 篇 {r.passages:>5} 段"
        total = (
            f"含子 {r.articles_with_children:>4} 篇 {r.passages_with_children:>5} 段"
            if r.name in parents
            else ""
        )
        slot = f" {r.slot}" if r.slot else "  "
        parts: list[str | tuple[str, str]] = [
            indent,
            ("██", r.colour or "#888888"),
            " ",
            (name, "bold" if r.depth == 0 else ""),
            (slot, "dim"),
            "  ",
            (counts, ""),
        ]
        if parents:
            parts += ["  ", (total + " " * (TOTAL_CELLS - cell_len(total)), "dim")]
        if r.description and desc_w > 4:
            parts += ["  ", (truncate(flat(r.description), desc_w), "dim italic")]
        options.append(Option(assemble(*parts), id=r.name))
    return options


def whose(ws: Workspace, code: str) -> str:
    """What a code codes in every coder's codings, per coder — "2 篇 articles: alice 1, bob 1
    · 4 段 passages: alice 1, bob 1, final 2" — for the edits that change them all (the
    codebook is shared: a merge or delete by one coder rewrites the others' codings)."""
    per: list[tuple[str, list[int]]] = []
    for coder in ws.store.coders():
        use = ws.store.code_usage(code, [coder])
        per.append((coder, [len(use.articles), len(use.passages)]))

    def part(k: int, zh: str, en: str) -> str:
        total = sum(n[k] for _c, n in per)
        named = ", ".join(f"{c} {n[k]}" for c, n in per if n[k])
        return f"{total} {zh} {plural(total, en)}" + (f": {named}" if named else "")

    return f"{part(0, '篇', 'article')} · {part(1, '段', 'passage')}"


def counted_as(ws: Workspace) -> str:
    """Whose codings the rows count: the current coder's while blind, else every coder's."""
    if ws.store.visible is None:
        return "自身计数 own counts of every coder's codings"
    return f"自身计数 own counts of your codings ({ws.store.coder})"


REFUSALS = (
    ("cannot move", "不能移到它自己或它的子代码之下"),
    ("its own parent", "不能做自己的上级代码"),
    ("already exists", "已有同名代码"),
    ("no code", "代码本里没有这个代码"),
    ("into itself", "不能合并进自身"),
    ("colour must", "颜色应为 #RRGGBB"),
    ("cannot be empty", "不能为空"),
    ("at most", "太长"),
    ("control characters", "不能含控制字符"),
    ("tag-expression syntax", "是标签表达式的语法词, 不能作代码"),
)
"""The store's refusals (English) and what the codebook screen says before them: every line
of the app is in both languages."""


def bilingual(exc: Exception) -> str:
    msg = str(exc)
    zh = next((z for key, z in REFUSALS if key in msg), "")
    return f"{zh} · {msg}" if zh else msg


HEX = frozenset("#0123456789abcdefABCDEF")


class ColourDialog(Dialog[str | None]):
    """A colour: typed as #RRGGBB, or picked from the palette."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="colour.cancel")]

    def __init__(self, code: str, current: str, save: Callable[[str], str] | None = None) -> None:
        super().__init__()
        self.code, self.current = code, current
        self.save = save
        """Writes the colour, returns the error ('' when saved): a refused write keeps the
        dialog open with the colour typed (it closed and the colour was lost)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog pick-dialog"):
            yield Label(plain(f"颜色 Colour of 「{self.code}」"), classes="dialog-title")
            yield Input(self.current, placeholder="#RRGGBB", id="colour-input")
            yield OptionList(*self.swatches(), id="colour-palette")
            yield Static(plain("Enter 选择 choose · Tab 调色板 palette · Esc 取消 cancel", "dim"))

    def swatches(self) -> list[Option]:
        """The palette, with the code's own colour first when it is not one of them."""
        colours = list(dict.fromkeys(PALETTE))
        mine = self.current.lower()
        if len(mine) == 7 and set(mine) <= HEX and mine not in colours:
            colours.insert(0, mine)
        mark = ("  当前 current", "dim")
        return [
            Option(assemble(("████", c), "  ", c, mark if c == mine else ""), id=c) for c in colours
        ]

    def on_mount(self) -> None:
        palette = self.query_one("#colour-palette", OptionList)
        ids = [palette.get_option_at_index(i).id for i in range(palette.option_count)]
        # Enter straight away keeps the colour the code has (the highlighted swatch)
        mine = self.current.lower()
        palette.highlighted = ids.index(mine) if mine in ids else 0
        palette.focus()

    def on_key(self, event: events.Key) -> None:
        """Typing a colour in the palette list goes to the input (#, hex digits)."""
        box = self.query_one("#colour-input", Input)
        if self.focused is not box and event.character and event.character in HEX:
            if event.character == "#":
                box.value = ""
            type_into(box, event)

    def choose(self, value: str | None) -> None:
        """The colour chosen, or None when it is the one the code has (no edit to undo)."""
        if not value or value.lower() == self.current.lower():
            self.dismiss(None)
            return
        error = self.save(value) if self.save is not None else ""
        if error:
            box = self.query_one("#colour-input", Input)
            box.value = value
            refused(self, error, "Enter 再试 try again · Esc 放弃 give up")
            box.focus()
            return
        self.dismiss(value)

    @on(Input.Submitted)
    def typed(self, event: Input.Submitted) -> None:
        self.choose(event.value.strip())

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CodebookScreen(AnalysisScreen):
    BINDINGS = [
        *AnalysisScreen.BINDINGS,
        Binding("enter", "retrieve", "Retrieve", id="codebook.retrieve", priority=False),
        Binding("a", "create", "New", id="codebook.create"),
        Binding("r", "rename", "Rename", id="codebook.rename"),
        Binding("m", "merge", "Merge", id="codebook.merge"),
        Binding("p", "move", "Move", id="codebook.move"),
        Binding("o", "colour", "Colour", id="codebook.colour"),
        Binding("e", "describe", "Describe", id="codebook.describe"),
        Binding("d", "delete", "Delete", id="codebook.delete"),
        Binding("x", "cooccur", "Co-occurrence", id="codebook.cooccur"),
        *[
            Binding(
                str(i),
                f"pin({i})",
                "Pin to quick key" if i == 1 else "",
                show=False,
                id=f"codebook.pin{i}",
                key_display="1–9" if i == 1 else None,
                tooltip="put this code on quick-tag digit 1–9, for good",
            )
            for i in range(1, 10)
        ],
    ]
    HINT_ORDER = (
        "analysis.back",
        "analysis.undo",
        "codebook.create",
        "codebook.rename",
        "codebook.move",
        "codebook.merge",
        "codebook.delete",
        "codebook.cooccur",
        "codebook.colour",
        "codebook.describe",
    )
    """The footer's keys, most important first (see ``KeyHints``)."""
    HINT_SHORT = {"codebook.cooccur": "Co-occur"}
    """Shorter on a narrow footer: at 80 columns x (the only key to co-occurrence) fits."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[CodeRow] = []
        self.desc_w = 0
        """The cells the rows leave their descriptions."""

    def compose(self) -> ComposeResult:
        yield Static(plain("代码本 Codebook", "bold"), classes="analysis-title")
        yield Static("", classes="analysis-status")
        yield VimList(id="codes")
        yield Static("", id="code-desc")
        yield KeyHints()

    def on_mount(self) -> None:
        codes = self.query_one("#codes")
        codes.border_title = (
            "代码 code · 数字 quick key · 篇 articles tagged · 段 passages (自身 own) · "
            "含子 with children · 描述"
        )
        self.render_rows()
        codes.focus()
        self.call_after_refresh(self.shown)

    def on_screen_resume(self) -> None:
        if self.shown_at:  # back from a screen or dialog above (not the first showing)
            self.render_rows()
        super().on_screen_resume()

    def after_edit(self) -> None:
        self.render_rows()

    def refusal(self, exc: Exception) -> str:
        return bilingual(exc)

    def rows_for_width(self) -> None:
        self.render_rows()

    def render_rows(self, keep: str | None = None) -> None:
        ol = self.query_one("#codes", OptionList)
        if keep is None and self.rows and ol.highlighted is not None:
            keep = self.rows[min(ol.highlighted, len(self.rows) - 1)].name
        self.rows = codebook.rows(self.ws)
        w = ol.scrollable_content_region.width
        avail = max(40, (w if w > 4 else self.app.size.width - 4) - 4)
        at = ol.highlighted or 0
        ol.clear_options()
        ol.add_options(code_rows(self.rows, avail))
        self.desc_w = columns(self.rows, avail)[1]
        names = [r.name for r in self.rows]
        if self.rows:
            ol.highlighted = names.index(keep) if keep in names else min(at, len(names) - 1)
        arts = sum(r.articles for r in self.rows)
        pas = sum(r.passages for r in self.rows)
        self.status(
            f"{len(self.rows)} 个代码 {plural(len(self.rows), 'code')} · {arts} 篇次 article, "
            f"{pas} 段次 passage codings · {counted_as(self.ws)} · 含子 with children: "
            "what Enter 检索 retrieves · 代码本共用 shared: edits change every coder's codings"
        )

    @on(OptionList.OptionHighlighted, "#codes")
    def show_description(self) -> None:
        """The highlighted code's description under the list, when its row cannot show it
        whole (at 80 columns no row has room: a description was saved and never seen)."""
        line = self.query_one("#code-desc", Static)
        ol = self.query_one("#codes", OptionList)
        row = self.rows[ol.highlighted] if ol.highlighted is not None and self.rows else None
        desc = flat(row.description) if row is not None else ""
        whole = cell_len(desc) <= self.desc_w and self.desc_w > 4
        line.display = bool(desc) and not whole
        if line.display and row is not None:
            line.update(assemble(("描述 description · ", "dim"), (row.name, "bold"), ": ", desc))

    def current(self) -> CodeRow | None:
        ol = self.query_one("#codes", OptionList)
        if not self.rows or ol.highlighted is None:
            self.notify("还没有代码 no codes yet — a 新建 creates one")
            return None
        return self.rows[min(ol.highlighted, len(self.rows) - 1)]

    def changed_to(self, keep: str | None = None) -> None:
        self.render_rows(keep)

    # ------------------------------------------------------------------ actions

    @on(OptionList.OptionSelected, "#codes")
    def selected(self, _event: OptionList.OptionSelected) -> None:
        self.action_retrieve()

    def action_retrieve(self) -> None:
        row = self.current()
        if row is not None:
            self.papp.action_analysis("retrieval", row.name)

    def action_cooccur(self) -> None:
        self.papp.action_analysis("cooccur")

    def editable(self) -> CodeRow | None:
        """The highlighted code, when it can be edited (not while read-only: said at once,
        before a dialog takes what cannot be saved)."""
        return self.current() if self.writable() else None

    def action_create(self) -> None:
        if not self.writable():
            return

        def create(name: str) -> str:
            name = " ".join(name.split())
            if not name:
                return "代码名不能为空 a code name cannot be empty"
            if name in {r.name for r in self.rows}:
                self.notify(f"已有代码 a code 「{name}」 exists", severity="warning")
                self.changed_to(name)
                return ""
            return self.attempt(
                lambda: self.ws.store.define_tag(name), f"+ {name}", lambda: self.changed_to(name)
            )

        self.app.push_screen(InputDialog("新代码 New code", hint="名称 name", save=create))

    def action_rename(self) -> None:
        row = self.editable()
        if row is None:
            return
        old = row.name

        def rename(new: str) -> str:
            new = " ".join(new.split())
            if new == old:
                return ""
            if not new:
                return "代码名不能为空 a code name cannot be empty"
            if new in {r.name for r in self.rows}:  # onto an existing code: offer a merge
                self.call_later(self.offer_merge, old, new)
                return ""
            changes = whose(self.ws, old)
            return self.attempt(
                lambda: codebook.edit(self.ws, "rename", old, new),
                f"{old} → {new} · 所有编码者 every coder's codings: {changes}",
                lambda: self.changed_to(new),
            )

        self.app.push_screen(InputDialog(f"重命名 Rename 「{old}」", old, save=rename))

    def offer_merge(self, src: str, dst: str, exists: bool = True) -> None:
        """Ask before a merge, saying whose codings move (every coder's, named)."""

        def decided(yes: bool | None) -> None:
            if yes and self.edit(
                lambda: codebook.edit(self.ws, "merge", src, dst), f"{src} ⇒ {dst}"
            ):
                self.changed_to(dst)

        first = f"「{dst}」已存在 exists. " if exists else ""
        self.app.push_screen(
            ConfirmDialog(
                f"{first}把「{src}」合并进「{dst}」? Merge 「{src}」 into 「{dst}」: every "
                f"coder's codings of it move — {whose(self.ws, src)}.{self.regrouped(src, dst)}"
                " (u 撤销 undoes)"
            ),
            decided,
        )

    def regrouped(self, src: str, dst: str) -> str:
        """What a merge does to the tree: ``src``'s sub-codes go under ``dst`` (they were
        not named, and vanished from under ``src`` unannounced), and ``dst`` moves up to
        ``src``'s place when it was below it."""
        parent = {r.name: r.parent for r in self.rows}
        kids = [r.name for r in self.rows if r.parent == src and r.name != dst]
        out = ""
        if kids:
            names = "、".join(f"「{k}」" for k in kids[:6]) + ("…" if len(kids) > 6 else "")
            out += (
                f" 子代码移到「{dst}」下 its {len(kids)} sub-{plural(len(kids), 'code')} "
                f"{names} {'moves' if len(kids) == 1 else 'move'} under 「{dst}」."
            )
        up, seen = parent.get(dst, ""), {dst}
        while up and up not in seen and up != src:
            seen.add(up)
            up = parent.get(up, "")
        if up == src:
            out += f" 「{dst}」取代「{src}」的位置 takes 「{src}」's place in the tree."
        return out

    def others(self, row: CodeRow) -> list[tuple[str, str]]:
        return [(r.name, "  " * r.depth + r.name) for r in self.rows if r.name != row.name]

    def action_merge(self) -> None:
        row = self.editable()
        if row is None:
            return
        src = row.name
        if not self.others(row):
            self.notify("没有别的代码 no other code to merge into")
            return

        def merge(dst: str | None) -> None:
            if dst:
                self.offer_merge(src, dst, exists=False)

        self.app.push_screen(PickDialog(f"合并 Merge 「{src}」 into…", self.others(row)), merge)

    def action_move(self) -> None:
        row = self.editable()
        if row is None:
            return
        code = row.name

        def move(parent: str | None) -> None:
            if parent is not None and self.edit(
                lambda: codebook.edit(self.ws, "move", code, parent),
                f"{code} → {parent or '顶层 top level'}",
            ):
                self.changed_to(code)

        below = set(codebook.usage(self.ws, code).descendants)
        items = [("", "(顶层 top level)")] + [it for it in self.others(row) if it[0] not in below]
        self.app.push_screen(PickDialog(f"移动 Move 「{code}」 under…", items), move)

    def action_colour(self) -> None:
        row = self.editable()
        if row is None:
            return
        code = row.name

        def colour(value: str) -> str:
            return self.attempt(
                lambda: codebook.edit(self.ws, "colour", code, value),
                f"{code} {value}",
                lambda: self.changed_to(code),
            )

        self.app.push_screen(ColourDialog(code, row.colour, save=colour))

    def action_pin(self, digit: int) -> None:
        """A digit puts the highlighted code on that quick-tag key for good (the README's
        "pinned digit": no key reached it); the code that had the digit takes a free one."""
        row = self.editable()
        if row is None:
            return
        code = row.name
        store = self.ws.store
        if self.edit(
            lambda: store.pin_quick_tag(code, digit),
            f"{digit} → {code} · 快捷键已固定 quick key pinned (u 撤销 undoes)",
        ):
            self.changed_to(code)

    def action_describe(self) -> None:
        row = self.editable()
        if row is None:
            return
        code, was = row.name, row.description

        def describe(text: str) -> str:
            if text == was:
                return ""  # nothing to write, no undo step
            return self.attempt(
                lambda: codebook.edit(self.ws, "describe", code, text),
                f"{code}: 描述 described",
                lambda: self.changed_to(code),
            )

        self.app.push_screen(
            InputDialog(f"描述 Describe 「{code}」", was, "空 = 清除 empty clears", save=describe)
        )

    def action_delete(self) -> None:
        row = self.editable()
        if row is None:
            return
        code = row.name
        try:
            use = codebook.usage(self.ws, code)
        except Exception as exc:
            self.notify(bilingual(exc), severity="error")
            return
        n_kids = len(use.descendants)
        kids = (
            f" · {n_kids} 个子代码上移 {counted(n_kids, 'child code')} "
            f"move{'s' if n_kids == 1 else ''} up"
        )
        kids = kids if n_kids else ""
        mine = f"{row.articles} 篇 · {row.passages} 段"

        def decided(yes: bool | None) -> None:
            if yes and self.edit(
                lambda: codebook.edit(self.ws, "delete", code), f"删除 deleted {code} (u 撤销)"
            ):
                self.changed_to()

        self.app.push_screen(
            ConfirmDialog(
                f"删除代码「{code}」? Delete code 「{code}」 from every coder's codings: "
                f"{whose(self.ws, code)}{kids}. (行中 the row counts {mine}: "
                f"{'全部 every coder' if self.ws.store.visible is None else '你的 yours'}; "
                "u 撤销 undoes)"
            ),
            decided,
        )
