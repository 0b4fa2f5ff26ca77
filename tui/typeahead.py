"""Type-ahead: keys typed while a screen is still being built are kept, in order, and
delivered once it can take them — never dropped.

A screen that is not ready yet says so (``typeahead_ready = False``) and calls
``ready()`` when its widgets exist and focus is set: the main screen when its lists are
filled, a dialog once its input has focus. Until then the app holds every key and paste;
then it replays them through its normal key handling, one at a time, and stops again as soon
as a key opens another screen that is not ready (``/`` then a query, ``t`` then a tag).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Generic, TypeVar

from textual import events
from textual.message import Message
from textual.screen import ModalScreen, Screen

HOLD_LIMIT = 3.0
"""Seconds after which held keys are delivered anyway (a screen that never got ready) —
unless the screen says it waits on known work for longer (``typeahead_wait``)."""
INDEX_WAIT = 120.0
"""How long keys typed after a search's Enter wait for its hits while the index is being
built (a first start on a large corpus: the next Enter is meant for a hit, not the query)."""
IN_FLIGHT_LIMIT = 2.0
"""Seconds to wait for a replayed key's ``Delivered`` before the next key goes anyway (a
marker lost with a widget that closed; a closed screen is noticed at once, see
``target_gone``)."""


STEP = 0.1
"""How often a deadline looks at the clock."""


class Patience:
    """A deadline that counts only the time the app was free to get a screen ready: a stretch
    the event loop was blocked (a 2 MB article laid out) counts as one step, not its length —
    else the held keys went "anyway" the moment it ended, into a dialog not ready yet (the
    first character of a tag typed at once after opening such an article was lost)."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.spent = 0.0
        self.last = time.monotonic()

    def over(self, limit: float | None = None) -> bool:
        """Called every ``STEP``: whether ``limit`` (else the one given first) of free time
        has passed."""
        now = time.monotonic()
        self.spent += min(now - self.last, 2 * STEP)
        self.last = now
        return self.spent >= (self.limit if limit is None else limit)


class Ready(Message):
    """A screen can take keys now (posted to the app)."""


class Delivered(Message, bubble=True):
    """Posted behind a replayed key to the widget that got it: it reaches the app after the
    key has been handled (bindings run when the key bubbles up), so the next key waits for
    whatever the previous one did — opened a dialog, say. A binding's own messages (an
    input's ``Submitted`` that closes its dialog) are handled one round later: ``echoes``
    sends the marker round again before the next key goes.  ``key`` numbers the key it
    follows: a marker of an earlier key, still on its way when that key's screen closed and
    the next key went, is not this key's (taken for it, the key after ``K`` went to the
    screen ``K`` was about to close)."""

    def __init__(self, key: int, echoes: int = 0) -> None:
        super().__init__()
        self.key = key
        self.echoes = echoes


def is_ready(screen: Screen[Any]) -> bool:
    return bool(getattr(screen, "typeahead_ready", True))


def ready(screen: Screen[Any]) -> None:
    """Mark ``screen`` ready and let the app deliver what was typed meanwhile."""
    if not is_ready(screen):
        screen.typeahead_ready = True  # type: ignore[attr-defined]
        screen.app.post_message(Ready())


ResultT = TypeVar("ResultT")


REACTION = 0.3
"""Seconds after an unbidden question shows before a key can be its answer."""


