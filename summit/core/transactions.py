"""How requests end their database work on PostgreSQL: without a transaction where a
read needs none, and with a COMMIT rather than a ROLLBACK where a transaction wrote
nothing.

Why the second: psycopg prepares a statement once it has run five times on a
connection, and PostgreSQL then settles on a generic plan and stops planning it; but
every ROLLBACK makes psycopg drop all the connection's prepared statements (and send
``DEALLOCATE ALL``). Rolling back each read-only request, as closing the session does,
therefore threw the prepared statements away many times a minute, and a session page
planned its joined query afresh on every view (about 2 ms of its 7). Ending a
transaction that wrote nothing with COMMIT has the same effect on the data and keeps
them.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from summit.extensions import db

WROTE = "summit.wrote"  # in a pooled connection's info: a statement other than SELECT ran


def outside_a_transaction() -> None:
    """Run this request's statements each on its own (PostgreSQL's autocommit), when
    nothing has begun a transaction yet; elsewhere (SQLite) nothing changes.

    For a read-only page or a door scan a transaction adds nothing but a BEGIN and a
    ROLLBACK or COMMIT round trip: a released version never changes once it is
    visible, so the page's few reads agree without one snapshot. A scan writes one
    row whose insert decides admission by itself, and is committed, durably, as it
    returns.
    """
    session = db.session()
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _note_writes(conn, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    if not statement.lstrip()[:6].upper().startswith("SELECT"):
        conn.info[WROTE] = True


def _forget_writes(conn) -> None:
    conn.info[WROTE] = False


def _fresh_checkout(_dbapi_connection, connection_record, _proxy) -> None:
    connection_record.info[WROTE] = False


def commit_if_nothing_was_written(_exc: BaseException | None = None) -> None:
    """At the end of a request (or app context) on PostgreSQL: COMMIT the session's
    open transaction when it ran only SELECTs and holds no pending changes, so that the
    session's closing ROLLBACK does not happen. Anything else is left to that
    ROLLBACK: a failed request, pending changes never flushed, or any statement that
    might have written (INSERT, UPDATE, DELETE, WITH, SET, ...)."""
    if _exc is not None or not db.session.registry.has():
        return
    session = db.session()
    transaction = session.get_transaction()
    if transaction is None or not transaction.is_active:  # none, or a flush failed
        return
    if session.get_bind().dialect.name != "postgresql":
        return
    if session.new or session.dirty or session.deleted:
        return
    if session.connection().info.get(WROTE, True):
        return
    # The session is closed next. Objects it loaded stay readable after that, as they
    # would after the ROLLBACK of closing, instead of being expired by the commit.
    session.expire_on_commit = False
    try:
        session.commit()
    except Exception:  # whatever went wrong, the closing ROLLBACK still comes
        session.rollback()


def register_transaction_endings(app: Flask) -> None:
    """Listen for writes on every engine, and commit read-only transactions before
    Flask-SQLAlchemy closes the session (teardown functions run last-registered
    first, and this one is registered after it)."""
    if not event.contains(Engine, "before_cursor_execute", _note_writes):
        event.listen(Engine, "before_cursor_execute", _note_writes)
        event.listen(Engine, "commit", _forget_writes)
        event.listen(Engine, "rollback", _forget_writes)
        event.listen(Pool, "checkout", _fresh_checkout)
    app.teardown_appcontext(commit_if_nothing_was_written)
