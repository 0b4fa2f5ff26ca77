"""The Textual app: one factory (``make_app``) used by the CLI and the tests."""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App

from storage import locations

if TYPE_CHECKING:
    from textual.command import Provider

    from storage.annotations import Store
    from storage.library import Library
    from tui.dialogs import SearchScreen
    from tui.main_screen import MainScreen


def _commands() -> type[Provider]:
    """Imported when the palette first opens, not at start-up."""
    from tui.commands import PiyueCommands

    return PiyueCommands


class PiyueApp(App[None]):
    TITLE = "piyue 批阅"
    CSS_PATH = "piyue.tcss"
    COMMANDS = App.COMMANDS | {_commands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self, corpus_root: Path, db_path: Path | None = None, cache_dir: Path | None = None
    ) -> None:
        super().__init__()
        self.corpus_root = corpus_root
        self.db_path = db_path
        self.cache_dir = cache_dir
        self.fatal = ""
        """Why the app gave up (a database it cannot open); the CLI prints it, exit 2."""
        self._store: Store | None = None
        self._library: Library | None = None
        self._opening = threading.Lock()

    # The database and the corpus are opened by the loading worker after the first paint
    # (their imports and file reads are most of piyue's start-up); whichever thread asks
    # first opens them, the others wait for it.

    @property
    def store(self) -> Store:
        """The annotation store: the writer if the database is free, else read-only."""
        with self._opening:
            if self._store is None:
                from storage.annotations import Store

                self._store = Store.open_for_ui(self.db_path or locations.default_db())
            return self._store

    @property
    def library(self) -> Library:
        with self._opening:
            if self._library is not None:
                return self._library
        store = self.store
        with self._opening:
            if self._library is None:
                from storage.library import Library

                library = Library(
                    self.corpus_root, cache_dir=self.cache_dir or locations.cache_dir()
                )
                library.use_store(store)
                self._library = library
            return self._library

    def get_default_screen(self) -> MainScreen:
        """The main screen is the first screen (pushing it from ``on_mount`` instead costs
        a wasted first frame: that one is drawn inside Textual's start-up batch and dropped)."""
        from tui.main_screen import MainScreen

        self.main_screen = MainScreen()
        return self.main_screen

    def after_first_paint(self) -> None:
        """The CLI holds the garbage collector off while the first screen is built (a full
        collection in the middle of start-up costs 10–15 ms); start-up objects live as long
        as the app, so they are frozen out of later collections too."""
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def on_search_screen_run(self, msg: SearchScreen.Run) -> None:
        self.main_screen.search_requested(msg.query)

    def on_unmount(self) -> None:
        if self._store is not None:
            self._store.close()

    # -- services the screens call (they never touch files themselves)

    def add_user_word(self, word: str) -> None:
        """Join: save to the user dictionary file and apply to the segmenter at once."""
        path = self.library.user_dict
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{word} 2000\n")
        self.library.segmenter.add_word(word, 2000)

    def split_user_word(self, word: str, parts: list[str]) -> None:
        path = self.library.user_dict
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{word} 0\n")
            for p in parts:
                if len(p) > 1:
                    fh.write(f"{p} 2000\n")
        self.library.segmenter.split_word(word, parts)

    def open_export(self, where: str) -> None:
        from tui.export_dialog import ExportDialog

        self.push_screen(ExportDialog(where))


def make_app(
    corpus_root: Path, db_path: Path | None = None, cache_dir: Path | None = None
) -> PiyueApp:
    """The app for a corpus folder and a database (default: the user's); nothing is opened
    or even located until it runs."""
    return PiyueApp(corpus_root, db_path, cache_dir)
