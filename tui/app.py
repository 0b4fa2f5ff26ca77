"""The Textual app: one factory (``make_app``) used by the CLI and the tests."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App

from storage import locations
from storage.annotations import Store
from storage.library import Library

if TYPE_CHECKING:
    from textual.command import Provider

    from tui.dialogs import SearchScreen


def _commands() -> type[Provider]:
    """Imported when the palette first opens, not at start-up."""
    from tui.commands import PiyueCommands

    return PiyueCommands


class PiyueApp(App[None]):
    TITLE = "piyue 批阅"
    CSS_PATH = "piyue.tcss"
    COMMANDS = App.COMMANDS | {_commands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, library: Library, store: Store) -> None:
        super().__init__()
        self.library = library
        self.store = store

    def on_mount(self) -> None:
        from tui.main_screen import MainScreen

        self.main_screen = MainScreen()
        self.push_screen(self.main_screen)
        if self.store.readonly:
            self.notify(
                "另一个 piyue 正在使用数据库：只读打开 opened read-only",
                severity="warning",
                timeout=8,
            )

    def on_search_screen_run(self, msg: SearchScreen.Run) -> None:
        self.main_screen.search_requested(msg.query)

    def on_unmount(self) -> None:
        self.store.close()

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
    """Build the app for a corpus folder and a database (writer if free, else read-only)."""
    store = Store.open_for_ui(db_path or locations.default_db())
    library = Library(corpus_root, cache_dir=cache_dir or locations.cache_dir())
    library.use_store(store)
    return PiyueApp(library, store)
