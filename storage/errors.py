"""Errors the user must be told about (one line, exit status 2 on the CLI).

Kept apart from the modules that raise them so the reader can catch them without importing
TinyDB and the file lock before its first paint.
"""

from __future__ import annotations


class StoreError(Exception):
    """A database problem the user must be told about (exit status 2 on the CLI)."""


class CorruptDatabase(StoreError):
    pass


class ReadOnlyDatabase(StoreError):
    pass


class DatabaseLocked(StoreError):
    pass


class NewerSchema(StoreError):
    pass


class AnnotationError(StoreError):
    """Invalid input to the annotation API (empty tag, unknown id, oversize note…)."""
