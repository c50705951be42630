"""The one transaction policy: each use case that changes anything is one unit of work, committed by the service.

Views and commands never commit or roll back. A service function that writes wraps its work in
`with unit_of_work(session):`; the outermost unit commits when its block ends and rolls back if it raises, and a
unit opened inside another joins it (so use cases compose). Whatever a request leaves uncommitted is rolled back
when the request ends (Flask-SQLAlchemy removes the session).

Files follow the database: `after_commit(session, action)` runs `action` only once the transaction that refers to
the file has committed, and `after_rollback(session, action)` only if it rolls back instead. Evidence is written to
a temporary name first and moved into place after the commit; a deleted file is unlinked after the commit. So a
rollback never leaves an orphan file, and a commit never refers to a missing one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_DEPTH, _ON_COMMIT, _ON_ROLLBACK, _FLUSHED = ("uow.depth", "uow.on_commit", "uow.on_rollback", "uow.flushed")
_READS = "uow.reads"


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """Commit at the end of the outermost block; roll back (and run the rollback actions) if it raises."""
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
            _run(session.info.pop(_ON_ROLLBACK, []))  # when nothing had reached the database, no transaction ended
            session.info.pop(_ON_COMMIT, None)
        raise
    finally:
        session.info[_DEPTH] = depth


def after_commit(session: Session, action: Callable[[], object]) -> None:
    """Run `action` once the current transaction commits; never if it rolls back."""
    session.info.setdefault(_ON_COMMIT, []).append(action)


def after_rollback(session: Session, action: Callable[[], object]) -> None:
    """Run `action` if the current transaction rolls back; never if it commits."""
    session.info.setdefault(_ON_ROLLBACK, []).append(action)


def reads(session: Session) -> dict:
    """What this transaction has read and may read again without asking the database (emptied when it ends)."""
    return session.info.setdefault(_READS, {})


def has_uncommitted_changes(session: Session) -> bool:
    """Changes made in this session that no commit or rollback has settled yet (the test client checks this)."""
    return bool(session.new or session.dirty or session.deleted or session.info.get(_FLUSHED))


def _run(actions: list[Callable[[], object]]) -> None:
    for action in actions:
        try:
            action()
        except Exception:  # the transaction is settled: a failed file action is logged, never raised into it
            log.exception("file action after the transaction failed")


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    actions = session.info.pop(_ON_COMMIT, [])
    session.info.pop(_ON_ROLLBACK, None)
    session.info.pop(_FLUSHED, None)
    session.info.pop(_READS, None)
    _run(actions)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction) -> None:
    """The end of the real transaction without a commit (rolled back, or closed unfinished): undo the files."""
    if transaction.parent is not None or transaction.nested:  # a savepoint or a subtransaction: not the real end
        return
    actions = session.info.pop(_ON_ROLLBACK, [])  # after_commit already emptied these when it committed
    session.info.pop(_ON_COMMIT, None)
    session.info.pop(_FLUSHED, None)
    session.info.pop(_READS, None)
    _run(actions)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context) -> None:
    session.info[_FLUSHED] = True


def writing(session: Session) -> bool:
    """Inside a unit of work, or holding changes not yet committed: what is read now may not be kept."""
    return bool(session.info.get(_DEPTH, 0)) or has_uncommitted_changes(session)
