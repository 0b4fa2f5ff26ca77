"""The parser's version, alone in a module: the reader checks an index against it before
anything else is imported (``storage.pagerow``)."""

PARSER_VERSION = 6
"""Bump when parse output or the model's fields change: the index caches parsed pages."""
