"""What the reader shows: word boundaries, highlight layers, the width of the list panes."""

from __future__ import annotations

from tui.render import LABELS
from tui.screens.base import ScreenBase, dialogs


class LayerActions(ScreenBase):
    def action_toggle_boundaries(self) -> None:
        self.hl_layers.boundaries = not self.hl_layers.boundaries
        self.render_article(keep_scroll=True)

    def action_toggle_layer(self, name: str) -> None:
        setattr(self.hl_layers, name, not getattr(self.hl_layers, name))
        self.render_article(keep_scroll=True)

    def action_layers(self) -> None:
        def apply(chosen: list[str] | None) -> None:
            if chosen is None:
                return
            for name in self.hl_layers.names():
                setattr(self.hl_layers, name, name in chosen)
            self.render_article(keep_scroll=True)

        opts = [(n, LABELS[n], getattr(self.hl_layers, n)) for n in self.hl_layers.names()]
        self.app.push_screen(dialogs().LayersDialog(opts), apply)

    def action_resize_lists(self, delta: int) -> None:
        """Give the reader more or less room (the list panes grow or shrink together)."""
        for pane, low, high in (("#issues", 20, 60), ("#articles", 28, 90)):
            widget = self.query_one(pane)
            width = widget.outer_size.width or low
            widget.styles.width = max(low, min(high, width + delta))
        if self.pages is not None:
            self.call_after_refresh(self.refresh_issues)
            self.call_after_refresh(self.refresh_articles)
