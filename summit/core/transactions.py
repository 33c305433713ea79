"""Requests whose statements need no transaction around them."""

from summit.extensions import db


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
