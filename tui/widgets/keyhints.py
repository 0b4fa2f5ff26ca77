"""The key hints at the foot of a screen: the keys the focused widget and its screen offer.

Textual's ``Footer`` mounts a widget per key and mounts them again whenever focus moves; on
the main screen that was ~15 ms of the first frame.  This draws the same line as one widget:
keys in the theme's footer colours, disabled ones dim, the command palette's key on the right;
a click on a key presses it.  When the keys do not fit (80 columns) the line closes up and
takes the screen's short descriptions (``HINT_SHORT``), then leaves out its least important keys
(``HINT_ORDER``), not whatever comes last: every key stays in help (``?``) and the palette.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget


class KeyHints(Widget, can_focus=False):
    """One line of ``key description`` pairs, redrawn when the active bindings change.

    A screen's ``HINT_ORDER`` names its bindings' ids, most important first: on a narrow
    screen the keys not named go first, then the named ones from the end.  Its
    ``HINT_SHORT`` gives shorter descriptions by binding id, used on a closed-up line."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"keyhints--key", "keyhints--description"}
    DEFAULT_CSS = """
    KeyHints {
        dock: bottom;
        height: 1;
        width: 1fr;
        background: $footer-background;
        .keyhints--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .keyhints--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: list[tuple[int, int, str, bool]] = []
        """(first cell, end cell, key, enabled) of each hint as last drawn."""
        self._ids: dict[str, str] = {}
        """Binding id by key, of the hints as last listed (for ``HINT_ORDER``)."""
        self._short: dict[str, str] = {}
        """Short description by key, of the hints as last listed (from ``HINT_SHORT``)."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _changed(self, screen: Any) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def hints(self) -> list[tuple[str, str, str, bool]]:
        """(key, key as shown, description, enabled) of each shown binding, one per action,
        in the order Textual's Footer shows them; the palette's key last, if there is one."""
        seen: set[str] = set()
        out: list[tuple[str, str, str, bool]] = []
        palette = None
        app = self.app
        self._ids = {}
        short: dict[str, str] = dict(getattr(self.screen, "HINT_SHORT", {}))
        self._short = {}
        for _node, binding, enabled, _tip in self.screen.active_bindings.values():
            if binding.key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = (binding.key, app.get_key_display(binding), binding.description, enabled)
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            self._ids[binding.key] = binding.id or ""
            if binding.id in short:
                self._short[binding.key] = short[binding.id]
            out.append((binding.key, app.get_key_display(binding), binding.description, enabled))
        if palette is not None:
            out.append(palette)
        return out

    def fitting(self, hints: list[tuple[str, str, str, bool]], room: int) -> tuple[list[int], bool]:
        """Which hints go on a line of ``room`` cells, and whether closed up (one space
        between a description and the next key instead of two)."""

        def cells(chosen: list[int], compact: bool) -> int:
            pad = 2 if compact else 3
            return sum(
                cell_len(hints[i][1]) + cell_len(self.label(hints[i], compact)) + pad
                for i in chosen
            )

        chosen = list(range(len(hints)))
        if cells(chosen, False) <= room:
            return chosen, False
        order: list[str] = list(getattr(self.screen, "HINT_ORDER", ()))
        ids = [self._ids.get(h[0], "") for h in hints]
        rank = {i: order.index(ids[i]) for i in chosen if ids[i] in order}
        # the keys the screen does not name go first (from the end), then the named ones,
        # least important first
        drop = [i for i in reversed(chosen) if i not in rank]
        drop += sorted(rank, key=lambda i: -rank[i])
        while chosen and cells(chosen, True) > room:
            chosen.remove(drop.pop(0))
        return chosen, True

    def label(self, hint: tuple[str, str, str, bool], compact: bool) -> str:
        """A hint's description: the short one on a closed-up line, if the screen has one."""
        return self._short.get(hint[0], hint[2]) if compact else hint[2]

    def render(self) -> Text:
        base = self.rich_style
        key_style = base + self.get_component_rich_style("keyhints--key", partial=True)
        text_style = base + self.get_component_rich_style("keyhints--description", partial=True)
        hints = self.hints()
        palette = None
        if hints and hints[-1][0] == self.app.COMMAND_PALETTE_BINDING:
            palette = hints.pop()
        width = self.size.width
        room = width - (cell_len(f"▏{palette[1]} {palette[2]} ") if palette else 0)
        chosen, compact = self.fitting(hints, room)
        line = Text(no_wrap=True, overflow="crop")
        keys: list[tuple[int, int, str, bool]] = []
        at = 0
        for hint in (hints[i] for i in chosen):
            key, shown, _, enabled = hint
            description = self.label(hint, compact)
            part = f" {shown}" if compact else f" {shown} "
            label = (f" {description}" if compact else f"{description} ") if description else ""
            need = cell_len(part) + cell_len(label)
            if at + need > room:
                break
            dim = Style() if enabled else Style(dim=True)
            line.append(part, key_style + dim)
            line.append(label, text_style + dim)
            keys.append((at, at + need, key, enabled))
            at += need
        if palette is not None and width > at:
            key, shown, description, enabled = palette
            tail = f"▏{shown} {description} "
            line.append(" " * max(0, width - at - cell_len(tail)))
            start = max(at, width - cell_len(tail))
            line.append("▏", text_style)
            line.append(shown, key_style)
            line.append(f" {description} ", text_style)
            keys.append((start, width, key, enabled))
        self._keys = keys
        line.stylize_before(self.rich_style)
        return line

    def on_mouse_down(self, event: events.MouseDown) -> None:
        for first, end, key, enabled in self._keys:
            if first <= event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
