"""The annotation store: tags, notes, read state, passage highlights, codebook, watch list,
boundary corrections — one TinyDB file behind a small API with domain dataclasses.

Tables (documented in the README):

``articles``     one document per annotated article and coder: ``article_id``, ``coder``,
                 ``issue_id``,
                 fingerprint (``title``, ``head``, ``text_hash``), ``tags``, ``note``, ``read``,
                 ``starred``, ``created``, ``updated``, ``orphan``, ``settled`` (an
                 adjudicator's choices: code → a/b/both/neither)
``highlights``   coded passages: ``id``, ``article_id``, ``coder``, ``start``/``end`` (offsets
                 into the article text), ``quote`` with ``prefix``/``suffix`` context,
                 ``tags``, ``note``
``tags``         the codebook: ``name``, ``colour``, ``description``, ``parent``
``quick``        quick-tag digits the user pinned: ``slot`` (1-9), ``code``
``watch``        watch-list terms: ``term``, ``colour``
``corrections``  boundary fixes the parser applies on load: ``issue_id``, ``kind``, ``line``
``meta``         ``schema`` version, ``default_coder`` (whose the codings of schema 1 are),
                 ``anchored`` (the corpus state the codings were last found again in)

Coders: the store has a current coder (``Store.open(coder=)``, ``set_coder``, ``as_coder``);
every write is theirs, and reads show the *visible* coders by default — the current one
(blind coding) until ``reveal()`` — or take ``coders=`` (names, or None for all).

Every mutation is durable when the method returns (see ``durable.py``) and is recorded for
undo/redo; ``Store.batch`` makes many changes one step.

Modules: ``model`` (values, validation), ``expressions`` (tag expressions), ``history``
(undo/redo log), ``reattach`` (finding annotations again after a re-parse), ``coders`` (names
and read scopes), ``base`` (writes, batches, undo, the current coder), ``passages``,
``codebook`` and ``attribution`` (feature mixins), ``importing`` (JSON Lines from other
coders), ``store`` (``Store``).
"""

from storage.annotations.attribution import CHOICES, CoderRows, CoderSummary
from storage.annotations.coders import ALL, VISIBLE, Coders, clean_coder, default_coder
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
    new_tag_name,
)
from storage.annotations.reattach import Reanchored, find_article, page_of_id, reanchor
from storage.annotations.store import SCHEMA, Store
from storage.errors import AnnotationError, StoreError

__all__ = [
    "ALL",
    "CHOICES",
    "CONTEXT",
    "CORRECTION_KINDS",
    "MAX_NOTE",
    "MAX_TAG",
    "PALETTE",
    "QUICK_SLOTS",
    "SCHEMA",
    "VISIBLE",
    "AnnotationError",
    "ArticleNotes",
    "Change",
    "CodeCycle",
    "CodeExists",
    "CodeRow",
    "CodeUsage",
    "CoderRows",
    "CoderSummary",
    "Coders",
    "Correction",
    "Highlight",
    "History",
    "Reanchored",
    "Store",
    "StoreError",
    "TagDef",
    "UnknownCode",
    "clean_coder",
    "clean_colour",
    "clean_tag",
    "default_coder",
    "evaluate",
    "find_article",
    "fingerprint",
    "new_tag_name",
    "page_of_id",
    "parse_expression",
    "reanchor",
]
