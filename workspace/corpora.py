"""Which corpus folders a database has been used with.

The default database is one file for every corpus, and article ids are relative to the corpus
root: two archives kept the same way (``2015/01/02/01``) have articles with the same ids, so
codings made in one show on the other's article with that id.  The folders a database was
written with are kept beside it (``annotations.json.corpora``); opening it, with codings, on a
folder it was never written with says so, with the way out (``--db``, a database per corpus),
until something is written there.
"""

from __future__ import annotations

import json
from pathlib import Path

from storage.annotations import Store


def _file(db: Path) -> Path:
    return db.with_name(db.name + ".corpora")


def written_stamp(db: Path) -> tuple[tuple[int, int] | None, ...]:
    """The database's and its journal's size and time: changed when a coding was written."""
    out: list[tuple[int, int] | None] = []
    for path in (db, db.with_name(db.name + ".journal")):
        try:
            st = path.stat()
            out.append((st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


def check_corpus(db: Path, root: Path, store: Store) -> str | None:
    """A notice when the database holds codings and was never written with ``root``."""
    here, known = _here(root), _known(db)
    if here in known:
        return None
    tables = store.tables_snapshot()
    if not known or not any(tables.get(t) for t in ("articles", "highlights")):
        return None
    return (
        f"这个数据库也存有别的语料的编码 this database ({db}) holds codings made on another "
        f"corpus ({known[-1]}): an article here with the same id shows them — use "
        "--db FILE (or PIYUE_DB) for a database of its own per corpus"
    )


def remember_corpus(db: Path, root: Path) -> None:
    """``root`` is a corpus this database was written with (called when a session that wrote
    closes: a read, a dry run, a refused command leave nothing beside the database)."""
    from storage.files import atomic_write

    here, known = _here(root), _known(db)
    if here in known:
        return
    data = json.dumps([*known, here], ensure_ascii=False, indent=1).encode("utf-8")
    try:
        atomic_write(_file(db), data)
    except OSError:
        pass  # a reminder, not the user's data: a full disk costs only the notice


def _here(root: Path) -> str:
    return str(root.expanduser().resolve())


def _known(db: Path) -> list[str]:
    try:
        return [str(x) for x in json.loads(_file(db).read_text("utf-8"))]
    except (OSError, ValueError, TypeError):
        return []
