"""Typed modal dialogs: each is a ``ModalScreen[T]`` whose result goes to a callback."""

from tui.dialogs.basic import (
    ConfirmDialog,
    HelpScreen,
    InputDialog,
    LayersDialog,
    NoteDialog,
    PickDialog,
    TagDialog,
    TagSuggester,
    screen_keys,
    split_tags,
)
from tui.dialogs.search import SearchScreen

__all__ = [
    "ConfirmDialog",
    "HelpScreen",
    "InputDialog",
    "LayersDialog",
    "NoteDialog",
    "PickDialog",
    "SearchScreen",
    "TagDialog",
    "TagSuggester",
    "screen_keys",
    "split_tags",
]
