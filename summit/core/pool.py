"""Pooled database connections are checked before use only when they may have gone
stale: after sitting idle in the pool for a while.

A connection that went back to the pool moments ago was alive then, and pinging it
again (SQLAlchemy's ``pool_pre_ping``) costs a round trip to the server on every
request, the same again as a short query. A connection that has sat idle for longer
than ``DATABASE_PING_AFTER_IDLE`` seconds may have been closed under it (the server
restarted, a firewall or ``idle_session_timeout`` dropped it): it is pinged first, and
a dead one is replaced before the request sees it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

from summit.extensions import db

IDLE_SINCE = "summit.idle_since"  # in a pooled connection's info: when it came back


def ping_when_idle(
    engine: Engine, seconds: float, clock: Callable[[], float] = time.monotonic
) -> None:
    """Ping ``engine``'s connections at checkout once they have been idle ``seconds``."""
    dialect = engine.dialect

    def returned(_dbapi_connection, record) -> None:
        record.info[IDLE_SINCE] = clock()

    def taken(dbapi_connection, record, _proxy) -> None:
        since = record.info.get(IDLE_SINCE)
        if since is None or clock() - since < seconds:
            return  # opened just now, or back from use moments ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                # The pool throws this connection away and checks out another.
                raise DisconnectionError("connection lost while idle in the pool") from error
            raise

    event.listen(engine.pool, "checkin", returned)
    event.listen(engine.pool, "checkout", taken)


def register_idle_ping(app: Flask) -> None:
    seconds = app.config["DATABASE_PING_AFTER_IDLE"]
    with app.app_context():
        for engine in db.engines.values():
            ping_when_idle(engine, seconds)
