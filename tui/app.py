"""The Textual app: one factory (``make_app``) used by the CLI and the tests."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.keys import _character_to_key, key_to_character
from textual.message import Message
from textual.screen import Screen

from tui.typeahead import (
    HOLD_LIMIT,
    IN_FLIGHT_LIMIT,
    STEP,
    Delivered,
    Dialog,
    KeyBuffer,
    Patience,
    Ready,
    is_ready,
    ready,
)
from workspace.session import Workspace

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.notifications import SeverityLevel
    from textual.timer import Timer

    from storage.annotations import Store
    from storage.library import Library
    from tui.dialogs import SearchScreen
    from tui.screens.main import MainScreen


def _commands() -> type[Provider]:
    """Imported when the palette first opens, not at start-up."""
    from tui.commands import PiyueCommands

    return PiyueCommands


class PiyueApp(App[None]):
    TITLE = "piyue 批阅"
    CSS_PATH = "piyue.tcss"  # dialogs and analysis screens bring their own
    COMMANDS = App.COMMANDS | {_commands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        corpus_root: Path,
        db_path: Path | None = None,
        cache_dir: Path | None = None,
        coder: str | None = None,
    ) -> None:
        super().__init__()
        self.corpus_root = corpus_root
        self.db_path = db_path
        self.cache_dir = cache_dir
        self.fatal = ""
        """Why the app gave up (a database it cannot open); the CLI prints it, exit 2."""
        self.workspace = Workspace(corpus_root, db_path, cache_dir, mode="ui", coder=coder)
        """Every use case goes through here; it opens nothing until a worker first asks."""
        self.waiting: Screen[Any] | None = None
        """The screen whose keys wait while the corpus is read whole for an analysis."""
        self.keys = KeyBuffer()
        """Keys typed before the screen that will take them is ready (see tui.typeahead)."""
        self.concordance_left: dict[str, Any] = {}
        """Where the last concordance was left (term, sort, line): ``K`` comes back to it."""

    # The database and the corpus are opened by the loading worker after the first paint
    # (their imports and file reads are most of piyue's start-up).

    @property
    def store(self) -> Store:
        """The annotation store: the writer if the database is free, else read-only."""
        return self.workspace.store

    @property
    def library(self) -> Library:
        return self.workspace.library

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast (any screen's ``notify`` comes here) names headlines, tags, notes and
        files: never markup (``[bold]`` in a headline, or a stray ``[/]`` that crashed the
        reader), whatever ``markup`` says — a widget's ``notify`` asks for markup by default —
        and never a control character (ESC in a headline restyled the terminal)."""
        from tui.render import visible

        del markup  # (the parameter is Textual's: kept so every caller's call still fits)
        super().notify(
            visible(message),
            title=visible(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own commands but its Quit: ours (``q``, which remembers where the reader
        was) is in the palette already, and a tester saw Quit twice."""
        for command in super().get_system_commands(screen):
            if command.title != "Quit":
                yield command

    def get_default_screen(self) -> MainScreen:
        """The main screen is the first screen (pushing it from ``on_mount`` instead costs
        a wasted first frame: that one is drawn inside Textual's start-up batch and dropped)."""
        from tui.screens.main import MainScreen

        self.main_screen = MainScreen()
        return self.main_screen

    def after_first_paint(self) -> None:
        """The CLI holds the garbage collector off while the first screen is built (a full
        collection in the middle of start-up costs 10–15 ms); start-up objects live as long
        as the app, so they are frozen out of later collections too."""
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    async def action_quit(self) -> None:
        """ctrl+q (Textual's, from any screen), ``q`` and the palette's Quit: a dialog holding
        typed text that is not saved (a note being written) asks first, as its Esc does — ctrl+q
        from the note editor threw the memo away at once."""
        self.request_quit()

    def action_help_quit(self) -> None:
        """ctrl+c does not quit (it copies in a text box): say which keys do.  Textual's own
        notice is markup, shown raw here (every toast is text): a tester read ``[b]q[/b]``."""
        self.notify("按 q 或 ctrl+q 退出 press q (or ctrl+q) to quit", title="退出? Quit?")

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """In a terminal, an Esc typed together with Enter or a ctrl key stays an Esc
        (``tui.escape``; the test driver reads no terminal)."""
        from tui import escape

        escape.install()
        return super().run(*args, **kwargs)

    def request_quit(self) -> None:
        from tui.dialogs import ConfirmDialog

        if isinstance(self.screen, ConfirmDialog) and self.screen.quitting:
            return  # asked already
        unsaved = [u for s in self.screen_stack if isinstance(s, Dialog) and (u := s.unsaved())]
        if not unsaved:
            self.leave()
            return

        def decided(leave: bool | None) -> None:
            if leave:
                self.leave()

        question = ConfirmDialog(
            f"退出并放弃未保存的{unsaved[-1]}？ Quit and discard the unsaved text? "
            "(n 返回 go back and save it)"
        )
        question.quitting = True
        self.push_screen(question, decided)

    def leave(self) -> None:
        main = getattr(self, "main_screen", None)
        if main is not None:
            main.save_position()
        self.exit()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste) and not self.screen_stack:
            return  # closing: a key still on its way has no screen to go to (it raised)
        if self.keys.wants(event):
            event = self.keys.as_typed(event)
            if isinstance(self.screen, Dialog) and self.screen.keeps_for_below(event):
                return
            self.keys.held.append(event)
            await self._deliver(force=False)
            return
        await super().on_event(event)

    async def on_ready(self, msg: Ready | events.Ready) -> None:
        """A screen can take keys (and Textual's own Ready: the first frame is drawn)."""
        if isinstance(msg, Ready):  # not Textual's: keys may still be arriving from before
            self.keys.starting = False
        await self._deliver(force=False)

    async def on_delivered(self, msg: Delivered) -> None:
        if not self.screen_stack:
            return  # closing
        if msg.key != self.keys.sent:
            return  # an earlier key's, late: its screen closed and the next key went
        if msg.echoes > 0:  # what the key's handler posted in turn is handled first
            (self.focused or self.screen).post_message(Delivered(msg.key, msg.echoes - 1))
            return
        self.keys.in_flight = False
        await self._deliver(force=False)

    async def _deliver_anyway(self) -> None:
        """The deadline passed: the next key goes whatever the state."""
        if self.keys.deadline is not None:
            self.keys.deadline.stop()
        self.keys.deadline = None
        self.keys.in_flight = False
        await self._deliver(force=True)

    async def _deliver(self, force: bool) -> None:
        """Replay the next held key, then wait until it has been handled (``Delivered``)
        before the next: a key that opens a screen that is not ready holds the rest."""
        keys = self.keys
        if keys.in_flight and not force and keys.target_gone(self.screen_stack):
            keys.in_flight = False
        if keys.in_flight and not force:
            return  # its deadline is running
        if keys.deadline is not None:
            keys.deadline.stop()
            keys.deadline = None
        if not keys.held:
            return
        if not self.screen_stack:
            return  # closing
        if force or is_ready(self.screen):
            event = keys.held.pop(0)
            split = escape_then_key(event, self.screen.active_bindings)
            if split is not None:
                event, keys.held[:0] = split
            keys.target = target = self.focused or self.screen
            await super().on_event(event)
            keys.in_flight = True
            keys.sent += 1
            target.post_message(Delivered(keys.sent, echoes=1))
            # a key that closed its widget's screen takes the sentinel with it: go on soon
            keys.deadline = self._deadline(IN_FLIGHT_LIMIT)
        else:
            keys.deadline = self._deadline(HOLD_LIMIT, waits=True)

    def _deadline(self, limit: float, waits: bool = False) -> Timer:
        """After ``limit`` seconds of a free event loop, the next key goes anyway; ``waits``:
        longer while the screen says it waits on known work (``typeahead_wait``: a search
        whose index is still being built)."""
        patience = Patience(limit)

        async def check() -> None:
            wait = float(getattr(self.screen, "typeahead_wait", 0.0)) if waits else 0.0
            if patience.over(max(limit, wait)):
                await self._deliver_anyway()

        return self.set_interval(STEP, check)

    def on_search_screen_run(self, msg: SearchScreen.Run) -> None:
        self.main_screen.search_requested(msg.query)

    def _fatal_error(self) -> None:
        """An unexpected error: its traceback goes to error.log and the CLI prints one line
        (Textual's own dump shows every local, whole parsed pages, thousands of lines)."""
        import sys

        from storage.errors import last_resort

        exc = sys.exc_info()[1] or self._exception
        if exc is not None:
            self.fatal = self.fatal or last_resort(exc)
        self._close_messages_no_wait()

    def on_unmount(self) -> None:
        """Fold the journal into the database; if the disk refuses, say so in one line
        when the terminal is back (the changes are safe in the journal)."""
        from storage.errors import StoreError, last_resort

        try:
            self.workspace.close()
        except StoreError as exc:
            self.fatal = self.fatal or str(exc)
        except Exception as exc:
            self.fatal = self.fatal or last_resort(exc)

    class CorpusWhole(Message):
        """The corpus is read whole (the analyses go through every page): open ``which``."""

        def __init__(self, which: str, arg: str, error: str = "") -> None:
            super().__init__()
            self.which, self.arg, self.error = which, arg, error

    def action_analysis(self, which: str, arg: str = "") -> None:
        """An analysis screen over the main one: codebook, retrieval, cooccur, concordance
        (imported on first use).  With pages on demand, what retrieval and co-occurrence read
        (the pages of coded articles) is built first in a worker (keys typed meanwhile wait
        for the screen); the concordance finds each term's texts itself."""
        if which not in ("codebook", "concordance", "terms") and self.workspace.library.lazy:
            self.waiting = self.screen
            self.waiting.typeahead_ready = False  # type: ignore[attr-defined]
            self.notify("正在读取全部版面 reading every page for the analysis…", timeout=3)
            self._read_whole(which, arg)
            return
        self.open_analysis(which, arg)

    @work(thread=True, exclusive=True, group="whole")
    def _read_whole(self, which: str, arg: str) -> None:
        try:
            self.workspace.coded_corpus()  # what retrieval and co-occurrence read
        except Exception as exc:  # shown, not crashed
            self.post_message(self.CorpusWhole(which, arg, str(exc)))
            return
        self.post_message(self.CorpusWhole(which, arg))

    def on_piyue_app_corpus_whole(self, msg: CorpusWhole) -> None:
        waiting, self.waiting = self.waiting, None
        if msg.error:
            self.notify(msg.error, title="无法读取 cannot read the corpus", severity="error")
        else:
            self.open_analysis(msg.which, msg.arg)
        if waiting is not None:
            ready(waiting)

    def open_analysis(self, which: str, arg: str = "") -> None:
        if which == "codebook":
            from tui.screens.codebook import CodebookScreen

            self.push_screen(CodebookScreen())
        elif which == "retrieval":
            from tui.screens.retrieval import RetrievalScreen

            self.push_screen(RetrievalScreen(arg))
        elif which == "cooccur":
            from tui.screens.cooccur import CooccurScreen

            self.push_screen(CooccurScreen())
        elif which == "concordance":
            from tui.screens.concordance import ConcordanceScreen

            self.push_screen(ConcordanceScreen(arg))
        elif which == "terms":
            from tui.screens.terms import TermsScreen

            self.push_screen(TermsScreen())

    def open_export(self, where: str) -> None:
        from tui.dialogs.export import ExportDialog

        self.push_screen(ExportDialog(where))


def escape_then_key(
    event: events.Event, bound: dict[str, Any]
) -> tuple[events.Key, list[events.Event]] | None:
    """Esc and a key read together (typed fast, or over ssh) reach Textual as one alt+key;
    bound to nothing it did nothing, and both keys were lost (``Esc t`` never opened the tag
    prompt): they are the Esc and the key they were, the key delivered after the Esc did its
    work."""
    if not isinstance(event, events.Key) or not event.key.startswith("alt+"):
        return None
    if event.key in bound:
        return None
    rest = event.key[len("alt+") :]
    char = event.character
    if not char or not char.isprintable():
        if rest.startswith("shift+") and len(rest) == len("shift+") + 1:
            char = rest[-1].upper()
        else:
            char = rest if len(rest) == 1 else key_to_character(rest)
    if not char or len(char) != 1 or not char.isprintable():
        return None
    name = char if char.isalnum() else _character_to_key(char)
    escape = events.Key("escape", "\x1b")
    escape.time = event.time
    key = events.Key(name, char)
    key.time = event.time
    return escape, [key]


def make_app(
    corpus_root: Path,
    db_path: Path | None = None,
    cache_dir: Path | None = None,
    coder: str | None = None,
) -> PiyueApp:
    """The app for a corpus folder and a database (default: the user's), coding as ``coder``
    (default: ``PIYUE_CODER`` or the login name); nothing is opened or even located until it
    runs."""
    return PiyueApp(corpus_root, db_path, cache_dir, coder)
