"""Where the reader was: last article and scroll position per corpus (small JSON file)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from storage import locations
from storage.files import atomic_write


def state_file() -> Path:
    return locations.data_dir() / "state.json"


GLOBAL = ""
"""The entry for settings of no corpus (the coder's name): no corpus path is empty."""


def _entry(key: str) -> dict[str, Any]:
    with contextlib.suppress(OSError, ValueError, TypeError):
        import json  # not at start-up: state is read once the pages are

        data = json.loads(state_file().read_text(encoding="utf-8"))
        got = data.get(key, {})
        if isinstance(got, dict):
            return got
    return {}


def _update(key: str, values: dict[str, Any]) -> None:
    """Best effort: losing the scroll position is no reason to bother the user."""
    import json

    path = state_file()
    with contextlib.suppress(OSError, ValueError, TypeError):
        data: dict[str, Any] = {}
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(path.read_text(encoding="utf-8"))
        entry = data.get(key, {}) if isinstance(data.get(key), dict) else {}
        entry.update(values)
        data[key] = entry
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def load(corpus_root: Path) -> dict[str, Any]:
    return _entry(str(corpus_root.resolve()))


def save(corpus_root: Path, **values: Any) -> None:
    _update(str(corpus_root.resolve()), values)


def coder() -> str:
    """The coder name the reader was told on its first start ("" when never asked)."""
    return str(_entry(GLOBAL).get("coder", ""))


def remember_coder(name: str) -> None:
    """Keep the coder's name for later starts."""
    _update(GLOBAL, {"coder": name})
