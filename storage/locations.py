"""The one module that knows where piyue keeps things.

``PIYUE_HOME``, when set, is the single directory for the database, caches and config (tests
and scripts use it so they never touch the user's data); otherwise the platform's user
data / cache / config directories.  ``PIYUE_CORPUS`` and ``PIYUE_DB`` are the environment
forms of ``--corpus`` and ``--db``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

APP = "piyue"


def home() -> Path | None:
    value = os.environ.get("PIYUE_HOME")
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    h = home()
    return h if h else Path(_platform().user_data_dir(APP, appauthor=False))


def cache_dir() -> Path:
    h = home()
    return h / "cache" if h else Path(_platform().user_cache_dir(APP, appauthor=False))


def config_dir() -> Path:
    h = home()
    return h if h else Path(_platform().user_config_dir(APP, appauthor=False))


def _platform() -> Any:
    """platformdirs, imported when a platform path is first asked for (not at start-up)."""
    import platformdirs

    return platformdirs


def default_db() -> Path:
    env = os.environ.get("PIYUE_DB")
    return Path(env).expanduser() if env else data_dir() / "annotations.json"


def user_dict() -> Path:
    """The user's own word list (jieba format: ``word [freq] [tag]`` per line)."""
    return config_dir() / "userdict.txt"


def rejected_terms() -> Path:
    """Words the user said are no terms (a judgement, like the user dictionary: never kept
    in a cache, which may be cleared)."""
    return config_dir() / "rejected-terms.txt"


def config_file() -> Path:
    return config_dir() / "config.json"


def bundled_seeds() -> Path:
    """The sample corpus shipped with piyue (source checkout, editable or wheel install)."""
    import corpus

    pkg = Path(corpus.__file__).resolve().parent
    for candidate in (pkg / "_seeds", pkg.parent / "seeds"):
        if candidate.is_dir():
            return candidate
    return pkg.parent / "seeds"


def default_corpus() -> Path:
    env = os.environ.get("PIYUE_CORPUS")
    return Path(env).expanduser() if env else bundled_seeds()


def error_log_path() -> Path:
    """Where tracebacks of unexpected errors go (the terminal only gets one line naming it)."""
    return cache_dir() / "error.log"
