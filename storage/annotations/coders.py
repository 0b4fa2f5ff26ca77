"""Who codes: the current coder's name (``--coder``, ``PIYUE_CODER``, the login name) and the
coder scope of a read (only yours for blind coding, some, or everyone's).

Pure values, like ``model``: the store keeps one current coder and writes every coding as
theirs; reads default to the store's *visible* coders (yours until the user reveals).
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Iterable

from storage.errors import AnnotationError

MAX_CODER = 80
FALLBACK = "coder"
"""The coder's name when neither the flag, the environment nor the login name gives one."""
ALL = "all"
"""Not a coder's name: the word that chooses every coder (``--coder all`` on exports)."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class VisibleCoders:
    """The default of a read's ``coders``: the store's visible coders (see ``Store.reveal``)."""

    def __repr__(self) -> str:
        return "VISIBLE"


VISIBLE = VisibleCoders()
Coders = Iterable[str] | None | VisibleCoders
"""A read's choice of coders: names, ``None`` for every coder, or ``VISIBLE`` (the default)."""


def clean_coder(name: str) -> str:
    c = " ".join(str(name).split())
    if not c:
        raise AnnotationError("a coder's name cannot be empty")
    if len(c) > MAX_CODER:
        raise AnnotationError(f"a coder's name is at most {MAX_CODER} characters")
    if _CONTROL.search(c):
        raise AnnotationError("a coder's name cannot contain control characters")
    if c.lower() == ALL:
        raise AnnotationError(f"{c!r} cannot be a coder's name (it means every coder)")
    return c


def default_coder() -> str:
    """``PIYUE_CODER``, else the login name, else ``coder`` (a login name can be missing in
    containers, or not a name piyue accepts)."""
    env = os.environ.get("PIYUE_CODER", "")
    if env.strip():
        return clean_coder(env)
    try:
        return clean_coder(getpass.getuser())
    except (Exception, SystemExit):  # no login name (KeyError, OSError…) or an unusable one
        return FALLBACK