class Dialog(ModalScreen[ResultT], Generic[ResultT]):
    """A modal dialog that takes keys typed while it opens (after its focus is set)."""

    CSS_PATH = str(Path(__file__).with_name("dialogs.tcss"))
    """Read when the first dialog opens, not before the first frame (a path of its own: a
    relative one would be taken from each subclass's module)."""

    unbidden = False
    """A question the user did not ask for (who is coding, on the first start): keys typed
    before it showed were meant for the screen below, so they wait until it closes."""
    reaction = REACTION
    """How soon after an unbidden question shows a key can answer it (0: any key typed once it
    is on screen — a question that follows the user's own Enter, which some expect)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.typeahead_ready = False
        self.parked: list[events.Event] = []
        self.shown_at = float("inf")
        """When it was on screen, by the clock Textual stamps input events with."""

    def unsaved(self) -> str:
        """What typed text would be lost if the app quit now ('' when nothing): a quit
        asks first (see ``PiyueApp.action_quit``)."""
        return ""

    def on_mount(self) -> None:
        # subclasses set focus in their own on_mount (which runs first); focus is applied
        # on the next refresh
        self.call_after_refresh(self._now_showing)

    def _now_showing(self) -> None:
        buffer = getattr(self.app, "keys", None)
        if self.unbidden and isinstance(buffer, KeyBuffer):
            self.parked[:0] = buffer.park()  # held before it opened, so typed first
            self.shown_at = Ready().time
        ready(self)

    def keeps_for_below(self, event: events.Event) -> bool:
        """An unbidden question keeps a key typed before it showed (it reaches the app
        a moment later) for the screen below; so is one read within ``REACTION`` of its
        showing — nobody reads a question and answers it that fast (an Enter typed with the
        launch, read late, took the login name as the coder)."""
        if self.unbidden and event.time < self.shown_at + self.reaction:
            self.parked.append(event)
            return True
        return False

    below: Dialog[Any] | None = None
    """The dialog this question was asked from: when the answer leaves it open (Esc, back to
    editing), what was parked waits for it to close instead of being typed into it."""

    def leaves_below_open(self) -> bool:
        """Whether the answer given keeps ``below`` open (see ``ConfirmDialog``)."""
        return False

    def on_unmount(self) -> None:
        below = self.below
        if self.parked and below is not None and self.leaves_below_open():
            below.parked += self.parked  # typed after its keys: after them, when it closes
            self.parked = []
            return
        buffer = getattr(self.app, "keys", None)
        if self.parked and isinstance(buffer, KeyBuffer):
            buffer.unpark(self.parked)
            self.parked = []
            self.app.post_message(Ready())

    def on_screen_resume(self) -> None:
        resumed(self)


def resumed(screen: Screen[Any]) -> None:
    """A screen is on top again (a dialog over it closed): keys waiting on the closed
    dialog's widgets can go to it now."""
    if is_ready(screen):
        screen.app.post_message(Ready())


class KeyBuffer:
    """The app's side: hold input events while the active screen is not ready."""

    def __init__(self) -> None:
        self.held: list[events.Event] = []
        self.deadline: Any = None
        self.in_flight = False
        self.starting = True
        """No screen has been ready yet (see ``as_typed``)."""
        self.target: Any = None
        """The widget the key in flight went to (its ``Delivered`` comes back through it)."""
        self.sent = 0
        """How many keys were replayed: the number of the key in flight (see ``Delivered``)."""

    def park(self) -> list[events.Event]:
        """Take the held keys away (an unbidden dialog is showing; see ``Dialog.unbidden``)."""
        parked, self.held = self.held, []
        return parked

    def unpark(self, parked: list[events.Event]) -> None:
        """Put parked keys back before any typed since: they were typed first."""
        self.held[:0] = parked

    def target_gone(self, stack: list[Screen[Any]]) -> bool:
        """The key in flight closed the screen of the widget that got it (Enter in a
        dialog): its marker went with the widget, so there is nothing to wait for."""
        try:
            screen = self.target if isinstance(self.target, Screen) else self.target.screen
        except Exception:
            return True
        return screen not in stack

    def as_typed(self, event: events.Event) -> events.Event:
        """The key the user pressed.  Keys typed before the app put the terminal in raw mode
        went through the terminal's line discipline, which turns Enter's CR into LF, read as
        ctrl+j: until the first screen is ready, a ctrl+j is the Enter it was."""
        if self.starting and isinstance(event, events.Key) and event.key == "ctrl+j":
            return events.Key("enter", "\r")
        return event

    def wants(self, event: events.Event) -> bool:
        """Every key and paste from the terminal goes through the queue: a key takes effect
        (a binding runs when it bubbles up) after the next one has arrived, so only one at a
        time, each after the last was handled, keeps a burst of keys in order."""
        return isinstance(event, events.Key | events.Paste) and not event.is_forwarded
