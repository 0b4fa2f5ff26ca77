"""The reader's widgets: the lists, the reader view and the codebook line."""

from tui.widgets.codebook import Codebook
from tui.widgets.issues import IssueList
from tui.widgets.lists import (
    ArticleList,
    StopList,
    VimList,
    counted,
    plural,
    truncate,
    type_into,
)
from tui.widgets.reader import Reader
from tui.widgets.statusline import StatusLine

__all__ = [
    "ArticleList",
    "Codebook",
    "IssueList",
    "Reader",
    "StatusLine",
    "StopList",
    "VimList",
    "counted",
    "plural",
    "truncate",
    "type_into",
]
