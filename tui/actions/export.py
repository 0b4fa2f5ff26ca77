"""Export (``x``): the dialog, with the current filter as its selection."""

from __future__ import annotations

from tui.screens.base import ScreenBase


class ExportActions(ScreenBase):
    def action_export(self) -> None:
        self.papp.open_export(self.art_filter.expr)
