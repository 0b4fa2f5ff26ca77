"""The issues pane: a tree paper → year → issue (one day's edition) → pages.

One ``OptionList`` (virtualised): only the rows of open groups exist as options, so a decade
of a daily (30,000 pages) opens collapsed and stays quick. Group rows open and close with
Enter, →/l and ←/h; a page row is a page, whose articles the articles pane lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from textual import on
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from corpus.dates import DateJump, nearest_date, number_label, page_order
from storage.pagerow import PageRow
from tui.render import assemble
from tui.widgets.lists import Cut, VimList, truncate

GROUP = "\x00"
"""Group rows' option ids start with this (page ids never do)."""
OPEN_ALL = 60
"""Corpora up to this many pages open fully; larger ones open at the current page only."""
NO_PAPER = "未知报纸"
NO_DATE = "无日期"
WEEKDAYS = "一二三四五六日"


@dataclass
class Group:
    key: str
    label: str
    depth: int
    children: list[Group] = field(default_factory=list)
    pages: list[PageRow] = field(default_factory=list)
    n: int = -1

    def count(self) -> int:
        """Pages under the group (counted once: a year row is drawn again on every change)."""
        if self.n < 0:
            self.n = len(self.pages) + sum(c.count() for c in self.children)
        return self.n


def weekday(date: str) -> str:
    import datetime

    try:
        return "周" + WEEKDAYS[datetime.date.fromisoformat(date).weekday()]
    except ValueError:
        return ""


def build_tree(issues: Sequence[PageRow]) -> list[Group]:
    """Papers (named first, unknown last) → years → dates (undated last) → pages in order.

    Pages are bucketed by edition in one pass and the buckets sorted once (30,000 pages:
    ~3,700 editions), so the tree of a decade is built before the first frame."""
    editions: dict[tuple[str, str], list[PageRow]] = {}
    for issue in issues:
        key = (issue.paper or "", issue.date or "")
        got = editions.get(key)
        if got is None:
            editions[key] = [issue]
        else:
            got.append(issue)
    out: list[Group] = []
    pg: Group | None = None
    yg: Group | None = None
    for paper, date in sorted(editions, key=lambda k: (k[0] == "", k[0], k[1] == "", k[1])):
        if pg is None or pg.key != f"{GROUP}p:{paper}":
            pg = Group(f"{GROUP}p:{paper}", paper or NO_PAPER, 0)
            out.append(pg)
            yg = None
        year = date[:4]
        if yg is None or yg.key != f"{GROUP}y:{paper}:{year}":
            yg = Group(f"{GROUP}y:{paper}:{year}", year or NO_DATE, 1)
            pg.children.append(yg)
        pages = sorted(editions[paper, date], key=page_order)
        if not date:
            yg.pages = pages  # undated pages sit right under their group
            continue
        yg.children.append(
            Group(f"{GROUP}d:{paper}:{date}", f"{date} {weekday(date)}", 2, pages=pages)
        )
    return out


