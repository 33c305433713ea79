"""Pooled connections are pinged before use only after sitting idle: a dead one is
replaced then, and a recently used one goes out without a round trip."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import create_engine, text

from summit.core.pool import IDLE_SINCE, ping_when_idle
from summit.extensions import db

THRESHOLD = 5.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pool_engine(database_url):
    """An engine of its own, one pooled connection, its pings counted, a hand-set clock."""
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    clock = Clock()
    pings: list[object] = []
    original = engine.dialect.do_ping

    def counted(dbapi_connection):
        pings.append(dbapi_connection)
        return original(dbapi_connection)

    engine.dialect.do_ping = counted
    ping_when_idle(engine, THRESHOLD, clock=clock)
    yield engine, clock, pings
    engine.dispose()


def _select_one(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1")).scalar_one()


def _backend_pid(engine) -> int:
    """Through the pool (its checkout listeners run), on the driver's own cursor."""
    conn = engine.raw_connection()
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]
    finally:
        conn.close()


def test_a_connection_back_from_use_moments_ago_is_not_pinged(pool_engine):
    engine, clock, pings = pool_engine
    _select_one(engine)  # opened now: no ping
    clock.now += THRESHOLD - 0.5

    assert _select_one(engine) == 1
    assert pings == []


def test_a_connection_idle_past_the_threshold_is_pinged(pool_engine):
    engine, clock, pings = pool_engine
    _select_one(engine)
    clock.now += THRESHOLD + 0.5

    assert _select_one(engine) == 1
    assert len(pings) == 1
    assert _select_one(engine) == 1  # straight after: no second ping
    assert len(pings) == 1


def test_the_app_pings_its_connections_only_when_idle(app):
    with app.app_context():
        record_infos = []
        for _ in range(2):
            conn = db.engine.connect()
            record_infos.append(conn.connection._connection_record.info)
            conn.close()
    assert all(IDLE_SINCE in info for info in record_infos)
    assert app.config["DATABASE_PING_AFTER_IDLE"] > 0


def _terminate(database_url, pid: int) -> None:
    """Kill a server connection and wait until the server has let it go."""
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    alive = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        deadline = time.monotonic() + 5
        while conn.execute(alive, {"pid": pid}).scalar_one() and time.monotonic() < deadline:
            time.sleep(0.01)
    admin.dispose()


def test_a_connection_killed_while_idle_is_replaced_before_use(
    pool_engine, database_url, is_postgres
):
    if not is_postgres:
        pytest.skip("a server connection to kill needs PostgreSQL")
    engine, clock, _pings = pool_engine
    first = _backend_pid(engine)
    _terminate(database_url, first)
    clock.now += THRESHOLD + 0.5

    assert _backend_pid(engine) != first  # pinged, found dead, replaced


def test_control_a_killed_connection_used_without_the_ping_fails(
    pool_engine, database_url, is_postgres
):
    """The test above would catch a missing ping: within the threshold the dead
    connection goes out as it is, and its first statement fails."""
    if not is_postgres:
        pytest.skip("a server connection to kill needs PostgreSQL")
    engine, clock, _pings = pool_engine
    first = _backend_pid(engine)
    _terminate(database_url, first)
    clock.now += THRESHOLD - 0.5

    with pytest.raises(psycopg.OperationalError):
        _backend_pid(engine)
    assert _backend_pid(engine) != first  # the pool recovers on the next checkout


def test_a_request_on_a_connection_lost_under_it_answers_503_then_recovers(
    make_app, make_summit, database_url, is_postgres
):
    """Within the idle threshold the app does not ping: a connection the server dropped
    fails its request with a clear 503 and a retry hint, and the next request works."""
    if not is_postgres:
        pytest.skip("a server connection to kill needs PostgreSQL")
    make_summit("pool-summit")
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0})
    client = app.test_client()
    assert client.get("/pool-summit/").status_code == 200
    with app.app_context():  # the one pooled connection, which the next request takes
        pid = _backend_pid(db.engine)
    _terminate(database_url, pid)

    failed = client.get("/pool-summit/")
    assert failed.status_code == 503
    assert failed.headers["Retry-After"] == "1"
    assert "try again" in failed.get_data(as_text=True)
    assert client.get("/pool-summit/").status_code == 200
    with app.app_context():
        db.engine.dispose()
