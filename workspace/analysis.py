"""Analysis over the coded corpus: retrieval of coded segments, co-occurrence, counts over
issues, and autocoding — written once for the TUI and the command line.  This module gathers
them; they live in ``coded`` (shared), ``retrieval``, ``cooccur`` and ``autocode``.

Definitions (the tests pin them down):

* **Children.** A code's children are the codes whose ``parent`` chain leads to it.  With
  ``children=True`` a passage or article carrying a child code counts as carrying the parent.
* **Retrieval** evaluates the expression on each item's *own* tags: a passage on the passage's
  codes, an article on the article's tags (a passage code does not make its whole article an
  article item; the passage is retrieved as a passage).  Orphaned passages (not re-attached
  after a re-parse) and annotations of articles outside the corpus are left out.
* **Co-occurrence, articles**: an article carries a code when the code is an article tag *or*
  the code of one of its passages — the same rule as tag-expression filters and exports
  (``Store.select``), so a cell's count is what ``--where "A and B"`` selects.
  **Passages**: the number of pairs (passage of A, passage of B) in one article whose spans
  overlap; a passage carrying both codes is such a pair with itself.  The diagonal is the
  code's own count: articles carrying it, passages coded with it.  Codes count themselves only
  (no roll-up of children), like the codebook's counts.
* **Stats**: per code and issue date (the undated pages in one group), or per newspaper page
  (paper, date, page number), the articles carrying the code and its passages.
"""

from __future__ import annotations

from storage.annotations import UnknownCode
from storage.annotations.expressions import ancestors
from workspace.autocode import (
    UNITS,
    Plan,
    Unit,
    apply_autocode,
    one_step,
    paragraph_span,
    plan_autocode,
    preview,
    sentence_span,
)
from workspace.coded import (
    Item,
    SortBy,
    compile_expression,
    descendants,
)
from workspace.cooccur import (
    UNDATED,
    StatRow,
    code_names,
    cooccur,
    cooccur_csv,
    cooccur_items,
    stats,
    stats_csv,
    stats_dict,
)
from workspace.retrieval import (
    retrieve,
    retrieve_csv,
    retrieve_dict,
    retrieve_json,
    retrieve_md,
)

__all__ = [
    "UNDATED",
    "UNITS",
    "Item",
    "Plan",
    "SortBy",
    "StatRow",
    "Unit",
    "UnknownCode",
    "ancestors",
    "apply_autocode",
    "code_names",
    "compile_expression",
    "cooccur",
    "cooccur_csv",
    "cooccur_items",
    "descendants",
    "one_step",
    "paragraph_span",
    "plan_autocode",
    "preview",
    "retrieve",
    "retrieve_csv",
    "retrieve_dict",
    "retrieve_json",
    "retrieve_md",
    "sentence_span",
    "stats",
    "stats_csv",
    "stats_dict",
]