class IssueList(VimList):
    """The issues tree. Owns which groups are open and where the cursor is."""

    BINDINGS = [
        Binding("right,l", "open_group", "Open", show=False, id="issues.open"),
        Binding("left,h", "close_group", "Close", show=False, id="issues.close"),
    ]

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.groups: list[Group] = []
        self.opened: set[str] = set()
        self.progress: dict[str, tuple[int, int]] = {}
        self.by_id: dict[str, PageRow] = {}
        self.parents: dict[str, list[str]] = {}
        """Page id → the keys of the groups above it (to open them on the way to it)."""
        self.dates: list[str] = []
        self.shown_rows: list[PageRow] = []
        self.on_date: dict[str, list[PageRow]] = {}
        self.pages_total = 0
        self._group_rows: dict[tuple[str, bool, int], Content] = {}

    # -- rows

    def row(self, issue: PageRow, tagged: int, unread: int, width: int | None = None) -> Content:
        """A page: its number and section where known, its title; articles, tagged, unread."""
        depth = len(self.parents.get(issue.id, ())) or 0
        indent = "  " * depth
        width = (self.text_width(28) if width is None else width) - len(indent)
        label = number_label(issue.page, issue.section) if issue.page is not None else ""
        title = f"{label} {issue.title}".strip() if label else (issue.title or issue.id)
        meta = f"{issue.articles}篇 ✓{tagged} ●{unread}"  # the date is its group's
        return assemble(
            indent,
            (truncate(title, width), "bold" if unread else ""),
            "\n",
            indent,
            (truncate(meta, width), "dim"),
            cls=Cut,
        )

    def group_row(self, group: Group, width: int) -> Content:
        """A group's row, made once per state and width (a year's 365 dates are drawn again
        on every jump)."""
        opened = group.key in self.opened
        made = self._group_rows.get((group.key, opened, width))
        if made is not None:
            return made
        mark = "▾ " if opened else "▸ "
        n = group.count()
        indent = "  " * group.depth
        count = f" {n}"
        made = assemble(
            indent,
            (mark, "#61afef"),
            (truncate(group.label, max(6, width - len(indent) - 2 - len(count))), "bold"),
            (count, "dim"),
            cls=Cut,
        )
        self._group_rows[(group.key, opened, width)] = made
        return made

    # -- showing

    def show(self, issues: Sequence[PageRow], progress: dict[str, tuple[int, int]]) -> None:
        """(Re)build the tree; keeps open groups and the highlighted row where they exist."""
        keep = self.current_id()
        self.progress = dict(progress)
        if list(issues) == self.shown_rows:  # the same pages: only their marks changed
            self.render_rows(keep)
            return
        self.shown_rows = list(issues)
        self.groups = build_tree(issues)
        self._group_rows = {}
        self.by_id = {i.id: i for i in issues}
        self.pages_total = len(issues)
        parents: dict[str, list[str]] = {}
        self.parents = parents
        self.on_date = {}
        for pg in self.groups:
            for yg in pg.children:
                above = [pg.key, yg.key]  # one list per group, shared by its pages (read only)
                parents.update(dict.fromkeys([p.id for p in yg.pages], above))
                for dg in yg.children:
                    above = [pg.key, yg.key, dg.key]
                    parents.update(dict.fromkeys([p.id for p in dg.pages], above))
                    if dg.pages and dg.pages[0].date:
                        self.on_date.setdefault(dg.pages[0].date, []).extend(dg.pages)
        self.dates = sorted(self.on_date)
        if not self.opened:
            if len(issues) <= OPEN_ALL:
                self.opened = {k for keys in self.parents.values() for k in keys}
            elif issues:
                first = issues[0].id if keep is None else keep
                self.opened = set(self.parents.get(first, []))
        self.render_rows(keep)

    def recut(self) -> None:
        self.render_rows(self.current_id())

    def render_rows(self, keep: str | None = None) -> None:
        self._cut_for = self.scrollable_content_region.width
        width = self.text_width(28)  # once, not per row: thousands of pages
        options: list[Option] = []

        def add_pages(pages: list[PageRow]) -> None:
            for issue in pages:
                got = self.progress.get(issue.id, (0, issue.articles))
                options.append(Option(self.row(issue, *got, width=width), id=issue.id))

        for pg in self.groups:
            options.append(Option(self.group_row(pg, width), id=pg.key))
            if pg.key not in self.opened:
                continue
            for yg in pg.children:
                options.append(Option(self.group_row(yg, width), id=yg.key))
                if yg.key not in self.opened:
                    continue
                for dg in yg.children:
                    options.append(Option(self.group_row(dg, width), id=dg.key))
                    if dg.key in self.opened:
                        add_pages(dg.pages)
                add_pages(yg.pages)
        self.clear_options()
        self.add_options(options)
        if options:
            index = self.index_of(keep) if keep else None
            if index is None:
                index = next((i for i, o in enumerate(options) if not _is_group(o.id)), 0)
            self.highlighted = index

    def index_of(self, option_id: str | None) -> int | None:
        if option_id is None:
            return None
        try:
            return self.get_option_index(option_id)
        except Exception:
            return None

    def current_id(self) -> str | None:
        if self.highlighted is None or not self.option_count:
            return None
        return self.get_option_at_index(self.highlighted).id

    def issue_at(self, option_id: str | None) -> PageRow | None:
        """The page of a row (None for a group row)."""
        return self.by_id.get(option_id or "")

    @property
    def page_count(self) -> int:
        return self.pages_total

    # -- moving

    def reveal(self, issue_id: str) -> int | None:
        """Open the groups above a page and put the cursor on it; its row index."""
        missing = [k for k in self.parents.get(issue_id, []) if k not in self.opened]
        if missing:
            self.opened.update(missing)
            self.render_rows(issue_id)
        index = self.index_of(issue_id)
        if index is not None and self.highlighted != index:
            self.highlighted = index
        return index

    def jump_to_date(self, jump: DateJump, current: str | None = None) -> PageRow | None:
        """The first page of the edition on (or next after) a typed date, revealed."""
        date = nearest_date(jump, self.dates, current)
        if date is None:
            return None
        pages = sorted(self.on_date.get(date, ()), key=page_order)
        papers = sorted({p.paper or "" for p in pages}, key=lambda p: (p == "", p))
        first = next((p for p in pages if (p.paper or "") == papers[0]), None)
        if first is not None:
            if self.pages_total > OPEN_ALL:  # at scale only the way to it stays open
                self.opened = {g.key for g in self.groups} | set(self.parents.get(first.id, []))
                self.render_rows(first.id)
            self.reveal(first.id)
        return first

    def toggle(self, key: str, open_: bool | None = None) -> None:
        want = key not in self.opened if open_ is None else open_
        if want == (key in self.opened):
            return
        if want:
            self.opened.add(key)
        else:
            self.opened.discard(key)
        self.render_rows(key)

    def action_open_group(self) -> None:
        key = self.current_id()
        if _is_group(key):
            self.toggle(key or "", True)

    def action_close_group(self) -> None:
        key = self.current_id()
        if _is_group(key) and key in self.opened:
            self.toggle(key or "", False)
            return
        parents = self.parents.get(key or "")
        if parents is None and key is not None:  # a group row: its parent group
            parents = [g.key for g in self._groups_above(key)]
        if parents:
            self.toggle(parents[-1], False)

    def _groups_above(self, key: str) -> list[Group]:
        for pg in self.groups:
            if pg.key == key:
                return []
            for yg in pg.children:
                if yg.key == key:
                    return [pg]
                for dg in yg.children:
                    if dg.key == key:
                        return [pg, yg]
        return []

    @on(OptionList.OptionSelected)
    def _group_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a group row opens or closes it (a page row goes on to the screen)."""
        if _is_group(event.option.id):
            event.stop()
            self.toggle(event.option.id or "")


def _is_group(option_id: str | None) -> bool:
    return bool(option_id) and (option_id or "").startswith(GROUP)
