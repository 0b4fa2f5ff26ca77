"""The annotation store: tags, notes, read state, passage highlights, codebook, watch list,
boundary corrections — one TinyDB file behind a small API with domain dataclasses.

Tables (documented in the README):

``articles``     one document per annotated article: ``article_id``, ``issue_id``,
                 fingerprint (``title``, ``head``, ``text_hash``), ``tags``, ``note``, ``read``,
                 ``starred``, ``created``, ``updated``, ``orphan``
``highlights``   coded passages: ``id``, ``article_id``, ``start``/``end`` (offsets into the
                 article text), ``quote`` with ``prefix``/``suffix`` context, ``tags``, ``note``
``tags``         the codebook: ``name``, ``colour``, ``description``, ``parent``
``quick``        quick-tag digits the user pinned: ``slot`` (1-9), ``code``
``watch``        watch-list terms: ``term``, ``colour``
``corrections``  boundary fixes the parser applies on load: ``issue_id``, ``kind``, ``line``
``meta``         ``schema`` version

Every mutation is durable when the method returns (see ``durable.py``) and is recorded for
undo/redo; ``Store.batch`` makes many changes one step.

Modules: ``model`` (values, validation), ``expressions`` (tag expressions), ``history``
(undo/redo log), ``reattach`` (finding annotations again after a re-parse), ``base`` (writes,
batches, undo), ``passages`` and ``codebook`` (feature mixins), ``store`` (``Store``).
"""

from storage.annotations.expressions import evaluate, parse_expression
from storage.annotations.history import Change, History
from storage.annotations.model import (
    CONTEXT,
    CORRECTION_KINDS,
    MAX_NOTE,
    MAX_TAG,
    PALETTE,
    QUICK_SLOTS,
    ArticleNotes,
    CodeCycle,
    CodeExists,
    CodeRow,
    CodeUsage,
    Correction,
    Highlight,
    TagDef,
    UnknownCode,
    clean_colour,
    clean_tag,
    fingerprint,
)
from storage.annotations.reattach import find_article, reanchor
from storage.annotations.store import SCHEMA, Store
from storage.errors import AnnotationError, StoreError

__all__ = [
    "CONTEXT",
    "CORRECTION_KINDS",
    "MAX_NOTE",
    "MAX_TAG",
    "PALETTE",
    "QUICK_SLOTS",
    "SCHEMA",
    "AnnotationError",
    "ArticleNotes",
    "Change",
    "CodeCycle",
    "CodeExists",
    "CodeRow",
    "CodeUsage",
    "Correction",
    "Highlight",
    "History",
    "Store",
    "StoreError",
    "TagDef",
    "UnknownCode",
    "clean_colour",
    "clean_tag",
    "evaluate",
    "find_article",
    "fingerprint",
    "parse_expression",
    "reanchor",
]
