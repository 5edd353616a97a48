"""When the machine, not the user's input, stops understudy: one paragraph on what to do.

``explain`` recognises, anywhere in an exception's chain (``__cause__``, ``__context__``):

- a **full disk** (``OSError`` ``ENOSPC``/``EDQUOT``, SQLite's "database or disk is full");
- a **read-only** place to write (``EROFS``, ``EACCES``, ``EPERM``; SQLite's "attempt to write a
  readonly database");
- a **damaged database** (SQLite's "file is not a database", "database disk image is
  malformed");
- a database from a **newer release** (Alembic cannot locate the database's schema revision).

Each message says what happened, that what was stored before is kept, and what to do. The CLI
prints it and exits 2 (``understudy.cli.app.main``); a run that was under way stays ``running``
in the database and is marked ``interrupted`` the next time understudy starts
(``Store.reap_stale``), with every conversation recorded before the failure.
"""

from __future__ import annotations

import errno
import re

from understudy.settings import HOME_ENV

_FULL = (errno.ENOSPC, errno.EDQUOT)
_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)
_KEPT = "What was stored before this point is kept; a run under way is marked interrupted."


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        orig = getattr(current, "orig", None)  # SQLAlchemy's DBAPI error
        if isinstance(orig, BaseException) and orig not in seen:
            seen.append(orig)
        current = current.__cause__ or current.__context__
    return seen


def newer_release(revision: str, database: str) -> str:
    """The message for a database whose schema revision this release does not know."""
    return (
        f"The database {database} was written by a newer release of understudy (its schema "
        f"revision {revision!r} is unknown to this one), so it was left untouched. Upgrade "
        f"understudy (pip install -U understudy), or point {HOME_ENV} (or "
        "UNDERSTUDY_DATABASE_URL) at another location to use this release with a new database."
    )


def explain(exc: BaseException, where: str = "") -> str | None:
    """Return a one-paragraph explanation when ``exc`` is the machine's fault, else None.

    Args:
        exc: any exception.
        where: the file or database concerned, when the caller knows it.
    """
    place = f" ({where})" if where else ""
    for item in _chain(exc):
        text = str(item).lower()
        number = item.errno if isinstance(item, OSError) else None
        filename = getattr(item, "filename", None) if isinstance(item, OSError) else None
        at = f" ({filename})" if filename else place
        if number in _FULL or "disk is full" in text or "no space left" in text:
            return (
                f"The disk is full: understudy could not write{at}. {_KEPT} Free some space, "
                f"or point {HOME_ENV} at a folder on another disk, and run the command again."
            )
        if number in _READ_ONLY or "readonly database" in text or "read-only file system" in text:
            return (
                f"understudy cannot write{at}: the file system or folder is read-only. "
                f"{_KEPT} Point {HOME_ENV} at a folder you can write to (or make this one "
                "writable) and run the command again."
            )
        if "file is not a database" in text or "disk image is malformed" in text:
            sqlite_says = getattr(item, "orig", item)
            return (
                f"The database{place} is damaged (SQLite: {sqlite_says}). understudy did not "
                "change it. Move it aside (for example rename understudy.db to "
                "understudy.db.broken) and run the command again to start a new one; "
                "`sqlite3 understudy.db.broken .recover` may save its runs."
            )
        match = re.search(r"can't locate revision identified by '([^']+)'", str(item), re.I)
        if match:
            return newer_release(match.group(1), where or "in use")
    return None
